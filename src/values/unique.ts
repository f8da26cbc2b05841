/** Duplicate keys and set items of a literal, collapsed as evaluating it would (Python's 1 == 1.0 == True). */
import type { Dialect, Lit } from './value.js';

/**
 * Identity of a key as the language sees it, for collapsing duplicates the
 * way evaluating the literal would: Python `{1: 'a', 1.0: 'b', True: 'c'}`
 * is `{1: 'c'}`; JSON and JS objects keep the last value of a repeated key.
 * Null for keys that cannot be hashed (a list): those are never merged.
 */
function keyId(k: Lit, dialect: Dialect): string | null {
  switch (k.t) {
    case 'none': return 'None';
    case 'undefined': return 'undefined';
    case 'bool': return dialect === 'python' ? `n:${k.v ? 1 : 0}` : `b:${k.v}`;
    case 'int': return k.big ? `big:${k.v}` : `n:${k.v}`;
    case 'float':
      if (Number.isNaN(k.v)) return dialect === 'python' ? null : 'n:NaN'; // each Python nan is its own key
      return Number.isInteger(k.v) ? `n:${BigInt(k.v)}` : `n:${k.v}`;
    case 'str': return `s:${k.v}`;
    case 'bytes': return `y:${k.v}`;
    case 'tuple': {
      const ids = k.items.map((x) => keyId(x, dialect));
      return ids.includes(null) ? null : `t:(${ids.join(',')})`;
    }
    case 'set': return null;
    default: return null;
  }
}

/** First position, last value (Python and JavaScript both keep a repeated key where it first appeared). */
export function uniqueEntries(entries: [Lit, Lit][], dialect: Dialect): [Lit, Lit][] {
  const out: [Lit, Lit][] = [];
  const seen = new Map<string, number>();
  for (const [k, v] of entries) {
    const id = keyId(k, dialect);
    const i = id === null ? undefined : seen.get(id);
    if (i === undefined) {
      if (id !== null) seen.set(id, out.length);
      out.push([k, v]);
    } else out[i] = [out[i][0], v];
  }
  return out;
}

export function uniqueItems(items: Lit[], dialect: Dialect): Lit[] {
  return uniqueEntries(items.map((x) => [x, x]), dialect).map(([k]) => k);
}
