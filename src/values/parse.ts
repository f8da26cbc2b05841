/**
 * A parser for value literals as models write them: JSON, Python literals
 * (what `repr` prints and `ast.literal_eval` reads, plus `set()`,
 * `frozenset(...)`, `float('nan')`, `inf`, `nan`) and JavaScript literals
 * (plus the `util.inspect` forms `Set(2) { 1, 2 }` and `Map(1) { 'a' => 1 }`).
 *
 * It never evaluates anything: an expression that is not a literal
 * (`[1] * 3`, `list(range(3))`) is a parse error with a position.
 */
import type { Dialect, Lit } from './value.js';

export class LiteralError extends Error {
  constructor(message: string, readonly pos: number) {
    super(`${message} at offset ${pos}`);
  }
}

export interface ParseOptions {
  /** JSON only: accept trailing commas in arrays and objects. */
  trailingCommas?: boolean;
  /** JSON only: accept NaN, Infinity, -Infinity (as Python's json.loads does). */
  nonFinite?: boolean;
}

/** A parsed value plus the source slice it came from (for stdout answers). */
export interface Parsed {
  value: Lit;
  start: number;
  end: number;
}

const MAX_DEPTH = 200;

/** Parse `text` as exactly one literal (surrounding whitespace allowed). */
export function parseLiteral(text: string, dialect: Dialect, options: ParseOptions = {}): Lit {
  const p = new Parser(text, dialect, options);
  const { value } = p.parseAt(0);
  p.skipSpace();
  if (p.pos < text.length) throw new LiteralError(`unexpected ${describe(text, p.pos)} after the value`, p.pos);
  return value;
}

export function tryParseLiteral(text: string, dialect: Dialect, options: ParseOptions = {}):
  { ok: true; value: Lit } | { ok: false; error: string } {
  try {
    return { ok: true, value: parseLiteral(text, dialect, options) };
  } catch (err) {
    if (err instanceof LiteralError) return { ok: false, error: err.message };
    throw err;
  }
}

/** Parse one literal starting at `start`, ignoring what follows it. */
export function parseLiteralPrefix(text: string, start: number, dialect: Dialect, options: ParseOptions = {}): Parsed {
  return new Parser(text, dialect, options).parseAt(start);
}

/**
 * Parse one literal and, when it is an object, keep each top-level value's
 * source slice (a stdout answer written as a bare number is its own text).
 */
export function parseWithSpans(text: string, dialect: Dialect, options: ParseOptions = {}):
  { value: Lit; entries: [Lit, Parsed][] } {
  const p = new Parser(text, dialect, options);
  p.keepSpans = true;
  const { value } = p.parseAt(0);
  p.skipSpace();
  if (p.pos < text.length) throw new LiteralError(`unexpected ${describe(text, p.pos)} after the value`, p.pos);
  return { value, entries: p.topEntries };
}

function describe(text: string, pos: number): string {
  if (pos >= text.length) return 'end of text';
  return JSON.stringify(text.slice(pos, pos + 12));
}

const PY_NAMES: Record<string, Lit> = {
  True: { t: 'bool', v: true }, False: { t: 'bool', v: false }, None: { t: 'none' },
  inf: { t: 'float', v: Infinity }, nan: { t: 'float', v: NaN },
};
const JS_NAMES: Record<string, Lit> = {
  true: { t: 'bool', v: true }, false: { t: 'bool', v: false }, null: { t: 'none' },
  undefined: { t: 'undefined' }, NaN: { t: 'float', v: NaN }, Infinity: { t: 'float', v: Infinity },
};
const JSON_NAMES: Record<string, Lit> = { true: { t: 'bool', v: true }, false: { t: 'bool', v: false }, null: { t: 'none' } };
const JSON_NONFINITE: Record<string, Lit> = { NaN: { t: 'float', v: NaN }, Infinity: { t: 'float', v: Infinity } };

class Parser {
  pos = 0;
  depth = 0;
  keepSpans = false;
  topEntries: [Lit, Parsed][] = [];

  constructor(readonly text: string, readonly dialect: Dialect, readonly options: ParseOptions) {}

