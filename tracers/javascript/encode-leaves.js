'use strict';
/** Values the encoder (encode.js) writes whole, without visiting children (quoting, numbers, functions, dates, errors, boxed and opaque built-ins), the class-name lookups they share, and thrown values. */
const util = require('node:util');
const EventEmitter = require('node:events');
const {
  ownDesc, isData, getProto, ObjectIs, NumberIsFinite, NumberIsNaN, NumberToString, String, RegExp, WeakMap, WeakMapGet, WeakMapSet,
  StringSlice, StringIncludes, StringStartsWith, StringIndexOf, StringCharCodeAt, StringPadStart, StringToUpperCase, RegExpExec,
} = require('./intrinsics.js');

const T = { ...util.types }; // a copy: the program may replace members of util.types
const ErrorProto = Error.prototype;
const EmitterProto = EventEmitter.prototype;
const call = Function.prototype.call.bind(Function.prototype.call);
const getter = (proto, name) => ownDesc(proto, name).get;

const fnToString = Function.prototype.toString;
const dateGetTime = Date.prototype.getTime;
const dateToISO = Date.prototype.toISOString;
const regexpSource = getter(RegExp.prototype, 'source');
const REGEXP_FLAGS = [
  ['hasIndices', 'd'], ['global', 'g'], ['ignoreCase', 'i'], ['multiline', 'm'],
  ['dotAll', 's'], ['unicode', 'u'], ['unicodeSets', 'v'], ['sticky', 'y'],
].filter(([name]) => ownDesc(RegExp.prototype, name)).map(([name, flag]) => [getter(RegExp.prototype, name), flag]);
const arrayBufferByteLength = getter(ArrayBuffer.prototype, 'byteLength');
// Timer handles are Node internals: opaque, like streams.
const timerProtos = (() => {
  const timeout = setTimeout(() => {}, 0);
  const immediate = setImmediate(() => {});
  clearTimeout(timeout);
  clearImmediate(immediate);
  return [getProto(timeout), getProto(immediate)];
})();
const BOXED = [
  [T.isNumberObject, Number.prototype.valueOf, 'Number'],
  [T.isStringObject, String.prototype.valueOf, 'String'],
  [T.isBooleanObject, Boolean.prototype.valueOf, 'Boolean'],
  [T.isBigIntObject, BigInt.prototype.valueOf, 'BigInt'],
  [T.isSymbolObject, Symbol.prototype.valueOf, 'Symbol'],
];

/** test() without RegExp.prototype.test / exec as the program left them. */
const matches = (re, s) => RegExpExec(re, s) !== null;
/** Objects returned by require() of a built-in module, tagged by the runner. */
const moduleNames = new WeakMap();
function tagModule(value, name) {
  if (value !== null && (typeof value === 'object' || typeof value === 'function')) WeakMapSet(moduleNames, value, name);
}

/** The name a built-in module object was tagged with, or undefined. */
const moduleNameOf = (v) => WeakMapGet(moduleNames, v);

function quote(s) {
  let q = "'";
  if (StringIncludes(s, "'")) {
    if (!StringIncludes(s, '"')) q = '"';
    else if (!StringIncludes(s, '`') && !StringIncludes(s, '${')) q = '`';
  }
  let out = q;
  for (let i = 0; i < s.length; i++) {
    const c = StringCharCodeAt(s, i);
    const ch = s[i];
    if (ch === q || ch === '\\') out += '\\' + ch;
    else if (c < 0x20 || c === 0x7f) out += ESCAPES[c] || '\\x' + StringPadStart(StringToUpperCase(NumberToString(c, 16)), 2, '0');
    else if (c >= 0xd800 && c <= 0xdfff) {
      const next = StringCharCodeAt(s, i + 1);
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) { out += ch + s[i + 1]; i++; }
      else out += '\\u' + StringToUpperCase(NumberToString(c, 16));
    } else out += ch;
  }
  return out + q;
}
const ESCAPES = { __proto__: null, 8: '\\b', 9: '\\t', 10: '\\n', 11: '\\v', 12: '\\f', 13: '\\r' };

function numberValue(n) {
  if (ObjectIs(n, -0)) return { repr: '-0', json: { $type: 'float', value: '-0' } };
  if (NumberIsFinite(n)) return { repr: String(n), json: n };
  const text = String(n); // NaN, Infinity, -Infinity
  return { repr: text, json: { $type: 'float', value: text } };
}

/** Data value of an own property, or undefined; never calls an accessor. */
function dataValue(obj, key) {
  const d = ownDesc(obj, key);
  return d !== undefined && isData(d) ? d.value : undefined;
}

/** Constructor name along the prototype chain, read from descriptors only. */
function className(obj) {
  let p = getProto(obj);
  for (let hops = 0; p !== null && hops < 100; hops++) {
    if (T.isProxy(p)) return 'Proxy';
    const ctor = dataValue(p, 'constructor');
    if (typeof ctor === 'function' && !T.isProxy(ctor)) {
      const name = dataValue(ctor, 'name');
      if (typeof name === 'string' && name) return name;
    }
    p = getProto(p);
  }
  return null;
}

function protoChainHas(obj, target) {
  let p = getProto(obj);
  for (let hops = 0; p !== null && hops < 100; hops++) {
    if (p === target) return true;
    if (T.isProxy(p)) return false;
    p = getProto(p);
  }
  return false;
}

