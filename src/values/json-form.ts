/**
 * The JSON form of a value: how an answer writes a variable's value, and what
 * the CodeRL+ reference reward compares it with (`json.dumps` of the value
 * after its set-to-list step). One rule per type, so an answer has exactly
 * one right spelling:
 *
 * - None / null -> null; bool -> true / false; str -> a JSON string;
 * - int -> a JSON number; float -> a JSON number with a point or an
 *   exponent (`2.0`, `1e-05`), as Python's repr writes it;
 * - list, tuple -> an array;
 * - set, frozenset -> an array of its items in sorted order (numbers by
 *   value, strings by code point): the order is part of the answer, so it
 *   must be one a model can know;
 * - dict, JS object -> an object, keys written as json.dumps writes them
 *   (`"1"`, `"1.5"`, `"true"`, `"null"`).
 *
 * Values with no such form give null and are never targets: bytes, NaN and
 * infinities, ints JSON readers round (beyond 2^53), JS Maps, undefined and
 * BigInts, opaque or capped values, sets that mix types or hold containers,
 * dicts whose keys would collide once written as strings.
 */
import type { Lit } from './value.js';
import { pyFloatRepr } from './print.js';

const SAFE = 9007199254740991n;

export function jsonForm(v: Lit): Lit | null {
  switch (v.t) {
    case 'none':
    case 'bool':
    case 'str':
      return v;
    case 'int':
      return !v.big && v.v <= SAFE && v.v >= -SAFE ? { t: 'int', v: v.v } : null;
    case 'float':
      return Number.isFinite(v.v) ? v : null;
    case 'list':
    case 'tuple': {
      const items = allForms(v.items);
      return items && { t: 'list', items };
    }
    case 'set': {
      const items = allForms(v.items);
      const sorted = items && sortedItems(items);
      return sorted && { t: 'list', items: sorted };
    }
    case 'dict': {
      const entries: [Lit, Lit][] = [];
      const seen = new Set<string>();
      for (const [k, x] of v.entries) {
        const key = keyText(k);
        const value = jsonForm(x);
        if (key === null || value === null || seen.has(key)) return null;
        seen.add(key);
        entries.push([{ t: 'str', v: key }, value]);
      }
      return { t: 'dict', entries };
    }
    default:
      return null;
  }
}

function allForms(items: Lit[]): Lit[] | null {
  const out: Lit[] = [];
  for (const item of items) {
    const f = jsonForm(item);
    if (f === null) return null;
    out.push(f);
  }
  return out;
}

/** Python's sorted() on numbers only or strings only; null for anything else. */
function sortedItems(items: Lit[]): Lit[] | null {
  if (items.every((x) => x.t === 'int' || x.t === 'float')) {
    const num = (x: Lit) => Number((x as { v: number | bigint }).v);
    return [...items].sort((a, b) => num(a) - num(b));
  }
  if (items.every((x) => x.t === 'str')) {
    const points = (x: Lit) => Array.from((x as { v: string }).v, (c) => c.codePointAt(0)!);
    return [...items].sort((a, b) => comparePoints(points(a), points(b)));
  }
  return items.length <= 1 ? items : null;
}

function comparePoints(a: number[], b: number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

/** A dict key as json.dumps writes it, or null when it cannot be a JSON key. */
function keyText(k: Lit): string | null {
  switch (k.t) {
    case 'str': return k.v;
    case 'int': return k.big ? null : k.v.toString();
    case 'float': return Number.isFinite(k.v) ? pyFloatRepr(k.v) : null;
    case 'bool': return k.v ? 'true' : 'false';
    case 'none': return 'null';
    default: return null;
  }
}

/** JSON text of a value in JSON form; floats keep their point (`2.0`). */
export function printJson(v: Lit): string {
  switch (v.t) {
    case 'none': return 'null';
    case 'bool': return v.v ? 'true' : 'false';
    case 'int': return v.v.toString();
    case 'float': return pyFloatRepr(v.v);
    case 'str': return JSON.stringify(v.v);
    case 'list':
    case 'tuple': return `[${v.items.map(printJson).join(', ')}]`;
    case 'dict': return `{${v.entries.map(([k, x]) => `${printJson(k)}: ${printJson(x)}`).join(', ')}}`;
    default: throw new Error(`printJson: ${v.t} has no JSON form`);
  }
}

/** The plain JavaScript value of a JSON form (what JSON.stringify writes into a ground truth). */
export function toPlain(v: Lit): unknown {
  switch (v.t) {
    case 'none': return null;
    case 'bool':
    case 'str': return v.v;
    case 'int': return Number(v.v);
    case 'float': return v.v;
    case 'list':
    case 'tuple': return v.items.map(toPlain);
    case 'dict': return Object.fromEntries(v.entries.map(([k, x]) => [(k as { v: string }).v, toPlain(x)]));
    default: throw new Error(`toPlain: ${v.t} has no JSON form`);
  }
}
