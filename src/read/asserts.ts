/**
 * Turn assert-style test programs into call-style test cases.
 *
 * HumanEval (`def check(candidate): assert candidate(1, 2) == 3`), MBPP
 * (`assert add(1, 2) == 3`) and HumanEval-X JavaScript
 * (`console.assert(add(1, 2) === 3)`, `assert.deepStrictEqual(add(1, 2), 3)`)
 * check the program by calling its entry point. Each such call becomes one
 * `{kind: 'call'}` input; the value on the other side of `==`/`===` becomes
 * the expected output (as a source literal). An assert that calls the entry
 * point in some other way (`assert abs(candidate(x) - 0.5) < 1e-6`) still
 * gives its call, with no expected value. Asserts that never call the entry
 * point are skipped and counted, so the caller can say so.
 *
 * This is a scanner that knows brackets and string literals, not a parser: it
 * is enough for the one-line asserts these datasets use, and it never throws.
 */
import type { Language } from './types.js';

export interface AssertCall {
  call: string;
  expected: string | null;
}

export interface AssertScan {
  calls: AssertCall[];
  skipped: number;
}

/**
 * @param entryPoint the function under test; `candidate` (HumanEval's
 *   parameter name) is always accepted too and rewritten to it.
 * @param definedNames functions the program defines: when no entry point is
 *   known (MBPP), an assert calling one of them tests it.
 */
export function scanAsserts(testCode: string, entryPoint: string | null, language: Language, definedNames: readonly string[] = []): AssertScan {
  const statements = language === 'python' ? pythonAsserts(testCode) : jsAsserts(testCode);
  const names = new Set(entryPoint ? ['candidate', entryPoint] : definedNames);
  const calls: AssertCall[] = [];
  let skipped = 0;
  for (const s of statements) {
    const parsed = language === 'python' ? pythonAssert(s, names) : jsAssert(s, names);
    if (parsed === null) {
      skipped++;
      continue;
    }
    // Arguments that name the test's own variables (`decode(encoded_str)` in a loop) cannot be
    // evaluated after the program alone.
    if (hasFreeNames(parsed.call.slice(parsed.callee.length), language)) {
      skipped++;
      continue;
    }
    const expected = parsed.expected !== null && hasFreeNames(parsed.expected, language) ? null : parsed.expected;
    const target = parsed.callee === 'candidate' && entryPoint ? entryPoint : parsed.callee;
    calls.push({ call: target + parsed.call.slice(parsed.callee.length), expected });
  }
  return { calls, skipped };
}

interface Parsed {
  callee: string;
  call: string;
  expected: string | null;
}

/** Python: bodies of `assert` statements (the expression, without the message). */
function pythonAsserts(code: string): string[] {
  const out: string[] = [];
  const re = /^[ \t]*assert\b/gm;
  let m: RegExpExecArray | null;
  while ((m = re.exec(code)) !== null) {
    const start = m.index + m[0].length;
    const end = statementEnd(code, start, 'python');
    const [expr] = splitTopLevel(code.slice(start, end), ',', 'python');
    out.push(expr.trim());
    re.lastIndex = end;
  }
  return out;
}

/** JavaScript: argument lists of console.assert(...) / assert.xxx(...) / assert(...). */
function jsAsserts(code: string): string[] {
  const out: string[] = [];
  const re = /\b(console\.assert|assert(?:\.(?:strictEqual|equal|deepStrictEqual|deepEqual|ok))?)\s*\(/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(code)) !== null) {
    const open = m.index + m[0].length - 1;
    const close = matchingBracket(code, open, 'javascript');
    if (close < 0) break;
    const args = code.slice(open + 1, close);
    const kind = m[1];
    if (kind === 'console.assert' || kind === 'assert' || kind === 'assert.ok') {
      out.push(splitTopLevel(args, ',', 'javascript')[0].trim());
    } else {
      // assert.deepStrictEqual(actual, expected[, message]) -> "actual === expected"
      const parts = splitTopLevel(args, ',', 'javascript');
      out.push(parts.length >= 2 ? `${parts[0].trim()} === ${parts[1].trim()}` : args.trim());
    }
    re.lastIndex = close + 1;
  }
  return out;
}

