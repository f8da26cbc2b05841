'use strict';
/**
 * Warm JavaScript worker: one node process, started inside the sandbox by
 * tracers/jsworker.py, that runs many JavaScript jobs, each in a fresh vm
 * context of its own (a new realm: its own Object, Array, JSON, globalThis).
 *
 *   fd 0  jobs, one JSON line each (the job plus its "channel_seal")
 *   fd 3  results, one JSON line per job:
 *         {"stdout", "stderr", "channel", "exit_code", "fallback": reason | null, "cpu_ms"}
 *
 * Nothing of one run is reachable from the next: the run's globals, shims
 * (context.js), tracing runtime (tracer.js) and encoder (encode.js) are
 * evaluated inside its context, and the worker's own functions reach the
 * context only inside those closures, taking and returning primitives.
 * A run is over when its own timers, ticks and stdin events are done.
 *
 * Whatever the shims cannot reproduce byte for byte (an uncaught error,
 * whose stack trace node prints; a failing exit status; an unsupported
 * module or API; output past the file-size limit) ends the run with
 * `fallback`: the executor runs the program again in a fresh process.
 * A synchronous infinite loop is stopped by vm's timeout, endless timers by the
 * worker's own clock (both return the output and trace so far); the executor's
 * wall clock covers the rest and replaces the worker.
 */
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const util = require('node:util');
const assert = require('node:assert');

const { PARAMS, RUNTIME, requireLimits } = require('./tracer.js');

const RESULT_FD = 3;
const FILENAME = '/tmp/run/main.js';
// What the fresh harness's process.argv looks like (node runner.js job.json).
const ARGV = JSON.stringify([process.execPath, path.join(__dirname, 'runner.js'), 'job.json']);
const ENV = JSON.stringify(process.env);

// A global looked up in a vm context goes through the context's interceptor
// (~20x slower than in node's main realm); code that runs in a context sees
// these globals as bindings of an enclosing function scope instead, read from
// the context's global when the code starts. (A program that reads one of
// them through globalThis after replacing it is not eligible: jsworker.py.)
const GLOBALS = ['Object', 'Function', 'Array', 'Number', 'Boolean', 'String', 'Symbol', 'BigInt', 'Math', 'JSON',
  'Reflect', 'Promise', 'Map', 'Set', 'WeakMap', 'WeakSet', 'Date', 'RegExp', 'Error', 'TypeError', 'RangeError',
  'SyntaxError', 'ReferenceError', 'EvalError', 'URIError', 'parseInt', 'parseFloat', 'isNaN', 'isFinite',
  'Infinity', 'NaN', 'undefined', 'ArrayBuffer', 'DataView', 'Int8Array', 'Uint8Array', 'Uint8ClampedArray',
  'Int16Array', 'Uint16Array', 'Int32Array', 'Uint32Array', 'Float32Array', 'Float64Array', 'BigInt64Array',
  'BigUint64Array', 'Proxy', 'Intl', 'encodeURIComponent', 'decodeURIComponent', 'encodeURI', 'decodeURI',
  'console', 'process', 'setTimeout', 'setInterval', 'setImmediate', 'clearTimeout', 'clearInterval',
  'clearImmediate', 'queueMicrotask'];
const HARNESS_GLOBALS = GLOBALS.filter((n) => !['console', 'process', 'setTimeout', 'setInterval', 'setImmediate',
  'clearTimeout', 'clearInterval', 'clearImmediate', 'queueMicrotask'].includes(n));
const prelude = (names) => `let ${names.map((n) => `${n} = globalThis.${n}`).join(', ')};`;

