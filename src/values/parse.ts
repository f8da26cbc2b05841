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
import { LiteralError, Scanner, describe, parsePythonFloatText, type ParseOptions } from './scan.js';
import { uniqueEntries, uniqueItems } from './unique.js';

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

/** The grammar: values, containers, names and calls, over the Scanner's tokens. */
class Parser extends Scanner {
  depth = 0;
  keepSpans = false;
  topEntries: [Lit, Parsed][] = [];

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
