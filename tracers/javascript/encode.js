'use strict';
/**
 * JavaScript value encoder: value -> {repr, json} (table in tracers/README.md).
 *
 * It never runs user code. Properties are read through
 * Object.getOwnPropertyDescriptor (accessors are reported, never called);
 * toJSON / toString / valueOf / Symbol.toPrimitive / Symbol.iterator of user
 * objects are never used; Map, Set, Date, RegExp and typed-array internals are
 * read with built-ins captured when this module loads (before user code can
 * patch them); Proxies are detected with util.types.isProxy and never touched.
 *
 * `repr` canonical form (single line, deterministic, close to util.inspect):
 *   undefined  null  true  42  -0  NaN  Infinity  -Infinity  1.5  12n
 *   strings    'it' ; "it's" ; `both ' and "` (util.inspect's quote choice),
 *              escapes \n \t \r \b \f \v \\ \xHH, lone surrogates \uXXXX;
 *              cut: 'abc'... 9997 more characters
 *   Symbol(desc)
 *   arrays     [ 1, 'a' ] ; [] ; holes <1 empty item> / <3 empty items>;
 *              cut: [ 1, 2, ... 98 more items ] ; subclass: MyArr(2) [ 1, 2 ]
 *   objects    { a: 1, 'b-c': 2, [Symbol(k)]: 3 } ; {} ; class instance Foo { x: 1 } ;
 *              [Object: null prototype] { a: 1 } ; accessor [Getter] [Setter] [Getter/Setter]
 *   Map(2) { 'a' => 1, 'b' => 2 }   Set(2) { 1, 2 }   Uint8Array(2) [ 1, 2 ]
 *   2020-01-01T00:00:00.000Z (Date) ; Invalid Date ; /ab+/gi ; [TypeError: message]
 *   [Function: f] [Function (anonymous)] [class A] [AsyncFunction: f] [GeneratorFunction: g]
 *   Object [Generator] {}   [Proxy]   [Circular]   [Object] / [Array] (depth cap)
 *   [module fs] (a built-in module object)   WeakMap { <items unknown> }
 *   other built-ins: ClassName { <opaque> } (streams, readline interfaces, promises...)
 * Caps: strings over maxString chars, collections over maxItems entries, nesting
 * over maxDepth, and a total budget of maxChars repr characters per value
 * (items past the budget become "... N more items"). Every cut sets `cut`.
 *
 * Only built-ins saved before the program ran are used (intrinsics.js), so a
 * program that replaces Map.prototype.get or Array.prototype.push changes
 * itself, not its record.
 */
const {
  ownDesc, isData, append, getProto, isArray, ObjectKeys: ownKeys, ownSymbols, ObjectIs, ObjectCreate, BigIntToString, String, Set, MathMin,
  SetHas, SetAdd, SetDelete, SetClear, StringSlice,
} = require('./intrinsics.js');
const {
  T, call, getter, matches, tagModule, moduleNameOf, quote, className, numberValue, functionValue, leafObject,
  describeThrown, thrownLine,
} = require('./encode-leaves.js');

const ObjectProto = Object.prototype;
const mapEntries = Map.prototype.entries;
const mapIterNext = getProto(new Map().entries()).next;
const mapSize = getter(Map.prototype, 'size');
const setValues = Set.prototype.values;
const setIterNext = getProto(new Set().values()).next;
const setSize = getter(Set.prototype, 'size');
const TypedArrayProto = getProto(Uint8Array.prototype);
const typedTag = getter(TypedArrayProto, Symbol.toStringTag);
const typedLength = getter(TypedArrayProto, 'length');
const symbolDescription = getter(Symbol.prototype, 'description');
// maxChars, the job's max_value_chars, has no default here: the caller gives it (tracer.js).
const DEFAULTS = { maxDepth: 10, maxItems: 100, maxString: 1000 };
/** Longer strings are recorded by length alone (see str). */
const HUGE_STRING = 1 << 24;
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