function pythonAssert(expr: string, names: Set<string>): Parsed | null {
  return sidedCall(expr, names, ['=='], 'python');
}

function jsAssert(expr: string, names: Set<string>): Parsed | null {
  return sidedCall(expr, names, ['===', '=='], 'javascript');
}

/**
 * `CALL == VALUE` or `VALUE == CALL` gives both; any other expression that
 * contains a call to one of `names` gives the first such call alone.
 */
function sidedCall(expr: string, names: Set<string>, ops: string[], language: Language): Parsed | null {
  for (const op of ops) {
    const sides = splitTopLevel(expr, op, language);
    if (sides.length !== 2) continue;
    const [left, right] = sides.map((s) => stripParens(s.trim(), language));
    const l = wholeCall(left, names, language);
    if (l) return { ...l, expected: right };
    const r = wholeCall(right, names, language);
    if (r) return { ...r, expected: left };
  }
  const first = firstCall(expr, names, language);
  return first ? { ...first, expected: null } : null;
}

function wholeCall(text: string, names: Set<string>, language: Language): { callee: string; call: string } | null {
  const m = /^([A-Za-z_$][\w$]*)\s*\(/.exec(text);
  if (!m || !names.has(m[1])) return null;
  const close = matchingBracket(text, m[0].length - 1, language);
  if (close !== text.length - 1) return null;
  return { callee: m[1], call: m[1] + text.slice(m[0].length - 1) };
}

function firstCall(text: string, names: Set<string>, language: Language): { callee: string; call: string } | null {
  const re = /(?<![\w$.])([A-Za-z_$][\w$]*)\s*\(/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    if (!names.has(m[1])) continue;
    const open = m.index + m[0].length - 1;
    const close = matchingBracket(text, open, language);
    if (close < 0) return null;
    return { callee: m[1], call: m[1] + text.slice(open, close + 1) };
  }
  return null;
}

/** `((f(x)))` -> `f(x)`; a tuple `(1, 2)` or `()` keeps its parentheses. */
function stripParens(text: string, language: Language): string {
  while (text.startsWith('(') && matchingBracket(text, 0, language) === text.length - 1) {
    const inner = text.slice(1, -1).trim();
    if (inner === '' || splitTopLevel(inner, ',', language).length > 1) break;
    text = inner;
  }
  return text;
}

const OPEN = '([{';
const CLOSE = ')]}';

/** Index of the bracket closing the one at `open`, or -1. Skips strings and comments. */
const LITERAL_NAMES = new Set([
  'True', 'False', 'None', 'true', 'false', 'null', 'undefined', 'NaN', 'Infinity',
  // builtins passed as values (`remove_type(xs, int)`)
  'int', 'str', 'float', 'list', 'dict', 'tuple', 'set', 'bool', 'bytes', 'complex', 'frozenset', 'object', 'type',
  'len', 'abs', 'max', 'min', 'sum', 'sorted', 'print', 'Number', 'String', 'Array', 'Object', 'Boolean', 'Math',
]);

/**
 * Does the expression use a variable (a bare name that is not a literal,
 * not called and not an attribute base)? Strings are skipped.
 */
function hasFreeNames(expr: string, language: Language): boolean {
  for (let i = 0; i < expr.length; i++) {
    const skip = skipLiteral(expr, i, language);
    if (skip > i) {
      i = skip - 1;
      continue;
    }
    const m = /^[A-Za-z_$][\w$]*/.exec(expr.slice(i));
    if (!m || /[\w$.]/.test(expr[i - 1] ?? '')) continue;
    const after = expr.slice(i + m[0].length).trimStart()[0] ?? '';
    const isStringPrefix = language === 'python' && /^[rbfuRBFU]{1,2}$/.test(m[0]) && (after === '"' || after === "'");
    const isKeyword = /^(lambda|for|in|if|else|not|and|or|is|new|typeof)$/.test(m[0]);
    if (!LITERAL_NAMES.has(m[0]) && after !== '(' && after !== '.' && !isStringPrefix && !isKeyword) return true;
    i += m[0].length - 1;
  }
  return false;
}

/** Names of top-level functions a program defines (`def f`, `function f`, `const f = (...) =>`). */
export function definedFunctions(code: string, language: Language): string[] {
  const re = language === 'python'
    ? /^(?:async\s+)?def\s+([A-Za-z_]\w*)\s*\(|^class\s+([A-Za-z_]\w*)/gm
    : /^(?:export\s+)?(?:async\s+)?function\s*\*?\s*([A-Za-z_$][\w$]*)\s*\(|^(?:export\s+)?(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*=\s*(?:async\s*)?(?:function\b|\([^)]*\)\s*=>|[A-Za-z_$][\w$]*\s*=>)/gm;
  const names: string[] = [];
  let m: RegExpExecArray | null;
  while ((m = re.exec(code)) !== null) names.push(m[1] ?? m[2]);
  return names;
}

export function matchingBracket(text: string, open: number, language: Language): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const skip = skipLiteral(text, i, language);
    if (skip > i) {
      i = skip - 1;
      continue;
    }
    const c = text[i];
    if (OPEN.includes(c)) depth++;
    else if (CLOSE.includes(c)) {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

/** Split on `sep` at bracket depth 0, outside strings. */
export function splitTopLevel(text: string, sep: string, language: Language): string[] {
  const parts: string[] = [];
  let depth = 0;
  let last = 0;
  for (let i = 0; i < text.length; i++) {
    const skip = skipLiteral(text, i, language);
    if (skip > i) {
      i = skip - 1;
      continue;
    }
    const c = text[i];
    if (OPEN.includes(c)) depth++;
    else if (CLOSE.includes(c)) depth--;
    else if (depth === 0 && text.startsWith(sep, i) && isOperatorBoundary(text, i, sep)) {
      parts.push(text.slice(last, i));
      i += sep.length - 1;
      last = i + 1;
    }
  }
  parts.push(text.slice(last));
  return parts;
}

/** `==` must not be part of `===`, `!==`, `<==`, `>==` or `==`'s own longer run. */
function isOperatorBoundary(text: string, i: number, sep: string): boolean {
  if (sep === ',') return true;
  const before = text[i - 1] ?? '';
  const after = text[i + sep.length] ?? '';
  return !'=!<>'.includes(before) && after !== '=';
}

/** End of a Python statement starting at `start`: a newline at depth 0 without a backslash continuation. */
function statementEnd(code: string, start: number, language: Language): number {
  let depth = 0;
  for (let i = start; i < code.length; i++) {
    const skip = skipLiteral(code, i, language);
    if (skip > i) {
      i = skip - 1;
      continue;
    }
    const c = code[i];
    if (OPEN.includes(c)) depth++;
    else if (CLOSE.includes(c)) depth--;
    else if (c === '\n' && depth <= 0 && code[i - 1] !== '\\') return i;
    else if (c === ';' && depth <= 0) return i;
  }
  return code.length;
}

/** If a string literal or comment starts at i, the index just after it; else i. */
function skipLiteral(text: string, i: number, language: Language): number {
  const c = text[i];
  if (language === 'python' && c === '#') {
    const nl = text.indexOf('\n', i);
    return nl < 0 ? text.length : nl;
  }
  if (language === 'javascript' && c === '/' && text[i + 1] === '/') {
    const nl = text.indexOf('\n', i);
    return nl < 0 ? text.length : nl;
  }
  if (language === 'javascript' && c === '/' && text[i + 1] === '*') {
    const end = text.indexOf('*/', i + 2);
    return end < 0 ? text.length : end + 2;
  }
  const quotes = language === 'python' ? `'"` : `'"\``;
  if (!quotes.includes(c)) return i;
  if (language === 'python' && text.startsWith(c.repeat(3), i)) {
    const end = text.indexOf(c.repeat(3), i + 3);
    return end < 0 ? text.length : end + 3;
  }
  for (let j = i + 1; j < text.length; j++) {
    if (text[j] === '\\') j++;
    else if (text[j] === c) return j + 1;
    else if (text[j] === '\n' && c !== '`') return j;
  }
  return text.length;
}
