'use strict';
/**
 * Harness for one JavaScript run: `node runner.js job.json`.
 *
 * fd 0/1/2 belong to the program; fd 3 is the trace channel (records in
 * tracers/README.md). The program runs as CommonJS from an in-memory file
 * `<cwd>/main.js` with a real `require`, `module`, `exports`; the instrumented
 * code additionally receives `__ct$` (this runtime) and `__ct$f` (the module
 * frame) as wrapper parameters, so nothing is added to the global object.
 *
 * Every run, traced or plain, first compiles the ORIGINAL source: a program
 * V8 rejects is reported as a syntax error (END exception with
 * phase "compile") and never runs instrumented.
 *
 * The tracing runtime (channel records, frames, probes, outcome) is
 * tracer.js, shared with the warm worker (worker.js); the END record is
 * written from process.on('exit'), after the event loop is empty.
 *
 * Traced frames use about 1.8x the stack of plain ones: start traced runs with
 * `node --stack-size=2000` (needs RLIMIT_STACK >= 4 MB) so that a program that
 * recurses within plain Node's limit also does when traced.
 */
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const Module = require('node:module');
const { types } = require('node:util');
const encoder = require('./encode.js');
const { createTracer, programOf, PARAMS, RUNTIME } = require('./tracer.js');

const CHANNEL_FD = 3;

// Node ignores SIGXFSZ, so a write past the file-size limit fails (EFBIG) and a
// program printing in a loop goes on until its timeout, with console.log
// dropping the errors. libuv restores the default action when the last
// listener goes: the run then ends at the limit as any other would (output_limit).
{
  const nothing = () => {};
  process.on('SIGXFSZ', nothing);
  process.removeListener('SIGXFSZ', nothing);
}

const job = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
// The job holds the channel seal: gone from disk before the program runs.
try { fs.unlinkSync(process.argv[2]); } catch { /* already gone */ }
const channelSeal = typeof job.channel_seal === 'string' ? job.channel_seal : null;
delete job.channel_seal;
const filename = path.join(process.cwd(), 'main.js');
const sleeper = new Int32Array(new SharedArrayBuffer(4));

// Saved before the program runs: it may replace fs.writeSync or Buffer.from in this realm.
const writeSync = fs.writeSync;
const bufferFrom = Buffer.from.bind(Buffer);
const wait = Atomics.wait;
const { ownDesc } = require('./intrinsics.js');

/** Write all of text to the channel; returns the bytes written. */
function writeAll(text) {
  const data = bufferFrom(text, 'utf8');
  const size = data.length;
  let written = 0;
  while (written < size) {
    try {
      written += writeSync(CHANNEL_FD, data, written, size - written);
    } catch (err) {
      const code = ownDesc(err, 'code');
      if (!code || code.value !== 'EAGAIN') return written; // channel gone: the program must still run unchanged
      wait(sleeper, 0, 0, 1);
    }
  }
  return written;
}

let userModule; // the program's module object, for fn_name lookups in exports

const tracer = createTracer({
  job, seal: channelSeal, write: writeAll, types, encoder, filename,
  exportsOf: () => userModule.exports,
});

// A program stopped from outside (timeout) keeps what was written so far.
setInterval(tracer.flush, tracer.FLUSH_MS).unref();

process.on('uncaughtExceptionMonitor', (err) => {
  // With a user 'uncaughtException' handler the program goes on: not an outcome.
  if (process.listenerCount('uncaughtException') === 0) tracer.noteUncaught(err);
});

process.on('exit', () => tracer.finish());

// ---------------------------------------------------------------- run

function compile(code) {
  return vm.compileFunction(code, PARAMS, { filename });
}

/** The program's function, inside one that binds the runtime (its first line is line 1 of the file). */
function compileProgram(code, runtime) {
  return vm.compileFunction(`return function (${PARAMS.join(', ')}) {\n${code}\n}`, runtime ? RUNTIME : [], { filename, lineOffset: -1 });
}

function makeModule() {
  const mod = new Module(filename, null);
  mod.filename = filename;
  mod.paths = Module._nodeModulePaths(process.cwd());
  const base = Module.createRequire(filename);
  const userRequire = function require(id) {
    const value = base(id);
    if (typeof id === 'string' && Module.isBuiltin(id)) encoder.tagModule(value, id.replace(/^node:/, ''));
    return value;
  };
  Object.assign(userRequire, { resolve: base.resolve, cache: base.cache, extensions: base.extensions, main: mod });
  process.mainModule = mod;
  return { mod, userRequire };
}

function main() {
  try {
    compile(job.source);
  } catch (err) {
    tracer.noteException(err, 'compile');
    throw err; // Node prints it and exits 1, like `node main.js` would
  }
  const { code, runtime } = programOf(job);
  let fn;
  try {
    fn = compileProgram(code, runtime)(tracer.runtime, tracer.moduleFrame);
  } catch (err) {
    tracer.noteException(err, 'call');
    throw err;
  }
  const made = makeModule();
  userModule = made.mod;
  tracer.markStarted();
  fn.call(userModule.exports, userModule.exports, made.userRequire, userModule, filename, path.dirname(filename));
}

main();