function createEncoder(options) {
  const opts = { ...DEFAULTS, ...options }; // (made before the program runs)
  if (!(opts.maxChars > 0)) throw new TypeError('createEncoder: maxChars (the job\'s max_value_chars) is required');
  let budget = 0; // repr characters still allowed for the current value
  let cut = false;
  const path = new Set(); // objects on the current path, for cycles

  const spend = (text) => { budget -= text.length; return text; };
  const outOfBudget = () => budget <= 0;

  function str(s) {
    if (s.length <= opts.maxString) return { repr: spend(quote(s)), json: s };
    cut = true;
    if (s.length > HUGE_STRING) {
      // Reading any character of a string built by concatenation makes V8 copy it whole
      // (a 256 MB string, traced, would run out of memory where the plain run does not).
      return { repr: spend(`<string of ${s.length} characters>`), json: { $type: 'str', length: s.length } };
    }
    const prefix = StringSlice(s, 0, opts.maxString);
    return {
      repr: spend(`${quote(prefix)}... ${s.length - opts.maxString} more characters`),
      json: { $type: 'str', prefix, length: s.length },
    };
  }

  /** A BigInt within the string cap in decimal; beyond it, its size in bits (its hex digits cost
   * linear time, its decimal ones quadratic: 7n ** 2000000n takes seconds to print). */
  function bigint(v) {
    const hex = BigIntToString(v < 0n ? -v : v, 16);
    const bits = hex.length * 4 - (hex[0] === '1' ? 3 : hex[0] < '4' ? 2 : hex[0] < '8' ? 1 : 0);
    if (bits * 0.30103 < opts.maxString) return { repr: `${v}n`, json: { $type: 'bigint', value: String(v) } };
    cut = true;
    const sign = v < 0n ? '-' : '';
    return { repr: spend(`${sign}<bigint with ${bits} bits>`), json: { $type: 'bigint', bits, negative: v < 0n } };
  }

  function primitive(v) {
    switch (typeof v) {
      case 'undefined': return { repr: 'undefined', json: { $type: 'undefined' } };
      case 'boolean': return { repr: String(v), json: v };
      case 'number': return numberValue(v);
      case 'bigint': return bigint(v);
      case 'string': return str(v);
      case 'symbol': {
        const description = call(symbolDescription, v);
        return { repr: `Symbol(${description ?? ''})`, json: { $type: 'symbol', description: description ?? null } };
      }
      default: return null; // object or function
    }
  }

  function value(v, depth) {
    budget -= 2; // the separator or brackets around this item
    if (v === null) return { repr: 'null', json: null };
    const p = primitive(v);
    if (p) { if (typeof v !== 'string') spend(p.repr); return p; }
    if (T.isProxy(v)) return { repr: spend('[Proxy]'), json: { $type: 'proxy' } };
    const moduleName = moduleNameOf(v);
    if (moduleName !== undefined) return { repr: spend(`[module ${moduleName}]`), json: { $type: 'module', name: moduleName } };
    if (typeof v === 'function') { const f = functionValue(v); spend(f.repr); return f; }
    if (SetHas(path, v)) return { repr: spend('[Circular]'), json: { $type: 'cycle' } };
    const leaf = leafObject(v, primitive);
    if (leaf) { spend(leaf.repr); return leaf; }
    if (depth >= opts.maxDepth) {
      cut = true;
      return { repr: spend(isArray(v) ? '[Array]' : '[Object]'), json: { $type: 'depth' } };
    }
    SetAdd(path, v);
    try {
      return container(v, depth + 1);
    } finally {
      SetDelete(path, v);
    }
  }

  function container(v, depth) {
    if (T.isTypedArray(v)) return typedArray(v, depth);
    if (T.isMap(v)) return mapValue(v, depth);
    if (T.isSet(v)) return setValue(v, depth);
    if (isArray(v)) return arrayValue(v, depth);
    return objectValue(v, depth);
  }

  /** `... N more items` marker, shared by every collection: appended to json, its repr returned. */
  function more(count, json) {
    cut = true;
    append(json, { $type: 'more', count });
    return spend(`... ${count} more item${count === 1 ? '' : 's'}`);
  }

  // A collection's item reprs are joined as they come (reprs are never empty): `open a, b close`.
  const join = (inner, repr) => (inner === '' ? repr : inner + ', ' + repr);
  const wrap = (open, inner, close) => (inner === '' ? `${open}${close}` : `${open} ${inner} ${close}`);

  function arrayValue(arr, depth) {
    const length = arr.length; // own data property of a real array, never a getter
    let reprs = '';
    const json = [];
    let holes = 0;
    const flushHoles = () => {
      if (holes === 0) return;
      reprs = join(reprs, spend(`<${holes} empty item${holes === 1 ? '' : 's'}>`));
      append(json, { $type: 'hole', count: holes });
      holes = 0;
    };
    let i = 0;
    for (; i < length && i < opts.maxItems && !outOfBudget(); i++) {
      const d = ownDesc(arr, i);
      if (d === undefined) { holes++; continue; }
      flushHoles();
      const item = isData(d) ? value(d.value, depth) : accessor(d);
      reprs = join(reprs, item.repr);
      append(json, item.json);
    }
    flushHoles();
    if (i < length) reprs = join(reprs, more(length - i, json));
    const name = className(arr);
    const prefix = name && name !== 'Array' ? `${name}(${length}) [` : '[';
    return { repr: wrap(prefix, reprs, ']'), json };
  }

  function typedArray(ta, depth) {
    const cls = className(ta) ?? call(typedTag, ta); // Buffer, else the built-in tag
    const length = call(typedLength, ta);
    let reprs = '';
    const items = [];
    let i = 0;
    for (; i < length && i < opts.maxItems && !outOfBudget(); i++) {
      const item = value(ta[i], depth); // integer-indexed element: no user code
      reprs = join(reprs, item.repr);
      append(items, item.json);
    }
    if (i < length) reprs = join(reprs, more(length - i, items));
    return { repr: wrap(`${cls}(${length}) [`, reprs, ']'), json: { $type: 'typedarray', class: cls, items } };
  }

  function mapValue(m, depth) {
    const size = call(mapSize, m);
    const it = call(mapEntries, m);
    let reprs = '';
    const entries = [];
    let i = 0;
    for (; i < size && i < opts.maxItems && !outOfBudget(); i++) {
      const step = call(mapIterNext, it);
      if (step.done) break;
      const k = value(step.value[0], depth);
      const val = value(step.value[1], depth);
      reprs = join(reprs, spend(`${k.repr} => ${val.repr}`));
      append(entries, [k.json, val.json]);
    }
    if (i < size) reprs = join(reprs, more(size - i, entries));
    return { repr: wrap(`${mapPrefix('Map', m)}(${size}) {`, reprs, '}'), json: { $type: 'map', entries } };
  }

  function setValue(s, depth) {
    const size = call(setSize, s);
    const it = call(setValues, s);
    let reprs = '';
    const items = [];
    let i = 0;
    for (; i < size && i < opts.maxItems && !outOfBudget(); i++) {
      const step = call(setIterNext, it);
      if (step.done) break;
      const item = value(step.value, depth);
      reprs = join(reprs, item.repr);
      append(items, item.json);
    }
    if (i < size) reprs = join(reprs, more(size - i, items));
    return { repr: wrap(`${mapPrefix('Set', s)}(${size}) {`, reprs, '}'), json: { $type: 'set', items } };
  }

  function mapPrefix(base, obj) {
    const name = className(obj);
    return name && name !== base ? `${name} [${base}]` : base;
  }

  function accessor(d) {
    const label = d.get && d.set ? '[Getter/Setter]' : d.get ? '[Getter]' : '[Setter]';
    return { repr: spend(label), json: { $type: 'getter' } };
  }

  function keyRepr(key) {
    if (typeof key === 'symbol') return `[${primitive(key).repr}]`;
    return matches(IDENTIFIER, key) ? key : quote(key);
  }

  function objectValue(obj, depth) {
    const proto = getProto(obj);
    const name = proto === null ? null : className(obj);
    const plain = proto === null || proto === ObjectProto;
    // Object.keys is the only trap-free way to list keys; it is linear in the
    // object's size (about 0.1 s for 1e6 keys), the visit below is capped.
    const keys = ownKeys(obj);
    const symbols = ownSymbols(obj);
    let reprs = '';
    const attrs = ObjectCreate(null); // a '__proto__' key stays a plain key
    let tagged = !plain;
    let visited = 0;
    const total = keys.length + symbols.length;
    for (let k = 0; k < keys.length; k++) {
      const key = keys[k];
      if (visited >= opts.maxItems || outOfBudget()) break;
      visited++;
      const d = ownDesc(obj, key);
      if (d === undefined) continue;
      const item = isData(d) ? value(d.value, depth) : accessor(d);
      reprs = join(reprs, spend(`${keyRepr(key)}: `) + item.repr);
      if (key === '$type') tagged = true;
      attrs[key] = item.json;
    }
    for (let k = 0; k < symbols.length; k++) {
      const sym = symbols[k];
      if (visited >= opts.maxItems || outOfBudget()) break;
      const d = ownDesc(obj, sym);
      if (d === undefined || !d.enumerable) continue;
      visited++;
      const item = isData(d) ? value(d.value, depth) : accessor(d);
      reprs = join(reprs, spend(`${keyRepr(sym)}: `) + item.repr);
    }
    const rest = [];
    if (visited < total) {
      reprs = join(reprs, more(total - visited, rest));
      attrs['...'] = rest[0];
    }
    const open = proto === null ? '[Object: null prototype] {' : plain ? '{' : `${name ?? 'Object'} {`;
    const repr = wrap(open, reprs, '}');
    if (!tagged) return { repr, json: attrs };
    return { repr, json: { $type: 'object', class: plain ? 'Object' : name ?? 'Object', attrs } };
  }

  /** Encode one value; `cut` tells whether any cap was applied. */
  return function encode(v) {
    budget = opts.maxChars;
    cut = false;
    SetClear(path);
    const out = value(v, 0);
    if (out.repr.length > opts.maxChars + 200) {
      cut = true;
      out.repr = StringSlice(out.repr, 0, opts.maxChars) + '...';
    }
    return { repr: out.repr, json: out.json, cut };
  };
}

