/** Lexical layer of the literal parser (parse.ts): positions and errors, whitespace, numbers, strings and escapes, per dialect. */
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

/** What is at `pos`, for error messages. */
export function describe(text: string, pos: number): string {
  if (pos >= text.length) return 'end of text';
  return JSON.stringify(text.slice(pos, pos + 12));
}

/** A cursor over the text with the dialect's tokens; parse.ts adds the grammar on top. */
export class Scanner {
  pos = 0;

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
