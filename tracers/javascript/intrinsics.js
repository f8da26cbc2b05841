'use strict';
/**
 * The built-ins the tracer uses, saved when the harness loads (before the
 * program runs) and called uncurried, as node's internals use primordials: a
 * program that replaces Map.prototype.get, Array.prototype.push,
 * JSON.stringify or a global changes itself, not its record. Loaded once per
 * realm: the fresh runner's, or each warm run's own vm context.
 *
 * Lists the tracer builds are grown with append (never push) and read with
 * index loops (never an iterator the program can replace). Descriptors are
 * read as own properties only (isData): `'value' in d` would find a getter
 * the program put on Object.prototype. JSON text is made by the saved
 * JSON.stringify while no `toJSON` can be found on the prototypes of what it
 * serializes (jsonSafe), else by the slower jsonText here, which reads own
 * data properties only.
 */
const uncurry = Function.prototype.bind.bind(Function.prototype.call);
const ownDesc = Object.getOwnPropertyDescriptor;
const getProto = Object.getPrototypeOf;
const getter = (proto, key) => uncurry(ownDesc(proto, key).get);
const isArray = Array.isArray;
const ObjectKeys = Object.keys;
const JSONStringify = JSON.stringify;
const NumberIsFinite = Number.isFinite;
const ObjectProto = Object.prototype;
const ArrayProto = Array.prototype;
const ObjectHasOwn = Object.hasOwn;
const defineProperty = Object.defineProperty;

/** Whether a property descriptor is a data descriptor, read from its own properties only. */
const isData = (d) => ObjectHasOwn(d, 'value');

/**
 * list[list.length] = item, without running anything the program put on a
 * prototype. A store past the end looks for a setter at that index on
 * Array.prototype, then Object.prototype: when either has that index (or
 * the chain between them was changed) the item is defined instead. The
 * check itself runs no code: neither prototype can be a Proxy.
 */
function append(list, item) {
  const n = list.length;
  if (getProto(ArrayProto) === ObjectProto && !(n in ArrayProto)) list[n] = item;
  else defineProperty(list, n, { __proto__: null, value: item, writable: true, enumerable: true, configurable: true });
}

/** No toJSON (nor a Proxy) where JSON.stringify would look for one on plain objects and arrays. */
function jsonSafe() {
  return ownDesc(ObjectProto, 'toJSON') === undefined && ownDesc(ArrayProto, 'toJSON') === undefined &&
    getProto(ArrayProto) === ObjectProto;
}

/** JSON text of tracer-made data (plain objects, arrays, strings, numbers, booleans, null): own data only. */
function jsonText(v) {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'string': return JSONStringify(v);
    case 'number': return NumberIsFinite(v) ? JSONStringify(v) : 'null';
    case 'boolean': return v ? 'true' : 'false';
    case 'object': break;
    default: return 'null';
  }
  let out = '';
  if (isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const d = ownDesc(v, i);
      out += (i === 0 ? '' : ',') + jsonText(d !== undefined && isData(d) ? d.value : null);
    }
    return '[' + out + ']';
  }
  const keys = ObjectKeys(v);
  let first = true;
  for (let i = 0; i < keys.length; i++) {
    const d = ownDesc(v, keys[i]);
    if (d === undefined || !isData(d) || d.value === undefined) continue;
    out += (first ? '' : ',') + JSONStringify(keys[i]) + ':' + jsonText(d.value);
    first = false;
  }
  return '{' + out + '}';
}

/** JSON text of tracer-made data, without running anything the program defined. */
function stringify(v) {
  return jsonSafe() ? JSONStringify(v) : jsonText(v);
}

module.exports = {
  uncurry,
  append,
  isData,
  apply: Reflect.apply,
  ownDesc,
  getProto,
  isArray,
  ObjectKeys,
  ObjectIs: Object.is,
  ObjectCreate: Object.create,
  ObjectFreeze: Object.freeze,
  ownSymbols: Object.getOwnPropertySymbols,
  ownNames: Object.getOwnPropertyNames,
  stringify,
  JSONParse: JSON.parse,
  MathMin: Math.min,
  NumberIsFinite,
  NumberIsNaN: Number.isNaN,
  NumberIsInteger: Number.isInteger,
  NumberToString: uncurry(Number.prototype.toString),
  BigIntToString: uncurry(BigInt.prototype.toString),
  String,
  Map,
  Set,
  WeakMap,
  Error,
  ReferenceError,
  RegExp,
  MapGet: uncurry(Map.prototype.get),
  MapSet: uncurry(Map.prototype.set),
  MapHas: uncurry(Map.prototype.has),
  MapDelete: uncurry(Map.prototype.delete),
  MapEntries: uncurry(Map.prototype.entries),
  MapValues: uncurry(Map.prototype.values),
  MapIteratorNext: uncurry(getProto(new Map().entries()).next),
  MapSize: getter(Map.prototype, 'size'),
  SetHas: uncurry(Set.prototype.has),
  SetAdd: uncurry(Set.prototype.add),
  SetDelete: uncurry(Set.prototype.delete),
  SetClear: uncurry(Set.prototype.clear),
  SetValues: uncurry(Set.prototype.values),
  SetIteratorNext: uncurry(getProto(new Set().values()).next),
  SetSize: getter(Set.prototype, 'size'),
  WeakMapGet: uncurry(WeakMap.prototype.get),
  WeakMapSet: uncurry(WeakMap.prototype.set),
  StringSlice: uncurry(String.prototype.slice),
  StringIncludes: uncurry(String.prototype.includes),
  StringStartsWith: uncurry(String.prototype.startsWith),
  StringIndexOf: uncurry(String.prototype.indexOf),
  StringCharCodeAt: uncurry(String.prototype.charCodeAt),
  StringPadStart: uncurry(String.prototype.padStart),
  StringToUpperCase: uncurry(String.prototype.toUpperCase),
  RegExpExec: uncurry(RegExp.prototype.exec),
  FunctionToString: uncurry(Function.prototype.toString),
  PromiseThen: uncurry(Promise.prototype.then),
};
