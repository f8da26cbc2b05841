'use strict';
/**
 * The tracing runtime of one JavaScript run: the trace channel's records
 * (tracers/README.md), frames, probes and the run's outcome.
 *
 * Shared by the fresh-process harness (runner.js, in node's main realm) and
 * the warm worker (worker.js, evaluated inside each run's own vm context, so
 * that `__ct$` and everything it returns belong to the run's realm). It only
 * uses the language's built-ins plus what `env` gives it:
 *
 *   env.job          the job (mode, input, limits)
 *   env.seal         the channel seal (string) or null
 *   env.write(text)  append text to the channel; returns the bytes written
 *   env.types        util.types (isProxy, isPromise)
 *   env.encoder      encode.js's exports
 *   env.filename     the program's file name (for exception lines)
 *   env.exportsOf()  the program's module.exports (fn_name lookups)
 *   env.now()        milliseconds, for flush timing (default performance.now)
 *
 * Channel specifics:
 * - F is written when a frame first writes something; frame ids follow that order.
 * - X is coalesced: at each flush, one X per scope for its latest exited frame
 *   (finals are "as at the last exit"); the module's X is written at the end,
 *   after the event loop is empty (so readline/stdin callbacks are included).
 * - After the events cap, probes stop encoding and keep raw values; frames
 *   exiting after the cap are encoded when the program ends.
 * - END.exception = {type, message, line, phase}: phase "compile" (the program
 *   does not compile: status syntax_error), "call" (the call-style input
 *   does not compile) or "run" (an uncaught exception or unhandled rejection).
 * - The buffer is flushed at 16 KB, every 100 ms (from a probe, or the
 *   harness's timer) and at the end, so a run killed by the timeout keeps its
 *   trace up to then.
 */

const {
  ObjectIs, ObjectCreate, ObjectFreeze, ownDesc, isData, append, getProto, stringify, JSONParse, MathMin, Map, ReferenceError,
  MapGet, MapSet, MapDelete, MapValues, MapEntries, MapIteratorNext, MapSize, StringIndexOf, StringSlice, RegExpExec,
  PromiseThen, apply,
} = require('./intrinsics.js');

const FLUSH_BYTES = 16 * 1024;
const FLUSH_MS = 100;

