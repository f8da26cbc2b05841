'use strict';
/**
 * Evaluated INSIDE each warm run's own vm context (worker.js): builds the
 * run's globals (console, process, timers, require) out of the context's
 * own built-ins, so nothing the program can reach belongs to the worker's
 * realm. The worker's capabilities (`host`) stay in this closure; they take
 * and return primitives only and never throw.
 *
 * Anything these shims do not reproduce exactly as node would calls
 * host.fallback(reason): the worker discards the run and the executor runs
 * the program again in a fresh process. `exit` unwinds the program with a
 * private sentinel. Shim objects mirror node's classes (EventEmitter,
 * ReadStream, Interface, Timeout, Immediate) so the encoder shows them as it
 * does in a fresh process: opaque.
 *
 * load(name, require): evaluates a harness file (encode.js, tracer.js) in
 * this context and returns its exports.
 */

module.exports = function setup(host, load, jobJson) {
  const g = globalThis;
  // The context's own built-ins, taken before the program can replace them.
  const apply = Reflect.apply;
  const hasOwn = (o, k) => apply(Object.prototype.hasOwnProperty, o, [k]);
  const job = JSON.parse(jobJson);
  const EXIT = Object.freeze({ exit: true }); // the private sentinel (never shown to the program as anything else)
  let exiting = false;
  const fallback = (reason) => {
    host.fallback(String(reason));
    throw EXIT;
  };
  const unsupported = (name) => function () { fallback(`unsupported in the warm worker: ${name}`); };

  /** Enough of node's EventEmitter for the stdin shims. */
  class EventEmitter {
    on(event, fn) {
      if (!this._allowed.includes(event)) fallback(`unsupported event ${String(event)}`);
      const handlers = (this._handlers ??= Object.create(null));
      (handlers[event] ??= []).push(fn);
      return this;
    }
    once(event, fn) { return this.on(event, fn); }
    addListener(event, fn) { return this.on(event, fn); }
    emit(event, ...args) {
      const list = this._handlers?.[event] ?? [];
      for (let i = 0; i < list.length; i++) apply(list[i], this, args);
      return list.length > 0;
    }
  }

  // ------------------------------------------------------------- output

  // Node's formatter and deep equality live in the worker's realm: they get the program's values
  // only when they would run none of its code (inert.js); otherwise a fresh node runs the program.
  const inert = load('inert', () => undefined)(host.types);
  const format = (args) => {
    if (!inert.formattable(args)) fallback('formatting would run the program\'s code');
    return apply(host.format, undefined, args);
  };
  const inspect = (value) => {
    if (!inert.formattable([value])) fallback('formatting would run the program\'s code');
    return host.inspect(value);
  };
  // Past the file-size limit the run stops here (a fresh node reproduces how it ends).
  const out = (text) => { if (!exiting && !host.write(1, text)) fallback('stdout past the file size limit'); };
  const err = (text) => { if (!exiting && !host.write(2, text)) fallback('stderr past the file size limit'); };

  const console = {
    log(...args) { out(format(args) + '\n'); },
    info(...args) { out(format(args) + '\n'); },
    debug(...args) { out(format(args) + '\n'); },
    error(...args) { err(format(args) + '\n'); },
    warn(...args) { err(format(args) + '\n'); },
    dir(value) { out(inspect(value) + '\n'); },
    assert(expression, ...args) {
      if (!expression) {
        // As node's Console#assert: the first argument becomes the message, then warn().
        args[0] = `Assertion failed${args.length === 0 ? '' : `: ${args[0]}`}`;
        apply(console.warn, console, args);
      }
    },
  };
  for (const name of ['trace', 'table', 'group', 'groupCollapsed', 'groupEnd', 'time', 'timeEnd', 'timeLog', 'count', 'countReset', 'clear', 'dirxml', 'profile', 'profileEnd', 'timeStamp']) {
    console[name] = unsupported(`console.${name}`);
  }

  // ------------------------------------------------------------- timers

  const callbacks = new Map(); // id -> {fn, args}
  let nextTimer = 1;

  class Timeout {
    constructor(id) { this._id = id; }
    ref() { host.ref(this._id, true); return this; }
    unref() { host.ref(this._id, false); return this; }
    hasRef() { return host.hasRef(this._id); }
    refresh() { fallback('Timeout#refresh'); }
    close() { clear(this); return this; }
    [Symbol.toPrimitive]() { return this._id; }
  }
  class Immediate {
    constructor(id) { this._id = id; }
    ref() { host.ref(this._id, true); return this; }
    unref() { host.ref(this._id, false); return this; }
    hasRef() { return host.hasRef(this._id); }
  }

  function schedule(kind, fn, ms, args) {
    if (typeof fn !== 'function') fallback(`${kind} without a function`);
    if (exiting) return 0;
    const id = nextTimer++;
    callbacks.set(id, { fn, args });
    host.schedule(kind, id, typeof ms === 'number' ? ms : Number(ms));
    return id;
  }

  function clear(handle) {
    const id = handle instanceof Timeout || handle instanceof Immediate ? handle._id : typeof handle === 'number' ? handle : null;
    if (id === null || !callbacks.has(id)) return;
    host.cancel(id);
    callbacks.delete(id);
  }

  g.setTimeout = function setTimeout(fn, ms, ...args) { return new Timeout(schedule('timeout', fn, ms, args)); };
  g.setInterval = function setInterval(fn, ms, ...args) { return new Timeout(schedule('interval', fn, ms, args)); };
  g.setImmediate = function setImmediate(fn, ...args) { return new Immediate(schedule('immediate', fn, 0, args)); };
  g.clearTimeout = function clearTimeout(t) { clear(t); };
  g.clearInterval = function clearInterval(t) { clear(t); };
  g.clearImmediate = function clearImmediate(t) { clear(t); };
  g.queueMicrotask = function queueMicrotask(fn) { schedule('microtask', fn, 0, []); };
  g.structuredClone = unsupported('structuredClone');

  /** Called by the worker when a timer fires; repeat: an interval stays registered. */
  function fire(id, repeat) {
    const cb = callbacks.get(id);
    if (cb === undefined || exiting) return;
    if (!repeat) callbacks.delete(id);
    apply(cb.fn, undefined, cb.args);
  }

  // ------------------------------------------------------------- stdin

  const input = job.input && job.input.kind === 'stdin' ? String(job.input.stdin ?? '') : '';

  // As readline splits them (\r\n, \n or \r); a final empty piece is no line.
  const inputLines = input.split(/\r\n|\n|\r/);
  if (inputLines[inputLines.length - 1] === '') inputLines.pop();

  let stdinClaimed = false;
  function claimStdin() {
    if (stdinClaimed) fallback('stdin read twice');
    stdinClaimed = true;
  }

  let stdinEncoding = null;
  class ReadStream extends EventEmitter {
    setEncoding(enc) { stdinEncoding = enc; return this; }
    resume() { return this; }
    on(event, fn) {
      if (event === 'data' && !/^utf-?8$/i.test(String(stdinEncoding))) fallback('stdin data as Buffers');
      if (!stdinClaimed) {
        claimStdin();
        schedule('immediate', () => {
          if (input !== '') this.emit('data', input);
          this.emit('end');
          this.emit('close');
        }, 0, []);
      }
      return super.on(event, fn);
    }
  }
  const stdin = new ReadStream();
  Object.defineProperties(stdin, { _allowed: { value: ['data', 'end', 'close'] }, fd: { value: 0, enumerable: true } });

  class Interface extends EventEmitter {}

  const readline = {
    createInterface(options) {
      const source = options && typeof options === 'object' && 'input' in options ? options.input : options;
      if (source !== stdin) fallback('readline over something else than process.stdin');
      claimStdin();
      const rl = new Interface();
      Object.defineProperty(rl, '_allowed', { value: ['line', 'close'] });
      let closed = false;
      let emitting = false;
      rl.close = () => {
        if (emitting) fallback('readline closed while emitting lines');
        if (!closed) { closed = true; rl.emit('close'); }
      };
      rl[Symbol.asyncIterator] = unsupported('readline async iteration');
      rl.question = unsupported('readline question');
      schedule('immediate', () => {
        emitting = true;
        for (let i = 0; i < inputLines.length; i++) rl.emit('line', inputLines[i]);
        emitting = false;
        rl.close();
      }, 0, []);
      return rl;
    },
  };

  function isStdinPath(file) {
    return file === 0 || file === '/dev/stdin';
  }

  const fs = {
    readFileSync(file, options) {
      const enc = typeof options === 'string' ? options : options && typeof options === 'object' ? options.encoding : undefined;
      if (!isStdinPath(file)) fallback('fs.readFileSync of a file');
      if (typeof enc !== 'string' || !/^utf-?8$/i.test(enc)) fallback('fs.readFileSync as a Buffer');
      return input;
    },
  };

  // ------------------------------------------------------------- modules

  const util = {
    format(...args) { return format(args); },
    inspect(value, options) {
      if (options !== undefined) fallback('util.inspect with options');
      return inspect(value);
    },
    isDeepStrictEqual(a, b) {
      if (!inert.comparable('isDeepStrictEqual', [a, b])) fallback('deep equality would run the program\'s code');
      return host.assert('isDeepStrictEqual', a, b) === 'true';
    },
  };

  function makeAssert() {
    const check = (name) => function (...args) {
      // Only the passing case is reproduced here; a failing assert throws node's own AssertionError in a fresh run.
      if (!inert.comparable(name, args)) fallback(`assert.${name} would run the program's code`);
      const all = [name];
      for (let i = 0; i < args.length; i++) all[i + 1] = args[i];
      const verdict = apply(host.assert, undefined, all);
      if (verdict !== 'pass') fallback(`assert.${name} failed`);
    };
    const assert = check('ok');
    for (const name of ['ok', 'equal', 'notEqual', 'strictEqual', 'notStrictEqual', 'deepEqual', 'deepStrictEqual', 'notDeepEqual', 'notDeepStrictEqual']) {
      assert[name] = check(name);
    }
    assert.strict = assert;
    return assert;
  }

  const modules = { util, assert: makeAssert(), readline, fs };
  const hostUtil = { types: host.types };
  const intrinsics = load('intrinsics', () => undefined);
  const leaves = load('encode-leaves', (id) => (id === 'node:util' ? hostUtil : id === 'node:events' ? EventEmitter : id === './intrinsics.js' ? intrinsics : undefined));
  const encoder = load('encode', (id) => (id === './intrinsics.js' ? intrinsics : id === './encode-leaves.js' ? leaves : undefined));
  const tracerLib = load('tracer', (id) => (id === './intrinsics.js' ? intrinsics : undefined));
  for (const name of ['util', 'assert', 'readline', 'fs']) encoder.tagModule(modules[name], name);

  const filename = '/tmp/run/main.js';
  const module = { id: '.', filename, loaded: false, exports: {} };
  function require(id) {
    const name = typeof id === 'string' ? id.replace(/^node:/, '') : null;
    if (name === null || !hasOwn(modules, name)) fallback(`require(${String(id)})`);
    return modules[name];
  }

  // ------------------------------------------------------------- process

  const exitCodeOf = (code) => (code === undefined || code === null ? 0 : Number(code) | 0);
  let exitCode;
  const process = {
    argv: JSON.parse(host.argv()),
    env: JSON.parse(host.env()),
    platform: 'linux',
    version: host.version(),
    stdout: { write(chunk) { out(typeof chunk === 'string' ? chunk : fallback('stdout.write of a Buffer')); return true; } },
    stderr: { write(chunk) { err(typeof chunk === 'string' ? chunk : fallback('stderr.write of a Buffer')); return true; } },
    stdin,
    nextTick(fn, ...args) { schedule('tick', fn, 0, args); },
    hrtime: Object.assign(function hrtime(previous) {
      if (previous !== undefined) fallback('hrtime(previous)');
      const ns = host.hrtime();
      return [Number(ns / 1000000000n), Number(ns % 1000000000n)];
    }, { bigint() { return host.hrtime(); } }),
    exit(code) {
      if (code !== undefined && code !== null && !Number.isInteger(code)) fallback('process.exit with a non-integer code');
      if (!exiting) {
        const status = exitCodeOf(code === undefined ? exitCode : code);
        end();
        exiting = true;
        host.exit(status);
      }
      throw EXIT;
    },
    get exitCode() { return exitCode; },
    set exitCode(code) {
      // A failing exit status is reproduced by a fresh run (node validates and reports it).
      if (code !== undefined && code !== null && code !== 0) host.fallback('process.exitCode');
      exitCode = code;
    },
  };

  g.console = console;
  g.process = process;
  g.global = g;

  // ------------------------------------------------------------- the run

  const tracer = tracerLib.createTracer({
    job, seal: host.seal(), write: (text) => host.channel(text), types: host.types, encoder, filename,
    exportsOf: () => module.exports, now: () => host.now(),
  });

  let ended = false;
  function end() {
    if (ended) return;
    ended = true;
    tracer.finish();
  }

  /** Run the compiled program (makeProgram(runtime, moduleFrame) returns it: a function of this context). */
  function start(makeProgram) {
    const fn = makeProgram(tracer.runtime, tracer.moduleFrame);
    tracer.markStarted();
    apply(fn, module.exports, [module.exports, require, module, filename, '/tmp/run']);
  }

  return {
    start,
    /** The worker's entry: globalThis[name]() runs the program once (name removed first). */
    arm(name, makeProgram) {
      Object.defineProperty(g, name, { configurable: true, value() { delete g[name]; start(makeProgram); } });
    },
    fire,
    end,
    flush: () => tracer.flush(),
    noteException: (e, phase) => tracer.noteException(e, phase),
    isExit: (value) => value === EXIT,
    exitCode: () => exitCodeOf(exitCode),
    programOf: () => tracerLib.programOf(job),
  };
};