/**
 * A cheap witness that an array still encodes as it did: its prototype,
 * length and first maxItems items (everything arrayValue reads), kept when
 * those items are all primitives. Read through descriptors, so no getter
 * runs; null for proxies, accessors, holes and arrays holding objects.
 */
function arrayShadow(arr, maxItems) {
  if (!isArray(arr) || T.isProxy(arr)) return null;
  const n = MathMin(arr.length, maxItems);
  const items = [];
  for (let i = 0; i < n; i++) {
    const d = ownDesc(arr, i);
    if (d === undefined || !isData(d)) return null;
    const v = d.value;
    if (v !== null && (typeof v === 'object' || typeof v === 'function')) return null;
    append(items, v);
  }
  return { proto: getProto(arr), length: arr.length, items };
}

/** True when arr (the array arrayShadow saw) would still encode the same. */
function matchesShadow(arr, shadow) {
  if (arr.length !== shadow.length || getProto(arr) !== shadow.proto) return false;
  const items = shadow.items;
  for (let i = 0; i < items.length; i++) {
    const d = ownDesc(arr, i);
    if (d === undefined || !isData(d) || !ObjectIs(d.value, items[i])) return false;
  }
  return true;
}

module.exports = { createEncoder, describeThrown, thrownLine, tagModule, quote, arrayShadow, matchesShadow, DEFAULTS, HUGE_STRING };