  fail(message: string, at = this.pos): never {
    throw new LiteralError(message, at);
  }

  skipSpace(): void {
    const s = this.text;
    while (this.pos < s.length) {
      const c = s.charCodeAt(this.pos);
      if (c === 32 || c === 9 || c === 10 || c === 13 || (this.dialect !== 'json' && (c === 12 || c === 11 || c === 0xa0 || c === 0xfeff))) {
        this.pos++;
      } else if (this.dialect === 'python' && c === 92 && s[this.pos + 1] === '\n') {
        this.pos += 2; // explicit line continuation
      } else break;
    }
  }

  peek(): string {
    return this.text[this.pos] ?? '';
  }

  expect(ch: string): void {
    this.skipSpace();
    if (this.text[this.pos] !== ch) this.fail(`expected '${ch}' but found ${describe(this.text, this.pos)}`);
    this.pos++;
  }

  parseAt(start: number): Parsed {
    this.pos = start;
    this.skipSpace();
    const s = this.pos;
    const value = this.value();
    return { value, start: s, end: this.pos };
  }

  value(): Lit {
    if (++this.depth > MAX_DEPTH) this.fail(`nested deeper than ${MAX_DEPTH} levels`);
    try {
      return this.valueInner();
    } finally {
      this.depth--;
    }
  }

  valueInner(): Lit {
    this.skipSpace();
    const c = this.peek();
    if (c === '') this.fail('expected a value but found end of text');
    if (c === '-' || c === '+') return this.signed();
    if (c === '[') return this.sequence('[', ']', 'list');
    if (c === '{') return this.brace(this.depth === 1 && this.keepSpans);
    if (c === '(' && this.dialect === 'python') return this.paren();
    if (c === '"' || c === "'" || (c === '`' && this.dialect === 'javascript')) return this.strings();
    if (/[0-9.]/.test(c)) return this.number();
    if (/[\p{L}_$]/u.test(c)) return this.word();
    return this.fail(`unexpected ${describe(this.text, this.pos)}`);
  }

  signed(): Lit {
    const at = this.pos;
    const sign = this.text[this.pos++];
    if (this.dialect === 'json' && sign === '+') this.fail("'+' is not valid JSON", at);
    if (this.dialect === 'json') {
      if (this.options.nonFinite && this.text.startsWith('Infinity', this.pos)) {
        this.pos += 8;
        return { t: 'float', v: -Infinity };
      }
      if (!/[0-9]/.test(this.peek())) this.fail("expected a digit after '-'", at);
      return negate(this.number(), sign, 'json');
    }
    const inner = this.value();
    if (inner.t !== 'int' && inner.t !== 'float') this.fail(`'${sign}' applies only to numbers`, at);
    return negate(inner, sign, this.dialect);
  }

