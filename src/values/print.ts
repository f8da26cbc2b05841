/**
 * Print a Lit the way its language would: Python `repr()` (exact for the
 * types modelled here, used both for display and by the reference-reward
 * reproduction, which compares `str()` forms) and a compact JavaScript form.
 */
import type { Lit } from './value.js';
import type { Language } from '../model/trace.js';

export function show(v: Lit, language: Language): string {
  return language === 'javascript' ? jsShow(v) : pyRepr(v);
}

/** Python `str(v)`: strings as themselves, everything else as `repr`. */
export function pyStr(v: Lit): string {
  return v.t === 'str' ? v.v : pyRepr(v);
}

export function pyRepr(v: Lit): string {
  switch (v.t) {
    case 'none': return 'None';
    case 'undefined': return 'None';
    case 'bool': return v.v ? 'True' : 'False';
    case 'int': return v.v.toString();
    case 'float': return pyFloatRepr(v.v);
    case 'str': return pyStrRepr(v.v);
    case 'bytes': return 'b' + pyStrRepr(v.v, true);
    case 'list': return `[${v.items.map(pyRepr).join(', ')}]`;
    case 'tuple': return v.items.length === 1 ? `(${pyRepr(v.items[0])},)` : `(${v.items.map(pyRepr).join(', ')})`;
    case 'set': {
      const body = v.items.map(pyRepr).join(', ');
      if (v.frozen) return v.items.length ? `frozenset({${body}})` : 'frozenset()';
      return v.items.length ? `{${body}}` : 'set()';
    }
    case 'dict':
    case 'map': return `{${v.entries.map(([k, x]) => `${pyRepr(k)}: ${pyRepr(x)}`).join(', ')}}`;
    case 'other': return JSON.stringify(v.json);
  }
}

/** Python's repr(float): shortest round-trip digits, fixed notation for 1e-4 <= |x| < 1e16. */
export function pyFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const [mant, expText] = Math.abs(x).toExponential().split('e');
  const exp = Number(expText);
  const digits = mant.replace('.', '');
  const sign = x < 0 ? '-' : '';
  if (exp >= -4 && exp < 16) {
    if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
    const intPart = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
    const frac = digits.slice(exp + 1);
    return `${sign}${intPart}.${frac || '0'}`;
  }
  const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  const e = Math.abs(exp).toString().padStart(2, '0');
  return `${sign}${m}e${exp < 0 ? '-' : '+'}${e}`;
}

const NON_PRINTABLE = /[\p{C}\p{Z}]/u;

/** Python's repr(str) (and of bytes when `bytes`): quote choice and escapes as CPython does. */
export function pyStrRepr(s: string, bytes = false): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === quote || ch === '\\') out += '\\' + ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (bytes ? cp < 0x20 || cp >= 0x7f : ch !== ' ' && NON_PRINTABLE.test(ch)) {
      out += cp < 0x100 ? `\\x${hex(cp, 2)}` : cp < 0x10000 ? `\\u${hex(cp, 4)}` : `\\U${hex(cp, 8)}`;
    } else out += ch;
  }
  return out + quote;
}

const hex = (n: number, width: number): string => n.toString(16).padStart(width, '0');

function jsShow(v: Lit): string {
  switch (v.t) {
    case 'none': return 'null';
    case 'undefined': return 'undefined';
    case 'bool': return String(v.v);
    case 'int': return v.big ? `${v.v}n` : v.v.toString();
    case 'float': return Object.is(v.v, -0) ? '-0' : String(v.v);
    case 'str': return `'${v.v.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`;
    case 'bytes': return pyRepr(v);
    case 'list':
    case 'tuple': return `[${v.items.map(jsShow).join(', ')}]`;
    case 'set': return `Set(${v.items.length}) {${v.items.map(jsShow).join(', ')}}`;
    case 'dict': return `{${v.entries.map(([k, x]) => `${k.t === 'str' && /^[\p{L}_$][\p{L}\p{N}_$]*$/u.test(k.v) ? k.v : jsShow(k)}: ${jsShow(x)}`).join(', ')}}`;
    case 'map': return `Map(${v.entries.length}) {${v.entries.map(([k, x]) => `${jsShow(k)} => ${jsShow(x)}`).join(', ')}}`;
    case 'other': return JSON.stringify(v.json);
  }
}
