/**
 * Exact comparison of an expected value with an answered one. The rules
 * (each one is tested in tests/values/compare.test.ts):
 *
 * - types must match: bool is never 1 or "1"; None is not 0, "" or "None"
 *   the string; a tuple is not a list; a set is not a frozenset; a JS Map
 *   is not a plain object; a JS BigInt is not a Number;
 * - Python int vs float: 2 is not 2.0 (they print differently). JavaScript
 *   has one Number type, so there 2 and 2.0 are the same value;
 * - ints compare exactly (arbitrary size);
 * - floats are equal when both are NaN, both the same infinity, or
 *   |a - b| <= max(REL_TOL * max(|a|, |b|), ABS_TOL) (so 0.1 + 0.2 matches 0.3);
 * - str and bytes compare exactly;
 * - lists and tuples item by item; sets ignore order; dicts, objects and Maps
 *   ignore entry order, and their keys compare by these same rules (so the
 *   key 1 is not the key "1");
 * - opaque values (instances, functions, caps) compare by their tagged JSON.
 *
 * Stdout is text: see normalizeOutput.
 */
import type { Lit } from './value.js';
import { typeName } from './value.js';
import type { Language } from '../model/trace.js';

export const REL_TOL = 1e-9;
export const ABS_TOL = 1e-12;

/** Null when equal, else a short reason naming where they differ. */
export function mismatch(expected: Lit, got: Lit, language: Language, path = ''): string | null {
  const at = path ? `at ${path}: ` : '';
  const js = language === 'javascript';
  const isNum = (v: Lit): boolean => (v.t === 'int' && !v.big) || v.t === 'float';
  if (js && isNum(expected) && isNum(got)) {
    return floatsEqual(Number((expected as { v: number | bigint }).v), Number((got as { v: number | bigint }).v))
      ? null : `${at}value differs`;
  }
  if (expected.t !== got.t || typeName(expected) !== typeName(got)) {
    return `${at}expected ${typeName(expected)}, got ${typeName(got)}`;
  }
  switch (expected.t) {
    case 'none':
    case 'undefined':
      return null;
    case 'bool':
    case 'int':
    case 'str':
    case 'bytes':
      return expected.v === (got as typeof expected).v ? null : `${at}value differs`;
    case 'float':
      return floatsEqual(expected.v, (got as typeof expected).v) ? null : `${at}value differs`;
    case 'list':
    case 'tuple': {
      const g = (got as typeof expected).items;
      if (g.length !== expected.items.length) return `${at}expected ${expected.items.length} items, got ${g.length}`;
      for (let i = 0; i < g.length; i++) {
        const why = mismatch(expected.items[i], g[i], language, `${path}[${i}]`);
        if (why) return why;
      }
      return null;
    }
    case 'set': {
      const g = (got as typeof expected).items;
      if (g.length !== expected.items.length) return `${at}expected ${expected.items.length} items, got ${g.length}`;
      const used = new Set<number>();
      for (const e of expected.items) {
        const j = g.findIndex((x, k) => !used.has(k) && mismatch(e, x, language) === null);
        if (j < 0) return `${at}set item missing: expected item not found in answer`;
        used.add(j);
      }
      return null;
    }
    case 'dict':
    case 'map': {
      const g = (got as typeof expected).entries;
      if (g.length !== expected.entries.length) return `${at}expected ${expected.entries.length} entries, got ${g.length}`;
      const used = new Set<number>();
      for (const [k, v] of expected.entries) {
        const j = g.findIndex(([gk], idx) => !used.has(idx) && mismatch(k, gk, language) === null);
        if (j < 0) return `${at}key ${keyText(k)} missing (or of another type)`;
        used.add(j);
        const why = mismatch(v, g[j][1], language, `${path}[${keyText(k)}]`);
        if (why) return why;
      }
      return null;
    }
    case 'other':
      return JSON.stringify(expected.json) === JSON.stringify((got as typeof expected).json) ? null : `${at}value differs`;
  }
}

export function floatsEqual(a: number, b: number): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  if (!Number.isFinite(a) || !Number.isFinite(b)) return a === b;
  return Math.abs(a - b) <= Math.max(REL_TOL * Math.max(Math.abs(a), Math.abs(b)), ABS_TOL);
}

function keyText(k: Lit): string {
  if (k.t === 'str') return JSON.stringify(k.v);
  if (k.t === 'int') return k.v.toString();
  return typeName(k);
}

/**
 * Printed output is compared after: \r\n and \r become \n, trailing spaces
 * and tabs of every line are dropped, and leading/trailing blank space of the
 * whole text is trimmed (the reference strips stdout the same way). Inner
 * blank lines and leading spaces of later lines are kept.
 */
export function normalizeOutput(text: string): string {
  return text.replace(/\r\n?/g, '\n').split('\n').map((l) => l.replace(/[ \t]+$/, '')).join('\n').trim();
}