function functionValue(fn) {
  const named = dataValue(fn, 'name');
  const name = typeof named === 'string' ? named : '';
  let source = '';
  try { source = StringSlice(call(fnToString, fn), 0, 6); } catch { /* revoked or exotic */ }
  if (StringStartsWith(source, 'class') && matches(/^class\b/, source)) {
    return { repr: name ? `[class ${name}]` : '[class (anonymous)]', json: { $type: 'class', name } };
  }
  const kind = T.isGeneratorFunction(fn) ? (T.isAsyncFunction(fn) ? 'AsyncGeneratorFunction' : 'GeneratorFunction')
    : T.isAsyncFunction(fn) ? 'AsyncFunction' : 'Function';
  return { repr: name ? `[${kind}: ${name}]` : `[${kind} (anonymous)]`, json: { $type: 'function', name } };
}

/** Objects that are encoded whole, without visiting children; null for others. `primitive` encodes a boxed value's primitive. */
function leafObject(v, primitive) {
  if (T.isDate(v)) {
    const time = call(dateGetTime, v);
    if (NumberIsNaN(time)) return { repr: 'Invalid Date', json: { $type: 'date', iso: null } };
    const iso = call(dateToISO, v);
    return { repr: iso, json: { $type: 'date', iso } };
  }
  if (T.isRegExp(v)) {
    const source = call(regexpSource, v);
    let flags = '';
    for (let i = 0; i < REGEXP_FLAGS.length; i++) if (call(REGEXP_FLAGS[i][0], v)) flags += REGEXP_FLAGS[i][1];
    return { repr: `/${source}/${flags}`, json: { $type: 'regexp', source, flags } };
  }
  if (T.isNativeError(v) || protoChainHas(v, ErrorProto)) {
    const name = errorName(v);
    const m = dataValue(v, 'message');
    const message = typeof m === 'string' ? m : '';
    return { repr: message ? `[${name}: ${message}]` : `[${name}]`, json: { $type: 'error', name, message } };
  }
  for (let i = 0; i < BOXED.length; i++) {
    const test = BOXED[i][0];
    const valueOf = BOXED[i][1];
    const name = BOXED[i][2];
    if (test(v)) {
      const inner = primitive(call(valueOf, v));
      return { repr: `[${name}: ${inner.repr}]`, json: { $type: 'opaque', name } };
    }
  }
  if (T.isGeneratorObject(v)) return { repr: 'Object [Generator] {}', json: { $type: 'generator', name: '' } };
  if (T.isWeakMap(v) || T.isWeakSet(v)) {
    const name = T.isWeakMap(v) ? 'WeakMap' : 'WeakSet';
    return { repr: `${name} { <items unknown> }`, json: { $type: 'opaque', name } };
  }
  if (T.isAnyArrayBuffer(v)) {
    const name = T.isArrayBuffer(v) ? 'ArrayBuffer' : 'SharedArrayBuffer';
    const size = T.isArrayBuffer(v) ? call(arrayBufferByteLength, v) : dataValue(v, 'byteLength');
    return { repr: `${name} { byteLength: ${size} }`, json: { $type: 'opaque', name } };
  }
  if (T.isPromise(v) || T.isDataView(v) || T.isWeakRef?.(v) || T.isModuleNamespaceObject(v) ||
      T.isMapIterator(v) || T.isSetIterator(v) || protoChainHas(v, EmitterProto) || timerProtos[0] === getProto(v) ||
      timerProtos[1] === getProto(v)) {
    const name = className(v) ?? 'Object';
    return { repr: `${name} { <opaque> }`, json: { $type: 'opaque', name } };
  }
  return null;
}

function errorName(err) {
  for (let o = err, hops = 0; o !== null && hops < 100 && !T.isProxy(o); o = getProto(o), hops++) {
    const n = dataValue(o, 'name');
    if (typeof n === 'string') return n;
  }
  return className(err) ?? 'Error';
}


/** Safe description of a thrown value for the END record: {type, message}. */
function describeThrown(err, encode) {
  if (err !== null && typeof err === 'object' && !T.isProxy(err) && (T.isNativeError(err) || protoChainHas(err, ErrorProto))) {
    const enc = encode(err).json;
    return { type: enc.name, message: enc.message };
  }
  const e = encode(err);
  return { type: typeof err === 'object' && err !== null ? 'Object' : typeof err, message: e.repr };
}

/** Line of the innermost frame of `file` in an error's stack (a data property in V8), or null. */
function thrownLine(err, file) {
  if (err === null || typeof err !== 'object' || T.isProxy(err)) return null;
  const stack = dataValue(err, 'stack');
  if (typeof stack !== 'string') return null;
  // The innermost `file:line` (file names here hold no pattern characters worth escaping but '.').
  let at = StringIndexOf(stack, file + ':');
  if (at < 0) return null;
  at += file.length + 1;
  let line = 0;
  let digits = 0;
  for (let c = StringCharCodeAt(stack, at); c >= 48 && c <= 57; c = StringCharCodeAt(stack, ++at)) { line = line * 10 + (c - 48); digits++; }
  return digits > 0 ? line : null;
}

module.exports = {
  T, call, getter, matches, tagModule, moduleNameOf, quote, dataValue, className, numberValue, functionValue, leafObject,
  describeThrown, thrownLine,
};