function createTracer(env) {
  const { job, seal, write, types, filename } = env;
  const { createEncoder, describeThrown, thrownLine, arrayShadow, matchesShadow, DEFAULTS, HUGE_STRING } = env.encoder;
  /** Object.is, but two huge strings are never compared by content (V8 would copy both whole). */
  const same = (a, b) => (typeof a === 'string' && a.length > HUGE_STRING ? false : ObjectIs(a, b));
  const { max_events: maxEvents, max_value_chars: maxChars } = requireLimits(job, ['max_events', 'max_value_chars']);
  const encodeValue = createEncoder({ maxChars, maxString: MathMin(1000, maxChars) });
  const { isProxy, isPromise } = types; // saved: the program may replace members of util.types
  const nowMs = env.now || ((now) => () => now())(performance.now.bind(performance));
  const ObjectProto = Object.prototype;
  // Call-style arguments, as JSON text now (JSON.parse is saved; the job's own objects may be changed later).
  const argsJson = job.input && job.input.kind === 'fn' ? stringify(job.input.args) : '[]';

  // -------------------------------------------------------------- channel

  let buffer = '';
  let written = 0; // bytes on the channel so far: the sealed END says how many
  let lastFlush = nowMs();

  function record(rec) {
    recordLine(stringify(rec));
  }

  /** Append one record, given as its JSON text. */
  function recordLine(text) {
    buffer += text + '\n';
    if (buffer.length >= FLUSH_BYTES || nowMs() - lastFlush >= FLUSH_MS) flush();
  }

  function flush() {
    writePendingFinals();
    if (buffer) written += write(buffer);
    buffer = '';
    lastFlush = nowMs();
  }

  // -------------------------------------------------------------- frames

  let nextFrameId = 0;
  let liveDepth = 0;
  let events = 0;
  let seq = 0; // probes run so far: tells whether a frame's encodings may be stale
  let eventsCapped = false;
  let valueCut = false;

  /** Variables of one call: name -> {raw, enc} (enc null when not encoded since raw changed).
   * Fields are defined, not assigned, so no setter the program put on Object.prototype runs. */
  class Frame {
    scope;
    depth;
    id = -1; // assigned when first written, so ids follow order of appearance
    vals = null; // a Map, made when first needed (most frames after the cap never need one)
    lastSeq = -1;
    // After the event cap: [names, values, names, values...] of the probes
    // and exit that ran since, oldest first, not yet folded into vals.
    pending = null;
    suspendable = false;
    constructor(scope, depth) {
      this.scope = scope;
      this.depth = depth;
    }
  }

  /**
   * After the cap, only finals need values, and only those of each scope's
   * last frame: keep them unencoded and unfolded. A loop runs the same probe
   * (same names) over and over: its latest values replace the last pair.
   */
  function keep(frame, names, values) {
    const pending = frame.pending;
    if (pending === null) {
      frame.pending = [names, values];
    } else if (pending[pending.length - 2] === names) {
      pending[pending.length - 1] = values;
    } else if (pending.length < 16) {
      append(pending, names);
      append(pending, values);
    } else {
      settle(frame);
      frame.pending = [names, values];
    }
  }

  /** Whether every value of the frame is one that cannot change while bound (see isStable). */
  function holdsOnlyStable(frame) {
    const pending = frame.pending;
    if (pending !== null) {
      for (let k = 1; k < pending.length; k += 2) {
        const values = pending[k];
        for (let i = 0; i < values.length; i++) if (!isStable(values[i])) return false;
      }
    }
    if (frame.vals !== null) {
      const it = MapValues(frame.vals);
      for (let step = MapIteratorNext(it); !step.done; step = MapIteratorNext(it)) if (!isStable(step.value.raw)) return false;
    }
    return true;
  }

  /** Fold the values kept after the cap into vals, in the order they came. */
  function settle(frame) {
    const pending = frame.pending;
    if (pending === null) return;
    frame.pending = null;
    for (let k = 0; k < pending.length; k += 2) {
      const list = splitNames(pending[k]);
      const values = pending[k + 1];
      for (let i = 0; i < list.length; i++) storeRaw(frame, list[i], values[i]);
    }
  }

  function frameId(frame) {
    if (frame.id < 0) {
      frame.id = nextFrameId++;
      record(['F', frame.id, frame.scope, frame.depth]);
    }
    return frame.id;
  }

  const namesCache = new Map();
  /** "a,b" -> ['a', 'b'], without String.prototype.split (which the program may have replaced). */
  function split(names) {
    const list = [];
    if (names === '') return list;
    let from = 0;
    for (let at = StringIndexOf(names, ','); at >= 0; at = StringIndexOf(names, ',', from)) {
      append(list, StringSlice(names, from, at));
      from = at + 1;
    }
    append(list, StringSlice(names, from));
    return list;
  }
  function splitNames(names) {
    let list = MapGet(namesCache, names);
    if (list === undefined) MapSet(namesCache, names, (list = split(names)));
    return list;
  }

  /** The names as JSON object keys ('"a":'), for event lines. */
  const keysCache = new Map();
  function jsonKeys(names) {
    let keys = MapGet(keysCache, names);
    if (keys === undefined) {
      const list = splitNames(names);
      keys = [];
      for (let i = 0; i < list.length; i++) append(keys, stringify(list[i]) + ':');
      MapSet(keysCache, names, keys);
    }
    return keys;
  }

  /**
   * An encoded value as an event writes it: a number, boolean or null whose
   * repr is its own JSON text stands for {repr, json} (most values in long
   * traces; the decoder expands them), anything else is {repr, json}.
   */
  function valueJson(enc) {
    const json = enc.json;
    if (typeof json === 'number' || typeof json === 'boolean' || json === null) {
      const text = stringify(json);
      if (text === enc.repr) return text;
    }
    return stringify(enc);
  }

  /** Values that cannot change without the binding changing: compare by identity. */
  const isArray = Array.isArray;
  const isStable = (v) => v === null || (typeof v !== 'object') || isProxy(v);

  function encode(v) {
    const out = encodeValue(v);
    if (out.cut && !valueCut) {
      valueCut = true;
      record(['L', 'value_size']);
    }
    return { repr: out.repr, json: out.json };
  }

  function noteCap() {
    if (eventsCapped) return;
    eventsCapped = true;
    record(['L', 'events']);
    flush(); // nothing more is recorded for a while: a run killed later keeps its trace
  }

  const moduleFrame = new Frame('<module>', 0);
  let moduleGetter = null;
  const pendingFinals = new Map(); // scope -> {frame, vars | null (encode at end)}

  const runtime = ObjectFreeze({
    /** Frame entry. Suspendable (async/generator) frames do not count toward depth. */
    e(scope, suspendable) {
      const frame = new Frame(scope, liveDepth + 1);
      if (!suspendable) liveDepth++;
      frame.suspendable = !!suspendable;
      return frame;
    },

    /** Probe: `names` is "a,b", `values` the current values of those bindings. */
    p(frame, id, names, values) {
      try {
        seq++;
        frame.lastSeq = seq;
        if (events >= maxEvents) {
          noteCap();
          keep(frame, names, values);
          return;
        }
        const vals = frame.vals ?? (frame.vals = new Map());
        const list = splitNames(names);
        let changed = ''; // the event's variables, as the JSON members '"a":{...},"b":{...}'
        for (let i = 0; i < list.length; i++) {
          const name = list[i];
          const v = values[i];
          const slot = MapGet(vals, name);
          if (slot !== undefined && slot.enc !== null && same(slot.raw, v)) {
            if (isStable(v)) continue;
            // The same array of primitives, items unchanged: skip encoding it.
            if (slot.shadow !== null && matchesShadow(v, slot.shadow)) continue;
          }
          const enc = encode(v);
          const shadow = isArray(v) ? arrayShadow(v, DEFAULTS.maxItems) : null;
          if (slot !== undefined && slot.enc !== null && slot.enc.repr === enc.repr) {
            slot.raw = v;
            slot.shadow = shadow;
            continue;
          }
          MapSet(vals, name, { raw: v, enc, shadow });
          changed += (changed === '' ? '' : ',') + jsonKeys(names)[i] + valueJson(enc);
        }
        events++;
        const fid = frameId(frame); // may record the frame's F first
        // Written directly: no vars object for JSON.stringify to walk (its slow path for null prototypes).
        recordLine('["E",' + id + ',' + fid + ',{' + changed + '}]');
      } catch { /* never disturb the program */ }
    },

    /** Frame exit (from a finally): `values` are the params and vars, always initialised there. */
    x(frame, names, values) {
      try {
        if (!frame.suspendable) liveDepth--;
        if (events >= maxEvents) {
          // Primitives are encoded at the end, and only for the last exit of
          // each scope; objects now, as later code may change them.
          keep(frame, names, values);
          MapSet(pendingFinals, frame.scope, { frame, vars: holdsOnlyStable(frame) ? null : snapshot(frame) });
          return;
        }
        const list = splitNames(names);
        for (let i = 0; i < list.length; i++) storeRaw(frame, list[i], values[i]);
        MapSet(pendingFinals, frame.scope, { frame, vars: snapshot(frame) });
      } catch { /* never disturb the program */ }
    },

    /** Registered by the module epilogue: reads module bindings when the program ends. */
    m(names, getter) {
      moduleGetter = { names, getter };
    },

    /** Call-style `call` input: the value of the call expression. */
    ret(value) {
      settleReturn(value);
    },

    /** Call-style `fn_name` input: a top-level function, else a method of class Solution. */
    fn(topLevel, solution) {
      const args = JSONParse(argsJson);
      const name = job.input.fn_name;
      if (typeof topLevel === 'function') return settleReturn(apply(topLevel, undefined, args));
      const method = typeof solution === 'function' ? findMethod(solution.prototype, name) : undefined;
      if (typeof method === 'function') {
        const instance = new solution();
        return settleReturn(apply(method, instance, args));
      }
      const exported = env.exportsOf();
      const d = exported !== null && typeof exported === 'object' ? ownDesc(exported, name) : undefined;
      const fromExports = d !== undefined && isData(d) ? d.value : undefined;
      if (typeof fromExports === 'function') return settleReturn(apply(fromExports, undefined, args));
      throw new ReferenceError(`${name} is not defined (neither a top-level function nor a method of class Solution)`);
    },
  });

  function findMethod(proto, name) {
    for (let p = proto, hops = 0; p !== null && p !== ObjectProto && hops < 50; p = getProto(p), hops++) {
      if (isProxy(p)) return undefined;
      const d = ownDesc(p, name);
      if (d !== undefined) return isData(d) ? d.value : undefined;
    }
    return undefined;
  }

  function storeRaw(frame, name, v) {
    if (frame.vals === null) frame.vals = new Map();
    const slot = MapGet(frame.vals, name);
    if (slot === undefined) MapSet(frame.vals, name, { raw: v, enc: null, shadow: null });
    else if (!(same(slot.raw, v) && isStable(v))) { slot.raw = v; slot.enc = null; slot.shadow = null; }
  }

  /** Full variables of a frame now; reuses encodings no later probe could have made stale. */
  function snapshot(frame) {
    settle(frame);
    const fresh = frame.lastSeq === seq;
    const vars = ObjectCreate(null);
    if (frame.vals === null) return vars;
    const it = MapEntries(frame.vals);
    for (let step = MapIteratorNext(it); !step.done; step = MapIteratorNext(it)) {
      const name = step.value[0];
      const slot = step.value[1];
      if (slot.enc === null || !(fresh || isStable(slot.raw))) {
        slot.enc = encode(slot.raw);
        slot.shadow = null;
      }
      vars[name] = slot.enc;
    }
    return vars;
  }

  function writePendingFinals() {
    if (MapSize(pendingFinals) === 0) return;
    const items = [];
    const it = MapValues(pendingFinals);
    for (let step = MapIteratorNext(it); !step.done; step = MapIteratorNext(it)) if (step.value.vars !== null) append(items, step.value);
    for (let i = 0; i < items.length; i++) {
      const item = items[i];
      MapDelete(pendingFinals, item.frame.scope);
      buffer += stringify(['X', frameIdQuiet(item.frame), item.frame.scope, item.vars]) + '\n';
    }
  }

  /** frameId without re-entering flush (record may flush). */
  function frameIdQuiet(frame) {
    if (frame.id < 0) {
      frame.id = nextFrameId++;
      buffer += stringify(['F', frame.id, frame.scope, frame.depth]) + '\n';
    }
    return frame.id;
  }

  // -------------------------------------------------------------- outcome

  let returned = null;
  let exception = null;
  let ended = false;
  let started = false; // the program's code began to run

  function settleReturn(value) {
    if (isPromise(value)) {
      // Follow the promise like `await` would; a rejection stays an unhandled rejection.
      PromiseThen(value, (v) => { returned = encode(v); }, (err) => { throw err; });
    } else {
      returned = encode(value);
    }
  }

  function noteException(err, phase) {
    try {
      const { type, message } = describeThrown(err, encodeValue);
      const esm = phase === 'compile' && RegExpExec(/import statement outside a module|^Unexpected token 'export'/, message) !== null;
      exception = {
        type,
        message: esm ? `ES module syntax is not supported: ${message}` : message,
        line: thrownLine(err, filename),
        phase,
      };
    } catch {
      exception = { type: 'unknown', message: '', line: null, phase };
    }
  }

  /** An uncaught error of the running program (not after a compile/call failure). */
  function noteUncaught(err) {
    if (!(exception && exception.phase !== 'run')) noteException(err, 'run');
  }

  /** The program ends: module finals, pending finals, then the sealed END. */
  function finish() {
    if (ended) return;
    ended = true;
    try {
      if (job.mode === 'trace' && started) finishModule();
      const it = MapValues(pendingFinals);
      for (let step = MapIteratorNext(it); !step.done; step = MapIteratorNext(it)) if (step.value.vars === null) step.value.vars = snapshot(step.value.frame);
      writePendingFinals();
      flush();
      const end = seal !== null ? { return: returned, exception, events, seal, bytes: written } : { return: returned, exception, events };
      buffer += stringify(['END', end]) + '\n';
    } catch { /* keep the exit code of the program */ }
    flush();
  }

  function finishModule() {
    settle(moduleFrame);
    if (moduleGetter) {
      const values = moduleGetter.getter();
      const list = splitNames(moduleGetter.names);
      for (let i = 0; i < list.length; i++) storeRaw(moduleFrame, list[i], values[i]);
    }
    moduleFrame.lastSeq = -1; // the event loop may have changed anything since
    MapSet(pendingFinals, '<module>', { frame: moduleFrame, vars: snapshot(moduleFrame) });
  }

  return {
    runtime,
    moduleFrame,
    flush,
    finish,
    noteException,
    noteUncaught,
    markStarted() { started = true; },
    FLUSH_MS,
  };
}