/** Harness files, compiled once, evaluated in every run's context (one line of prelude, so lines stay). */
const LIBS = Object.fromEntries(['intrinsics', 'inert', 'encode-leaves', 'encode', 'tracer', 'context'].map((name) => {
  const file = path.join(__dirname, `${name}.js`);
  const wrapped = `(function () { ${prelude(HARNESS_GLOBALS)} return function (exports, require, module) {${fs.readFileSync(file, 'utf8')}\n} })()`;
  return [name, new vm.Script(wrapped, { filename: file })];
}));
const PROGRAM_PRELUDE = prelude(GLOBALS);

class Fallback extends Error {}

/** Run one job; done(result) when it is over. Called from a macrotask (setImmediate), so the
 * program's process.nextTick callbacks run before its promise callbacks, as in a fresh node. */
function runJob(line, done) {
  const job = JSON.parse(line);
  const seal = typeof job.channel_seal === 'string' ? job.channel_seal : null;
  delete job.channel_seal;
  const limits = requireLimits(job, ['max_file_bytes', 'max_output_bytes', 'timeout_ms', 'cpu_ms']);
  const fileCap = limits.max_file_bytes;
  // Output past max_output_bytes is counted, not kept: the executor keeps that much and reports output_limit.
  const outputCap = limits.max_output_bytes;
  const run = {
    out: [], err: [], outBytes: 0, errBytes: 0, channel: [], channelBytes: 0,
    fallback: null, exitCode: null, sealed: false,
    timers: new Map(), // id -> {handle, kind, ref}
  };
  const cpu0 = process.cpuUsage();
  const started = performance.now();
  const flag = (reason) => { if (run.fallback === null) run.fallback = String(reason).slice(0, 200); };
  current = flag;

  /** Keep output; false once past the file-size limit (the run then goes to a fresh node, which stops there). */
  const write = (fd, text) => {
    if (typeof text !== 'string' || run.exitCode !== null) return true;
    const bytes = Buffer.byteLength(text);
    const before = fd === 1 ? run.outBytes : run.errBytes;
    if (fd === 1) run.outBytes += bytes;
    else run.errBytes += bytes;
    if (before + bytes > fileCap) { flag(`${fd === 1 ? 'stdout' : 'stderr'} past the file size limit`); return false; }
    if (before > outputCap) return true; // counted, not kept
    // A stack trace names the worker's frames, not a fresh process's.
    if (text.includes('\n    at ')) flag('stack trace in the output');
    // As node writes it: a lone surrogate becomes U+FFFD (kept as is, the executor would write it as 3 bytes).
    (fd === 1 ? run.out : run.err).push(text.toWellFormed());
    return true;
  };

  // ---------------------------------------------------------- timers
  let api = null;
  const fire = (id, repeat) => {
    try {
      api.fire(id, repeat);
    } catch (err) {
      if (!api.isExit(err)) flag('uncaught error in a callback');
    }
  };
  // Timers made by the main program are armed only once it (with its ticks and
  // microtasks) is over: if none is referenced then, the run ends before any
  // timer fires, as node exits without running unref'd timers.
  let deferred = [];
  const arm = (id, entry, delay) => {
    const once = () => { run.timers.delete(id); fire(id, false); };
    if (entry.kind === 'timeout') entry.handle = setTimeout(once, delay);
    else if (entry.kind === 'interval') entry.handle = setInterval(() => fire(id, true), delay);
    else if (entry.kind === 'immediate') entry.handle = setImmediate(once);
    else if (entry.kind === 'tick') process.nextTick(once);
    else if (entry.kind === 'microtask') queueMicrotask(once);
  };
  const schedule = (kind, id, ms) => {
    if (run.exitCode !== null || !['timeout', 'interval', 'immediate', 'tick', 'microtask'].includes(kind)) return;
    const delay = Number.isFinite(ms) && ms >= 1 ? Math.min(ms, 2147483647) : 1;
    const entry = { kind, ref: kind !== 'microtask' && kind !== 'tick', handle: null };
    run.timers.set(id, entry);
    if (deferred !== null && (kind === 'timeout' || kind === 'interval' || kind === 'immediate')) {
      deferred.push([id, entry, delay, performance.now()]);
    } else {
      arm(id, entry, delay);
    }
  };
  const armDeferred = () => {
    const now = performance.now();
    for (const [id, entry, delay, at] of deferred) {
      if (run.timers.get(id) === entry) arm(id, entry, Math.max(1, delay - (now - at)));
    }
    deferred = null;
  };
  const cancel = (id) => {
    const entry = run.timers.get(id);
    if (!entry) return;
    run.timers.delete(id);
    if (entry.handle === null) return; // not armed yet
    if (entry.kind === 'timeout' || entry.kind === 'interval') clearTimeout(entry.handle);
    else if (entry.kind === 'immediate') clearImmediate(entry.handle);
    // ticks and microtasks cannot be withdrawn; fire() skips them once cleared
  };

  // ---------------------------------------------------------- capabilities (primitives in, primitives out)
  const guard = (fn, otherwise) => (...args) => {
    try { return fn(...args); } catch { flag('worker capability failed'); return otherwise; }
  };
  const host = Object.freeze({
    write: guard(write, false),
    channel: guard((text) => {
      if (typeof text !== 'string' || run.sealed) return 0;
      const bytes = Buffer.byteLength(text);
      run.channelBytes += bytes;
      if (run.channelBytes > fileCap) { flag('channel past the file size limit'); return 0; }
      run.channel.push(text);
      if (text.includes('\n["END",')) run.sealed = true;
      return bytes;
    }, 0),
    format: guard((...args) => util.format(...args), ''),
    inspect: guard((value) => util.inspect(value), ''),
    assert: guard((name, ...args) => {
      if (name === 'isDeepStrictEqual') return String(util.isDeepStrictEqual(args[0], args[1]));
      try { assert[name](...args); return 'pass'; } catch { return 'fail'; }
    }, 'fail'),
    schedule: guard(schedule),
    cancel: guard(cancel),
    ref: guard((id, on) => { const e = run.timers.get(id); if (e) e.ref = !!on; }),
    hasRef: guard((id) => !!run.timers.get(id)?.ref, false),
    fallback: guard(flag),
    exit: guard((code) => {
      if (run.exitCode !== null) return;
      run.exitCode = Number(code) | 0;
      for (const id of [...run.timers.keys()]) cancel(id);
    }),
    seal: () => seal,
    argv: () => ARGV,
    env: () => ENV,
    version: () => process.version,
    hrtime: () => process.hrtime.bigint(),
    now: () => performance.now(),
    types: util.types,
  });

  // ---------------------------------------------------------- the context
  const context = vm.createContext(Object.create(null), { name: 'run' });
  const load = (name, requireFn) => {
    const module = { exports: {} };
    LIBS[name].runInContext(context)(module.exports, requireFn, module);
    return module.exports;
  };
  const timeout = Math.max(1, limits.timeout_ms);
  api = load('context', () => undefined)(host, load, JSON.stringify(job));

  const syncPart = (fn) => {
    try {
      fn();
    } catch (err) {
      if (api.isExit(err)) return;
      // Read without running anything the program made (a getter, a Proxy trap).
      if (!util.types.isProxy(err) && util.types.isNativeError(err) &&
          Object.getOwnPropertyDescriptor(err, 'code')?.value === 'ERR_SCRIPT_EXECUTION_TIMEOUT') throw err;
      flag('uncaught error');
    }
  };

  /** As from a fresh process killed at its timeout: the output and the trace so far (no END record). */
  const stopAtTimeout = () => {
    try { api.flush(); } catch { /* the trace stops where it stopped */ }
    current = null;
    return done({ timedOut: true, stdout: run.out.join(''), stderr: run.err.join(''), channel: run.channel.join('') });
  };

  let program;
  try {
    vm.compileFunction(job.source, [], { filename: FILENAME, parsingContext: context });
    const { code, runtime } = api.programOf();
    vm.compileFunction(code, PARAMS, { filename: FILENAME, parsingContext: context });
    // The same function, compiled inside a scope holding the globals (made when it starts) and the runtime.
    program = vm.compileFunction(`${PROGRAM_PRELUDE} return function (${PARAMS.join(', ')}) {${code}\n}`, runtime ? RUNTIME : [],
      { filename: FILENAME, parsingContext: context });
  } catch {
    flag('does not compile'); // node's own SyntaxError report comes from a fresh run
  }
  if (program) {
    // vm's timeout bounds the synchronous part (an infinite loop); the executor's clock bounds the rest.
    // The entry is a function of the context under a one-time name, gone before the program runs.
    const entry = `__run$${Math.random().toString(36).slice(2)}`;
    api.arm(entry, program);
    try {
      syncPart(() => vm.runInContext(`globalThis[${JSON.stringify(entry)}]()`, context, { timeout, filename: 'worker-entry' }));
    } catch {
      return stopAtTimeout();
    }
  }
  {
    const finish = () => {
      try {
        if (run.exitCode === null && run.fallback === null) {
          syncPart(() => api.end());
          run.exitCode = api.exitCode();
        }
      } catch { flag('end failed'); }
      if (run.exitCode !== 0 && run.exitCode !== null) flag(`exit status ${run.exitCode}`);
      current = null;
      const cpu = process.cpuUsage(cpu0);
      const total = process.cpuUsage();
      done({
        stdout: run.out.join(''), stderr: run.err.join(''), channel: run.channel.join(''),
        exit_code: run.exitCode, fallback: run.fallback, cpu_ms: (cpu.user + cpu.system) / 1000,
        // The worker has twice a run's CPU limit (jsworker.py): past one, the executor replaces it.
        retire: (total.user + total.system) / 1000 >= limits.cpu_ms,
      });
    };
    // Done when the run has no referenced timer left (ticks and microtasks have
    // drained by the time an immediate runs); a fallback ends it early.
    const check = () => {
      // Timers still firing at the time limit (an endless setInterval):
      // stop here rather than be killed with the worker.
      if (performance.now() - started >= timeout) {
        for (const id of [...run.timers.keys()]) cancel(id);
        return stopAtTimeout();
      }
      let pending = false;
      for (const entry of run.timers.values()) if (entry.ref) { pending = true; break; }
      if (!pending || run.fallback !== null || run.exitCode !== null) {
        for (const id of [...run.timers.keys()]) cancel(id);
        return finish();
      }
      if (deferred !== null) armDeferred();
      setTimeout(() => setImmediate(check), 1);
    };
    setImmediate(check);
  }
}

let current = null; // the running job's fallback flag, for unhandled rejections
process.on('unhandledRejection', () => { if (current) current('unhandled rejection'); });
process.on('uncaughtException', () => { if (current) current('uncaught exception'); });

function reply(result) {
  const data = Buffer.from(JSON.stringify(result) + '\n');
  for (let off = 0; off < data.length;) off += fs.writeSync(RESULT_FD, data, off);
}

function serve() {
  let pending = '';
  const queue = [];
  let busy = false;
  let ended = false;
  const next = () => {
    if (busy) return;
    const line = queue.shift();
    if (line === undefined) {
      if (ended) process.exit(0);
      return;
    }
    busy = true;
    setImmediate(() => {
      const finished = (result) => {
        reply(result);
        if (result.timedOut) process.exit(0); // the executor replaces a worker after a timeout
        busy = false;
        next();
      };
      try {
        runJob(line, finished);
      } catch (err) {
        finished({ fallback: `worker: ${err && err.message}` });
      }
    });
  };
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (chunk) => {
    pending += chunk;
    let at;
    while ((at = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, at);
      pending = pending.slice(at + 1);
      if (line.trim()) queue.push(line);
    }
    next();
  });
  process.stdin.on('end', () => { ended = true; next(); });
}

serve();
