/**
 * The literal parser on hand-written Python, JavaScript and JSON literals,
 * checked against real python3 (ast.literal_eval + repr) and real node
 * (eval of the literal, then util.inspect), never against our own output.
 */
import { describe, expect, test } from 'vitest';
import { execFileSync } from 'node:child_process';
import { parseLiteral, tryParseLiteral } from '../../src/values/parse.js';
import { pyRepr, pyFloatRepr } from '../../src/values/print.js';
import { runPython } from '../score/python.js';

// Sets of strings are left out: their order in repr() depends on the hash seed.
const PY_LITERALS = [
  "(1,)", "()", "(1, 'a', [2.5, None])", "{1: 'a', 'b': (2, 3)}", "{'x'}", "{1, True, 1.0}", "{1: 'a', 1.0: 'b', True: 'c'}",
  "'it''s'", "'a' \"b\"", "r'\\d+\\n'", "b'\\x00ab\\n'", "'\\u00e9\\t\\x41\\101'", "'''tri\nple'''", "-5", "+3.5", "- 2",
  "1_000_000", "0x1F", "0o17", "0b101", "1e16", "1e-05", "0.0001", "123456789012345678901234567890", "-0.0", "2.", ".5",
  "[1, 2,]", "{'a': 1,}", "[[[]]]", "'\"'", "\"'\"", "'\\\\'", "{'k': {'j': [1, (2,)]}}", "1.7976931348623157e+308", "5e-324",
  "0.1", "100.0", "1e+22", "123456789.123", "'\\U0001F600'", "'\\x7f\\xa0'", "(((1)))",
];

const PY_CHECK = String.raw`
import ast, json, sys
out = []
for t in json.load(sys.stdin):
    try: out.append(repr(ast.literal_eval(t)))
    except Exception as e: out.append("!" + type(e).__name__)
print(json.dumps(out))
`;

describe('Python literals', () => {
  test('parse then repr equals python3 ast.literal_eval then repr', () => {
    const expected = runPython(PY_CHECK, PY_LITERALS) as string[];
    const ours = PY_LITERALS.map((t) => pyRepr(parseLiteral(t, 'python')));
    expect(ours).toEqual(expected);
  });

  test('set(), frozenset(), float() and inf/nan forms', () => {
    expect(pyRepr(parseLiteral('set()', 'python'))).toBe('set()');
    expect(pyRepr(parseLiteral('frozenset({1, 2})', 'python'))).toBe('frozenset({1, 2})');
    expect(pyRepr(parseLiteral('set([3, 3, 4])', 'python'))).toBe('{3, 4}');
    expect(pyRepr(parseLiteral("float('-inf')", 'python'))).toBe('-inf');
    expect(pyRepr(parseLiteral('[inf, nan]', 'python'))).toBe('[inf, nan]');
  });

  test.each([
    ['[1] * 3', /after the value/], ['list(range(3))', /"range" is not a literal/], ['f(1)', /"f" is not a literal/], ['1j', /complex/],
    ["f'x'", /after the value|not a literal/], ['[1, 2', /expected ','/], ["'abc", /unterminated string/], ['007', /leading zeros/],
    ['{1: 2, 3}', /expected ':'/], ['', /end of text/], ['-"a"', /only to numbers/], ['true', /"true" is not a literal/],
  ])('not a literal: %s', (text, reason) => {
    const r = tryParseLiteral(text, 'python');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(reason);
  });

  test('float repr follows Python for shortest digits and exponent range', () => {
    const xs = [0.1, 1 / 3, 1e16, 1e15, 1.5e-5, 1e-4, 123.0, -2.5e300, 2 ** 60, 0.30000000000000004];
    const expected = runPython('import json,sys; print(json.dumps([repr(float(x)) for x in json.load(sys.stdin)]))', xs) as string[];
    expect(xs.map(pyFloatRepr)).toEqual(expected);
  });
});

const JS_LITERALS = [
  "[1, 'a', null, undefined, true]", '{a: 1, "b": [2], \'c\': {d: NaN}}', 'new Set([1, 2, 2])', "new Map([['a', 1], [2, 'b']])",
  '-0', 'Infinity', '-Infinity', '123n', '0x10', '`tmpl`', "'\\u{1F600}'", '1e21', '.5', '{1: "x", "1": "y"}', '[ 1, 2 ]',
];