  number(): Lit {
    const at = this.pos;
    const rest = this.text.slice(this.pos, this.pos + 400);
    let m: RegExpMatchArray | null;
    if (this.dialect === 'json') {
      m = /^(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(rest);
      if (!m) this.fail('invalid number', at);
      this.pos += m[0].length;
      return m[1] || m[2] ? { t: 'float', v: Number(m[0]) } : { t: 'int', v: BigInt(m[0]) };
    }
    const prefixed = /^0([xXoObB])([0-9a-fA-F_]+)(n?)/.exec(rest);
    if (prefixed) {
      const digits = prefixed[2].replace(/_/g, '');
      this.pos += prefixed[0].length;
      const v = BigInt(`0${prefixed[1].toLowerCase()}${digits}`);
      return prefixed[3] ? { t: 'int', v, big: true } : this.jsNumberOrInt(v);
    }
    m = /^(?:[0-9](?:_?[0-9])*)?(\.(?:[0-9](?:_?[0-9])*)?)?([eE][+-]?[0-9](?:_?[0-9])*)?(n|j|J)?/.exec(rest);
    if (!m || m[0] === '' || m[0] === '.' || !/[0-9]/.test(m[0])) this.fail('invalid number', at);
    if (m[0].startsWith('.') && m[0].length > 1 && !/[0-9]/.test(m[0][1])) this.fail('invalid number', at);
    this.pos += m[0].length;
    if (/[\p{L}\p{N}_]/u.test(this.peek())) this.fail('invalid number', at);
    const body = m[0].replace(/_/g, '');
    if (m[3] === 'j' || m[3] === 'J') this.fail('complex numbers are not supported', at);
    if (m[3] === 'n') {
      if (this.dialect !== 'javascript' || m[1] || m[2]) this.fail('invalid number', at);
      return { t: 'int', v: BigInt(body.slice(0, -1)), big: true };
    }
    if (m[1] || m[2]) return { t: 'float', v: Number(body) };
    if (this.dialect === 'python' && /^0[0-9]/.test(body) && !/^0+$/.test(body)) this.fail('leading zeros in a decimal integer', at);
    return this.jsNumberOrInt(BigInt(body));
  }

  /** A JavaScript Number literal that is integral but beyond 2^53 is a float there, not an exact int. */
  jsNumberOrInt(v: bigint): Lit {
    if (this.dialect === 'javascript' && (v > 9007199254740991n || v < -9007199254740991n)) return { t: 'float', v: Number(v) };
    return { t: 'int', v };
  }

  word(): Lit {
    const at = this.pos;
    const m = /^[\p{L}_$][\p{L}\p{N}_$]*/u.exec(this.text.slice(this.pos, this.pos + 64))!;
    const name = m[0];
    this.pos += name.length;
    if (this.dialect === 'python' && /^[rRbBuU]{1,2}$/.test(name) && (this.peek() === "'" || this.peek() === '"')) {
      this.pos = at;
      return this.strings();
    }
    const table = this.dialect === 'python' ? PY_NAMES
      : this.dialect === 'javascript' ? JS_NAMES
        : this.options.nonFinite ? { ...JSON_NAMES, ...JSON_NONFINITE } : JSON_NAMES;
    if (Object.hasOwn(table, name)) return table[name];
    if (this.dialect === 'python') return this.pythonCall(name, at);
    if (this.dialect === 'javascript') return this.jsConstructor(name, at);
    return this.fail(`unexpected word ${JSON.stringify(name)}`, at);
  }

  /** set(), set([1]), frozenset({1}), tuple(), list(), dict(), float('nan') */
  pythonCall(name: string, at: number): Lit {
    if (!['set', 'frozenset', 'tuple', 'list', 'dict', 'float'].includes(name)) this.fail(`${JSON.stringify(name)} is not a literal`, at);
    this.expect('(');
    this.skipSpace();
    if (this.peek() === ')') {
      this.pos++;
      if (name === 'float') return { t: 'float', v: 0 };
      if (name === 'dict') return { t: 'dict', entries: [] };
      if (name === 'set' || name === 'frozenset') return { t: 'set', items: [], frozen: name === 'frozenset' };
      return { t: name as 'tuple' | 'list', items: [] };
    }
    const arg = this.value();
    this.skipSpace();
    if (this.peek() === ',') this.pos++;
    this.expect(')');
    if (name === 'float') {
      if (arg.t === 'str') {
        const f = parsePythonFloatText(arg.v);
        if (f !== null) return { t: 'float', v: f };
      }
      if (arg.t === 'int' || arg.t === 'float') return { t: 'float', v: Number(arg.v) };
      return this.fail('float() needs a number or a numeric string', at);
    }
    if (name === 'dict') {
      if (arg.t === 'dict') return arg;
      return this.fail('dict() takes only a dict literal here', at);
    }
    const items = iterableItems(arg);
    if (!items) this.fail(`${name}() needs a list, tuple, set or string literal`, at);
    if (name === 'set' || name === 'frozenset') return { t: 'set', items: uniqueItems(items, 'python'), frozen: name === 'frozenset' };
    return { t: name as 'tuple' | 'list', items };
  }

  /** new Set([..]), new Map([[k, v]]), Set(2) { 1, 2 }, Map(1) { 'a' => 1 }, Set(0) {} */
  jsConstructor(name: string, at: number): Lit {
    let ctor = name;
    if (name === 'new') {
      this.skipSpace();
      const m = /^(Set|Map)\b/.exec(this.text.slice(this.pos, this.pos + 4));
      if (!m) this.fail('only new Set(...) and new Map(...) are literals', at);
      ctor = m[1];
      this.pos += ctor.length;
      this.expect('(');
      this.skipSpace();
      let items: Lit[] = [];
      if (this.peek() !== ')') {
        const arg = this.value();
        if (arg.t !== 'list') this.fail(`new ${ctor}() takes an array literal here`, at);
        items = arg.items;
      }
      this.expect(')');
      if (ctor === 'Set') return { t: 'set', items: uniqueItems(items, 'javascript'), frozen: false };
      const entries: [Lit, Lit][] = [];
      for (const pair of items) {
        if (pair.t !== 'list' || pair.items.length !== 2) this.fail('new Map() takes [key, value] pairs', at);
        entries.push([pair.items[0], pair.items[1]]);
      }
      return { t: 'map', entries: uniqueEntries(entries, 'javascript') };
    }
    if (name !== 'Set' && name !== 'Map') this.fail(`${JSON.stringify(name)} is not a literal`, at);
    this.skipSpace();
    if (this.peek() === '(') { // util.inspect size: Set(2)
      this.pos++;
      this.skipSpace();
      if (!/[0-9]/.test(this.peek())) this.fail('expected a size', this.pos);
      while (/[0-9]/.test(this.peek())) this.pos++;
      this.expect(')');
    }
    this.expect('{');
    const items: Lit[] = [];
    const entries: [Lit, Lit][] = [];
    for (let first = true; ; first = false) {
      this.skipSpace();
      if (this.peek() === '}') { this.pos++; break; }
      if (!first) { this.expect(','); this.skipSpace(); if (this.peek() === '}') { this.pos++; break; } }
      const v = this.value();
      if (name === 'Map') {
        this.skipSpace();
        if (!this.text.startsWith('=>', this.pos)) this.fail("expected '=>' in a Map entry");
        this.pos += 2;
        entries.push([v, this.value()]);
      } else items.push(v);
    }
    return name === 'Set' ? { t: 'set', items: uniqueItems(items, 'javascript'), frozen: false } : { t: 'map', entries: uniqueEntries(entries, 'javascript') };
  }

  /** Comma-separated values up to `close`; returns the items and whether a comma was seen. */
  items(close: string): { items: Lit[]; comma: boolean } {
    const items: Lit[] = [];
    let comma = false;
    for (;;) {
      this.skipSpace();
      if (this.peek() === close) { this.pos++; return { items, comma }; }
      if (items.length > 0) {
        this.expect(',');
        comma = true;
        this.skipSpace();
        if (this.peek() === close) {
          if (this.dialect === 'json' && !this.options.trailingCommas) this.fail('trailing comma');
          this.pos++;
          return { items, comma };
        }
      }
      items.push(this.value());
    }
  }

  sequence(open: string, close: string, t: 'list' | 'tuple'): Lit {
    this.expect(open);
    return { t, items: this.items(close).items };
  }

  paren(): Lit {
    this.expect('(');
    const { items, comma } = this.items(')');
    if (items.length === 1 && !comma) return items[0];
    return { t: 'tuple', items };
  }

  brace(top: boolean): Lit {
    this.expect('{');
    this.skipSpace();
    if (this.peek() === '}') { this.pos++; return { t: 'dict', entries: [] }; }
    const entries: [Lit, Lit][] = [];
    const items: Lit[] = [];
    for (let first = true; ; first = false) {
      this.skipSpace();
      if (!first) {
        if (this.peek() === '}') { this.pos++; break; }
        this.expect(',');
        this.skipSpace();
        if (this.peek() === '}') {
          if (this.dialect === 'json' && !this.options.trailingCommas) this.fail('trailing comma');
          this.pos++;
          break;
        }
      }
      const key = this.key();
      this.skipSpace();
      if (this.peek() === ':') {
        if (items.length) this.fail("mixed set and dict items in '{...}'");
        this.pos++;
        this.skipSpace();
        const vstart = this.pos;
        const value = this.value();
        entries.push([key, value]);
        if (top) this.topEntries.push([key, { value, start: vstart, end: this.pos }]);
      } else {
        if (this.dialect !== 'python' || entries.length) this.fail("expected ':' in an object", this.pos);
        items.push(key);
      }
    }
    if (items.length) return { t: 'set', items: uniqueItems(items, this.dialect), frozen: false };
    return { t: 'dict', entries: uniqueEntries(entries, this.dialect) };
  }

  /** An object key: any value in Python; a string, number or bare identifier in JavaScript; a string in JSON. */
  key(): Lit {
    const at = this.pos;
    if (this.dialect === 'json') {
      if (this.peek() !== '"') this.fail('object keys must be double-quoted strings in JSON');
      return this.strings();
    }
    if (this.dialect === 'javascript') {
      const c = this.peek();
      if (c === '"' || c === "'") return this.strings();
      const id = /^[\p{L}_$][\p{L}\p{N}_$]*/u.exec(this.text.slice(this.pos, this.pos + 256));
      if (id) { this.pos += id[0].length; return { t: 'str', v: id[0] }; }
      const k = this.value();
      if (k.t === 'int' || k.t === 'float') return { t: 'str', v: String(Number(k.v)) };
      return this.fail('invalid object key', at);
    }
    return this.value();
  }

  /** One string literal, or (Python) several adjacent ones concatenated. */
  strings(): Lit {
    let out: Lit | null = null;
    for (;;) {
      this.skipSpace();
      const m = /^([rRbBuU]{0,2})(["'`])/.exec(this.text.slice(this.pos, this.pos + 3));
      if (!m) break;
      if (this.dialect === 'json' && (m[1] || m[2] !== '"')) this.fail('JSON strings use double quotes');
      if (this.dialect === 'javascript' && m[1]) break;
      const lit = this.oneString(m[1].toLowerCase(), m[2]);
      if (out === null) out = lit;
      else if (out.t !== lit.t) this.fail('cannot concatenate str and bytes');
      else out = { t: lit.t, v: (out as { v: string }).v + (lit as { v: string }).v } as Lit;
      if (this.dialect !== 'python') break;
    }
    if (out === null) this.fail('expected a string');
    return out;
  }

  oneString(prefix: string, quote: string): Lit {
    const start = this.pos;
    const raw = prefix.includes('r');
    const bytes = prefix.includes('b');
    if (prefix.includes('u') && prefix.length > 1) this.fail('invalid string prefix');
    this.pos += prefix.length;
    const triple = this.dialect === 'python' && this.text.startsWith(quote.repeat(3), this.pos);
    const delim = triple ? quote.repeat(3) : quote;
    this.pos += delim.length;
    const s = this.text;
    let out = '';
    for (;;) {
      if (this.pos >= s.length) this.fail('unterminated string', start);
      if (s.startsWith(delim, this.pos)) { this.pos += delim.length; break; }
      const c = s[this.pos];
      if (c === '\\') {
        if (raw) {
          out += c + (s[this.pos + 1] ?? '');
          this.pos += 2;
          continue;
        }
        out += this.escape(bytes);
        continue;
      }
      if ((c === '\n' || c === '\r') && !triple && quote !== '`') this.fail('newline inside a string', this.pos);
      if (this.dialect === 'json' && c < ' ') this.fail('control character inside a JSON string', this.pos);
      if (quote === '`' && c === '$' && s[this.pos + 1] === '{') this.fail('template literals with ${} are not literals', this.pos);
      if (bytes && c.charCodeAt(0) > 127) this.fail('non-ASCII character in a bytes literal', this.pos);
      out += c;
      this.pos++;
    }
    return bytes ? { t: 'bytes', v: out } : { t: 'str', v: out };
  }

  escape(bytes: boolean): string {
    const s = this.text;
    const at = this.pos;
    const c = s[this.pos + 1];
    this.pos += 2;
    const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', b: '\b', f: '\f' };
    if (this.dialect === 'json') {
      if (c === '/') return '/';
      if (c === 'u') return this.hexEscape(4, at);
      if (c !== "'" && Object.hasOwn(simple, c)) return simple[c];
      return this.fail(`invalid escape \\${c ?? ''}`, at);
    }
    if (Object.hasOwn(simple, c)) return simple[c];
    if (c === 'v') return '\v';
    if (c === '\n') return '';
    if (c === 'x') return this.hexEscape(2, at);
    if (this.dialect === 'python') {
      if (c === 'a') return '\x07';
      if (/[0-7]/.test(c)) {
        const m = /^[0-7]{1,3}/.exec(s.slice(this.pos - 1, this.pos + 2))!;
        this.pos += m[0].length - 1;
        return String.fromCodePoint(parseInt(m[0], 8));
      }
      if (!bytes && c === 'u') return this.hexEscape(4, at);
      if (!bytes && c === 'U') return this.hexEscape(8, at);
      if (c === 'N') this.fail('\\N{...} escapes are not supported', at);
      return '\\' + (c ?? ''); // Python keeps unknown escapes as written
    }
    // JavaScript
    if (c === '0' && !/[0-9]/.test(s[this.pos] ?? '')) return '\0';
    if (c === 'u') {
      if (s[this.pos] === '{') {
        const m = /^\{([0-9a-fA-F]{1,6})\}/.exec(s.slice(this.pos, this.pos + 9));
        if (!m) this.fail('invalid \\u{...} escape', at);
        this.pos += m[0].length;
        return String.fromCodePoint(parseInt(m[1], 16));
      }
      return this.hexEscape(4, at);
    }
    if (c === '`' || c === '$') return c;
    if (c === '\r') return '';
    return c ?? this.fail('unterminated string', at);
  }

  hexEscape(n: number, at: number): string {
    const h = this.text.slice(this.pos, this.pos + n);
    if (!new RegExp(`^[0-9a-fA-F]{${n}}$`).test(h)) this.fail('invalid hex escape', at);
    this.pos += n;
    const code = parseInt(h, 16);
    if (code > 0x10ffff) this.fail('escape beyond U+10FFFF', at);
    return n === 4 ? String.fromCharCode(code) : String.fromCodePoint(code);
  }
}

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
function uniqueEntries(entries: [Lit, Lit][], dialect: Dialect): [Lit, Lit][] {
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

function uniqueItems(items: Lit[], dialect: Dialect): Lit[] {
  return uniqueEntries(items.map((x) => [x, x]), dialect).map(([k]) => k);
}

function negate(v: Lit, sign: string, dialect: Dialect): Lit {
  if (sign === '+') return v;
  // JavaScript Numbers have a signed zero; Python ints do not
  if (dialect === 'javascript' && v.t === 'int' && !v.big && v.v === 0n) return { t: 'float', v: -0 };
  if (v.t === 'int') return { ...v, v: -v.v };
  if (v.t === 'float') return { t: 'float', v: -v.v };
  return v;
}

function iterableItems(v: Lit): Lit[] | null {
  if (v.t === 'list' || v.t === 'tuple' || v.t === 'set') return v.items;
  if (v.t === 'str') return [...v.v].map((ch) => ({ t: 'str', v: ch }));
  if (v.t === 'dict') return v.entries.map(([k]) => k);
  return null;
}

/** Python's float(str) grammar: optional spaces and sign, decimal with `_`, inf/infinity/nan. Null if invalid. */
export function parsePythonFloatText(text: string): number | null {
  const m = /^[\s]*([+-]?)(?:(inf|infinity)|(nan)|((?:[0-9](?:_?[0-9])*)?(?:\.(?:[0-9](?:_?[0-9])*)?)?(?:[eE][+-]?[0-9](?:_?[0-9])*)?))[\s]*$/i.exec(text);
  if (!m) return null;
  const sign = m[1] === '-' ? -1 : 1;
  if (m[2]) return sign * Infinity;
  if (m[3]) return NaN;
  const body = m[4].replace(/_/g, '');
  if (!/[0-9]/.test(body.split(/[eE]/)[0])) return null;
  return sign * Number(body);
}
