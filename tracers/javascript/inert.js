'use strict';
/**
 * Evaluated INSIDE each warm run's own vm context (worker.js), before the
 * program runs: whether node's formatter (util.format / util.inspect, which
 * live in the worker's realm) or its deep-equality check would, given these
 * values, run none of the program's code and hand it nothing of the worker.
 *
 * Node's formatter calls a custom inspect hook with its own `inspect` and
 * options (whose constructor is the worker's Function: the escape of issue
 * 16), reads `[Symbol.toStringTag]`, a constructor's `name` and
 * `[Symbol.hasInstance]`, a function's `name`, an error's `stack`, the
 * getters behind RegExp#toString, and calls `toString` / `valueOf` / `toJSON`
 * for %s %d %j. When any of these could be the program's own, the run goes
 * to a fresh node, which prints exactly what node prints; so a run never
 * calls into, or receives, anything of the worker's realm.
 *
 * Everything here uses the context's intrinsics as they were before the
 * program started (uncurried), and util.types from the worker (natives that
 * read internal slots and never run JavaScript).
 */

module.exports = function createInertCheck(types) {
  const { isProxy, isNativeError, isRegExp, isMap, isSet, isTypedArray, isPromise, isMapIterator, isSetIterator } = types;
  const call = Function.prototype.call.bind(Function.prototype.call);
  const getProto = Object.getPrototypeOf;
  const ownDesc = Object.getOwnPropertyDescriptor;
  const hasOwn = Object.hasOwn;
  const isData = (d) => hasOwn(d, 'value'); // not `'value' in d`: Object.prototype may have a getter
  const ownKeys = Object.keys;
  const ownSymbols = Object.getOwnPropertySymbols;
  const isArray = Array.isArray;
  const getter = (proto, key) => ownDesc(proto, key).get;
  const SetHas = Set.prototype.has;
  const SetAdd = Set.prototype.add;
  const mapSize = getter(Map.prototype, 'size');
  const mapEntries = Map.prototype.entries;
  const mapNext = getProto(new Map().entries()).next;
  const setSize = getter(Set.prototype, 'size');
  const setValues = Set.prototype.values;
  const setNext = getProto(new Set().values()).next;
  const stringIncludes = String.prototype.includes;
  const charCodeAt = String.prototype.charCodeAt;
  const StringFromCharCode = String.fromCharCode;
  const CUSTOM = Symbol.for('nodejs.util.inspect.custom');
  const TAG = Symbol.toStringTag;
  const HAS_INSTANCE = Symbol.hasInstance;
  const FunctionProto = Function.prototype;
  const ObjectProto = Object.prototype;
  const ArrayProto = Array.prototype;
  const ErrorProto = Error.prototype;
  const MapProto = Map.prototype;
  const SetProto = Set.prototype;
  const typedTag = getter(getProto(Uint8Array.prototype), TAG);
  const typedLength = getter(getProto(Uint8Array.prototype), 'length');
  // RegExp#toString reads these through the prototype: intact, or the program's code would run.
  const REGEXP_KEYS = ['source', 'flags', 'hasIndices', 'global', 'ignoreCase', 'multiline', 'dotAll', 'unicode', 'unicodeSets', 'sticky'];
  const regexpGetters = REGEXP_KEYS.map((key) => ownDesc(RegExp.prototype, key)?.get);
  const RegExpProto = RegExp.prototype;

  const MAX_ITEMS = 100; // util.inspect's maxArrayLength
  const DEPTH = 2; // util.inspect's depth; one level more is still looked at (hooks, names, tags)
  const MAX_LENGTH = 65536; // longer arrays: listing their extra keys costs O(length), a fresh node is cheaper
  const MAX_NODES = 100000; // deep equality over more goes to a fresh node

  /** Whether anything along obj's prototype chain is a hook node's formatter reads (or a Proxy). */
  function chainHook(obj) {
    for (let o = obj, hops = 0; o !== null; o = getProto(o), hops++) {
      if (isProxy(o) || hops > 1000) return true;
      if (ownDesc(o, CUSTOM) !== undefined) return true;
      const tag = ownDesc(o, TAG);
      if (tag !== undefined && !isData(tag) && tag.get !== typedTag) return true;
      const ctor = ownDesc(o, 'constructor');
      if (ctor !== undefined && isData(ctor) && typeof ctor.value === 'function' && !constructorInert(ctor.value)) return true;
    }
    return false;
  }

  /** node reads a constructor's name and tests `instanceof` with it. */
  function constructorInert(fn) {
    if (!namesInert(fn)) return false;
    const proto = ownDesc(fn, 'prototype');
    if (proto === undefined || !isData(proto)) return false; // bound functions, arrows: lookups we do not follow
    for (let o = fn; o !== null; o = getProto(o)) {
      if (isProxy(o)) return false;
      if (ownDesc(o, HAS_INSTANCE) !== undefined) return o === FunctionProto; // non-writable there
    }
    return true;
  }

  /** Every `name` along a function's chain is a data property (node reads its own and its parent's). */
  function namesInert(fn) {
    for (let o = fn, hops = 0; o !== null; o = getProto(o), hops++) {
      if (isProxy(o) || hops > 1000) return false;
      const d = ownDesc(o, 'name');
      if (d !== undefined && !isData(d)) return false;
    }
    return true;
  }

  function protoChainHas(obj, target) {
    for (let p = getProto(obj); p !== null; p = getProto(p)) if (p === target) return true;
    return false;
  }

  function regexpInert(re) {
    if (getProto(re) !== RegExpProto) return false;
    for (let i = 0; i < REGEXP_KEYS.length; i++) {
      if (ownDesc(re, REGEXP_KEYS[i]) !== undefined) return false;
      if (ownDesc(RegExpProto, REGEXP_KEYS[i])?.get !== regexpGetters[i]) return false;
    }
    return true;
  }

  /** A data property's value is visited; an accessor is shown as [Getter] and never called. */
  function visitKey(obj, key, level, seen) {
    const d = ownDesc(obj, key);
    return d === undefined || !isData(d) || visit(d.value, level, seen);
  }

  /** Whether util.inspect(v) at this nesting level runs nothing of the program. */
  function visit(v, level, seen) {
    if (v === null || (typeof v !== 'object' && typeof v !== 'function')) return true;
    if (chainHook(v)) return false;
    if (isNativeError(v) || protoChainHas(v, ErrorProto)) return false; // stack, name, message, cause are read
    if (typeof v === 'function' && !namesInert(v)) return false;
    if (isRegExp(v) && !regexpInert(v)) return false;
    if (isPromise(v) || isMapIterator(v) || isSetIterator(v)) return false; // contents read from internals
    if (level > DEPTH || call(SetHas, seen, v)) return true;
    call(SetAdd, seen, v);
    const next = level + 1;
    if (isArray(v) || isTypedArray(v)) {
      const length = isArray(v) ? v.length : call(typedLength, v);
      if (length > MAX_LENGTH) return false;
      const keys = ownKeys(v); // indices first, then the other keys
      for (let i = 0; i < keys.length; i++) {
        if (i >= MAX_ITEMS && i < length) continue; // items past maxArrayLength are not formatted
        if (!visitKey(v, keys[i], next, seen)) return false;
      }
    } else {
      const keys = ownKeys(v);
      for (let i = 0; i < keys.length; i++) if (!visitKey(v, keys[i], next, seen)) return false;
      if (isMap(v)) {
        const it = call(mapEntries, v);
        const n = call(mapSize, v);
        for (let i = 0; i < n && i < MAX_ITEMS; i++) {
          const step = call(mapNext, it);
          if (step.done) break;
          if (!visit(step.value[0], next, seen) || !visit(step.value[1], next, seen)) return false;
        }
      } else if (isSet(v)) {
        const it = call(setValues, v);
        const n = call(setSize, v);
        for (let i = 0; i < n && i < MAX_ITEMS; i++) {
          const step = call(setNext, it);
          if (step.done) break;
          if (!visit(step.value, next, seen)) return false;
        }
      }
    }
    const symbols = ownSymbols(v);
    for (let i = 0; i < symbols.length; i++) {
      const d = ownDesc(v, symbols[i]);
      if (d !== undefined && d.enumerable && isData(d) && !visit(d.value, next, seen)) return false;
    }
    return true;
  }

  /**
   * util.format(...args) (console.log): as node reads a format string, an
   * object taken by %s %d %i %f %j %o has its toString / valueOf / toJSON or
   * hidden properties read (not followed here: a fresh node runs it); one
   * taken by %O, or left over, is inspected; %c takes one and shows nothing.
   */
  function formattable(args) {
    const first = args[0];
    let from = 0;
    if (typeof first === 'string' && args.length > 1) {
      from = 1;
      for (let i = 0; i < first.length - 1; i++) {
        if (call(charCodeAt, first, i) !== 37) continue; // '%'
        const next = call(charCodeAt, first, ++i);
        if (from === args.length || !call(stringIncludes, 'sjdOoifc', StringFromCharCode(next))) continue;
        const v = args[from++];
        const object = v !== null && (typeof v === 'object' || typeof v === 'function');
        if (object && next !== 79 && next !== 99) return false; // not %O, not %c
        if (next === 79 && !visit(v, 0, new Set())) return false;
      }
    }
    for (let i = from; i < args.length; i++) if (!visit(args[i], 0, new Set())) return false;
    return true;
  }

  /** Plain data only (objects, arrays, Maps, Sets of the context, no accessors, no proxies), for deep equality. */
  function plainData(v, seen, budget) {
    if (v === null || typeof v !== 'object') return typeof v !== 'function';
    if (isProxy(v)) return false;
    if (call(SetHas, seen, v)) return true;
    if (call(setSize, seen) > budget) return false;
    call(SetAdd, seen, v);
    const proto = getProto(v);
    if (proto !== ObjectProto && proto !== ArrayProto && proto !== MapProto && proto !== SetProto && proto !== null) return false;
    if (ownSymbols(v).length > 0) return false;
    const keys = ownKeys(v);
    for (let i = 0; i < keys.length; i++) {
      const d = ownDesc(v, keys[i]);
      if (d === undefined || !isData(d) || !plainData(d.value, seen, budget)) return false;
    }
    if (proto === MapProto || proto === SetProto) {
      const it = proto === MapProto ? call(mapEntries, v) : call(setValues, v);
      const next = proto === MapProto ? mapNext : setNext;
      for (let step = call(next, it); !step.done; step = call(next, it)) {
        const item = step.value;
        if (proto === MapProto ? !plainData(item[0], seen, budget) || !plainData(item[1], seen, budget) : !plainData(item, seen, budget)) return false;
      }
    }
    return true;
  }

  /** Whether assert[name](...args) can be decided without running the program's code. */
  function comparable(name, args) {
    // ToBoolean and Object.is run nothing; a failing assert goes to a fresh node anyway.
    if (name === 'ok' || name === 'strictEqual' || name === 'notStrictEqual') return true;
    const seen = new Set();
    for (let i = 0; i < args.length; i++) {
      const v = args[i];
      if (v !== null && (typeof v === 'object' || typeof v === 'function')) {
        if (name === 'equal' || name === 'notEqual' || !plainData(v, seen, MAX_NODES)) return false;
      }
    }
    return true;
  }

  return { formattable, comparable };
};