describe('JavaScript literals', () => {
  test('parse agrees with node eval of the same literal (type and value)', () => {
    // node prints each literal with util.inspect; we map our Lit to the same text
    const script = `const util = require('node:util'); const xs = JSON.parse(require('node:fs').readFileSync(0, 'utf8'));
      console.log(JSON.stringify(xs.map((t) => util.inspect(eval('(' + t + ')'), { breakLength: Infinity }))));`;
    const expected = JSON.parse(execFileSync('node', ['-e', script], { input: JSON.stringify(JS_LITERALS), encoding: 'utf8' })) as string[];
    const ours = JS_LITERALS.map((t) => inspectLike(parseLiteral(t, 'javascript')));
    expect(ours).toEqual(expected);
  });

  test('util.inspect forms of Set and Map read back', () => {
    expect(parseLiteral('Set(2) { 1, 2 }', 'javascript')).toEqual({ t: 'set', items: [{ t: 'int', v: 1n }, { t: 'int', v: 2n }], frozen: false });
    expect(parseLiteral("Map(1) { 'a' => [ 1 ] }", 'javascript')).toEqual({ t: 'map', entries: [[{ t: 'str', v: 'a' }, { t: 'list', items: [{ t: 'int', v: 1n }] }]] });
  });

  test.each(['`a${b}`', 'foo', 'new Date()', '[1, 2'])('not a literal: %s', (text) => {
    expect(tryParseLiteral(text, 'javascript').ok).toBe(false);
  });
});

describe('JSON', () => {
  test('int vs float is kept; trailing commas only when asked; NaN only when asked', () => {
    expect(parseLiteral('[1, 1.0, 1e2]', 'json')).toEqual({ t: 'list', items: [{ t: 'int', v: 1n }, { t: 'float', v: 1 }, { t: 'float', v: 100 }] });
    expect(tryParseLiteral('[1,]', 'json').ok).toBe(false);
    expect(tryParseLiteral('[1,]', 'json', { trailingCommas: true }).ok).toBe(true);
    expect(tryParseLiteral('NaN', 'json').ok).toBe(false);
    expect(tryParseLiteral('[NaN, -Infinity]', 'json', { nonFinite: true }).ok).toBe(true);
    expect(tryParseLiteral("{'a': 1}", 'json').ok).toBe(false);
    expect(tryParseLiteral('"a\nb"', 'json').ok).toBe(false);
    expect(parseLiteral('{"a": 1, "a": 2}', 'json')).toEqual({ t: 'dict', entries: [[{ t: 'str', v: 'a' }, { t: 'int', v: 2n }]] });
  });
});

/** util.inspect-like text of a Lit, to compare with node's own printing. */
function inspectLike(v: ReturnType<typeof parseLiteral>): string {
  const q = (s: string): string => (s.includes("'") && !s.includes('"') ? `"${s}"` : `'${s}'`);
  const key = (k: string): string => (/^[A-Za-z_$][\w$]*$/.test(k) ? k : q(k));
  switch (v.t) {
    case 'none': return 'null';
    case 'undefined': return 'undefined';
    case 'bool': return String(v.v);
    case 'int': return v.big ? `${v.v}n` : String(v.v);
    case 'float': return Object.is(v.v, -0) ? '-0' : String(v.v);
    case 'str': return q(v.v);
    case 'list': return v.items.length ? `[ ${v.items.map(inspectLike).join(', ')} ]` : '[]';
    case 'set': return `Set(${v.items.length}) { ${v.items.map(inspectLike).join(', ')} }`;
    case 'map': return `Map(${v.entries.length}) { ${v.entries.map(([k, x]) => `${inspectLike(k)} => ${inspectLike(x)}`).join(', ')} }`;
    case 'dict': return v.entries.length ? `{ ${v.entries.map(([k, x]) => `${key((k as { v: string }).v)}: ${inspectLike(x)}`).join(', ')} }` : '{}';
    default: return JSON.stringify(v);
  }
}
