/**
 * Between the tagged JSON of recorded values (tracers/README.md, "Value
 * encoding") and Lit. `fromTaggedJson` reads ground truth; `toTaggedJson`
 * writes it (for ground truth built from a repr, e.g. CRUXEval).
 */
import type { Lit } from './value.js';
import { parseLiteral } from './parse.js';
import { pyRepr } from './print.js';

export function fromTaggedJson(json: unknown): Lit {
  if (json === null) return { t: 'none' };
  if (typeof json === 'boolean') return { t: 'bool', v: json };
  if (typeof json === 'number') return Number.isInteger(json) ? { t: 'int', v: BigInt(json) } : { t: 'float', v: json };
  if (typeof json === 'string') return { t: 'str', v: json };
  if (Array.isArray(json)) return { t: 'list', items: json.map(fromTaggedJson) };
  if (typeof json !== 'object') return { t: 'other', json };
  const rec = json as Record<string, unknown>;
  if (typeof rec.$type !== 'string') {
    return { t: 'dict', entries: Object.entries(rec).map(([k, v]) => [{ t: 'str', v: k }, fromTaggedJson(v)]) };
  }
  const items = (): Lit[] => (Array.isArray(rec.items) ? rec.items.map(fromTaggedJson) : []);
  const entries = (): [Lit, Lit][] =>
    Array.isArray(rec.entries) ? rec.entries.map((e) => [fromTaggedJson((e as unknown[])[0]), fromTaggedJson((e as unknown[])[1])]) : [];
  switch (rec.$type) {
    // A capped int ({prefix, length} or {bits}) has no value: it stays opaque.
    case 'int': return INTEGER.test(String(rec.value)) ? { t: 'int', v: BigInt(String(rec.value)) } : { t: 'other', json };
    case 'bigint': return INTEGER.test(String(rec.value)) ? { t: 'int', v: BigInt(String(rec.value)), big: true } : { t: 'other', json };
    case 'float': return { t: 'float', v: floatFromRepr(String(rec.value)) };
    case 'tuple': return { t: 'tuple', items: items() };
    case 'set': return { t: 'set', items: items(), frozen: false };
    case 'frozenset': return { t: 'set', items: items(), frozen: true };
    case 'dict': return { t: 'dict', entries: entries() };
    case 'map': return { t: 'map', entries: entries() };
    case 'undefined': return { t: 'undefined' };
    case 'bytes': {
      try {
        const b = parseLiteral(String(rec.repr), 'python');
        if (b.t === 'bytes') return b;
      } catch { /* fall through: compared as an opaque value */ }
      return { t: 'other', json };
    }
    default: return { t: 'other', json };
  }
}

const INTEGER = /^-?\d+$/;

/** Float reprs of both languages: `1.0`, `nan`, `-inf`, `-0.0`, `NaN`, `Infinity`, `-0`. */
function floatFromRepr(text: string): number {
  const t = text.trim().toLowerCase();
  if (t === 'nan') return NaN;
  if (t === 'inf' || t === 'infinity') return Infinity;
  if (t === '-inf' || t === '-infinity') return -Infinity;
  return Number(t);
}

const SAFE = 9007199254740991n;

/** The tagged JSON of a Python value (set items sorted by repr, as the Python encoder does). */
export function toTaggedJson(v: Lit): unknown {
  switch (v.t) {
    case 'none': return null;
    case 'undefined': return { $type: 'undefined' };
    case 'bool': return v.v;
    case 'int':
      if (v.big) return { $type: 'bigint', value: v.v.toString() };
      return v.v <= SAFE && v.v >= -SAFE ? Number(v.v) : { $type: 'int', value: v.v.toString() };
    case 'float':
      return Number.isFinite(v.v) && !Number.isInteger(v.v) ? v.v : { $type: 'float', value: pyRepr(v) };
    case 'str': return v.v;
    case 'bytes': return { $type: 'bytes', repr: pyRepr(v) };
    case 'list': return v.items.map(toTaggedJson);
    case 'tuple': return { $type: 'tuple', items: v.items.map(toTaggedJson) };
    case 'set': {
      const sorted = [...v.items].sort((a, b) => (pyRepr(a) < pyRepr(b) ? -1 : pyRepr(a) > pyRepr(b) ? 1 : 0));
      return { $type: v.frozen ? 'frozenset' : 'set', items: sorted.map(toTaggedJson) };
    }
    case 'dict': {
      const plain = v.entries.every(([k]) => k.t === 'str' && k.v !== '$type');
      if (plain) return Object.fromEntries(v.entries.map(([k, x]) => [(k as { v: string }).v, toTaggedJson(x)]));
      return { $type: 'dict', entries: v.entries.map(([k, x]) => [toTaggedJson(k), toTaggedJson(x)]) };
    }
    case 'map': return { $type: 'map', entries: v.entries.map(([k, x]) => [toTaggedJson(k), toTaggedJson(x)]) };
    case 'other': return v.json;
  }
}