/**
 * The named limits of a job, each a number. The tool sends every limit with
 * every job (their defaults live in src/run/limits.ts only): a missing one is
 * a protocol error, never a silent default of the tracer's own.
 */
function requireLimits(job, names) {
  const limits = job && job.limits;
  const out = ObjectCreate(null);
  for (let i = 0; i < names.length; i++) {
    const value = limits ? limits[names[i]] : undefined;
    if (typeof value !== 'number' || !(value >= 0)) {
      throw new TypeError(`protocol error: the job has no limits.${names[i]} (the tool sends every limit with every job)`);
    }
    out[names[i]] = value;
  }
  return out;
}

// The program sees node's own CommonJS wrapper: these five parameters, an `arguments` of five. The
// tracer's runtime (`__ct$`, `__ct$f`), when the code uses it, is a binding of an enclosing function.
const PARAMS = ['exports', 'require', 'module', '__filename', '__dirname'];
const RUNTIME = ['__ct$', '__ct$f'];

/** Code appended to the program for call-style inputs. */
function entryEpilogue(input) {
  if (!input || input.kind === 'stdin') return '';
  if (input.kind === 'call') return `\n;__ct$.ret((${input.call}\n));`;
  const name = input.fn_name;
  const read = (id) => `(typeof ${id}==="undefined"?undefined:${id})`;
  return `\n;__ct$.fn(${read(name)},${read('Solution')});`;
}

/** What runs, and whether it needs the runtime (traced code, a call-style entry). */
function programOf(job) {
  const traced = job.mode === 'trace' && typeof job.instrumented === 'string';
  const epilogue = entryEpilogue(job.input);
  return { code: (traced ? job.instrumented : job.source) + epilogue, runtime: traced || epilogue !== '' };
}

module.exports = { createTracer, programOf, requireLimits, PARAMS, RUNTIME };
