/**
 * Lit: the value model the verifier compares. One shape for Python values,
 * JavaScript values and JSON, so expected values (tagged Value.json) and
 * model answers (literals as written) meet on common ground.
 */
export type Lit =
  | { t: 'none' } // Python None, JS null, JSON null
  | { t: 'undefined' } // JS undefined
  | { t: 'bool'; v: boolean }
  | { t: 'int'; v: bigint; big?: true } // big: a JavaScript BigInt (1n), distinct from the Number 1
  | { t: 'float'; v: number }
  | { t: 'str'; v: string }
  | { t: 'bytes'; v: string } // one char per byte (latin1)
  | { t: 'list'; items: Lit[] }
  | { t: 'tuple'; items: Lit[] }
  | { t: 'set'; items: Lit[]; frozen: boolean }
  | { t: 'dict'; entries: [Lit, Lit][] } // Python dict, JS plain object, JSON object
  | { t: 'map'; entries: [Lit, Lit][] } // JS Map
  | { t: 'other'; json: unknown }; // a tagged value we do not model (instance, function, cap marker)

export type Dialect = 'json' | 'python' | 'javascript';

export const typeName = (v: Lit): string =>
  v.t === 'set' && v.frozen ? 'frozenset' : v.t === 'int' && v.big ? 'bigint' : v.t === 'other' ? 'opaque' : v.t;
