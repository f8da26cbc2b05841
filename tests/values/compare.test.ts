/**
 * Each comparison rule (src/values/compare.ts) and each reward scheme, with
 * scores computed by hand. Ground truth is written as the build will write
 * it: typed values {repr, json} with the tagged JSON of tracers/README.md,
 * in ground-truth format /1 (values as literals inside JSON strings), whose
 * rules the scorer keeps; tests/score/answer-form.test.ts covers format /2.
 */
import { describe, expect, test } from 'vitest';
import { scoreResponse, type RewardScheme } from '../../src/score/score.js';
import { normalizeOutput } from '../../src/values/compare.js';
import { GROUND_TRUTH_FORMAT_V1 as GROUND_TRUTH_FORMAT, toReferenceJson } from '../../src/model/task.js';

type V = { repr: string; json: unknown };

function gt(language: 'python' | 'javascript', output: V | string | null, variables: Record<string, V> = {}): string {
  const task = output === null ? 'line-state' : Object.keys(variables).length ? 'output-vars' : 'output';
  return JSON.stringify({
    input: '', expected_output: typeof output === 'string' ? output : output?.repr ?? '',
    expected_local_variable: Object.fromEntries(Object.entries(variables).map(([k, v]) => [k, toReferenceJson(v.json)])),
    code: '', problem_id: 't', format: GROUND_TRUTH_FORMAT, task, language,
    output: output === null ? null : typeof output === 'string' ? { kind: 'stdout', text: output } : { kind: 'return', value: output },
    variables, provenance: {},
  });
}

/** Score one value answered for a Python return-value task, strict: 1 right, 0 wrong. */
function py(expected: V, answer: string, reward: RewardScheme = 'strict'): number {
  return scoreResponse(gt('python', expected), answer, { reward, compat: null }).score;
}
function js(expected: V, answer: string): number {
  return scoreResponse(gt('javascript', expected), answer, { reward: 'strict', compat: null }).score;
}
const out = (v: unknown): string => JSON.stringify({ final_output: v });

const INT2: V = { repr: '2', json: 2 };
const FLOAT2: V = { repr: '2.0', json: { $type: 'float', value: '2.0' } };
const TRUE: V = { repr: 'True', json: true };
const NONE: V = { repr: 'None', json: null };
const TUPLE: V = { repr: '(1, 2)', json: { $type: 'tuple', items: [1, 2] } };
const LIST: V = { repr: '[1, 2]', json: [1, 2] };
const SET: V = { repr: "{'a', 'b'}", json: { $type: 'set', items: ['a', 'b'] } };
const INTKEYS: V = { repr: "{1: 'a', 2: 'b'}", json: { $type: 'dict', entries: [[1, 'a'], [2, 'b']] } };
const STRKEYS: V = { repr: "{'x': 1, 'y': [2]}", json: { x: 1, y: [2] } };
const STR1: V = { repr: "'1'", json: '1' };
const BIG: V = { repr: '123456789012345678901', json: { $type: 'int', value: '123456789012345678901' } };
const THIRD: V = { repr: '0.3', json: 0.3 };

describe('bool is never 1 or "1"', () => {
  test.each([
    [out('True'), 1], [out(true), 1], [out(1), 0], [out('1'), 0], [out(1.0), 0], [out('true'), 1],
  ])('True vs %s -> %d', (answer, score) => expect(py(TRUE, answer)).toBe(score));
  test('and 1 is not True', () => expect(py({ repr: '1', json: 1 }, out(true))).toBe(0));
});

describe('None / null', () => {
  test.each([
    [out('None'), 1], [out(null), 1], [out(0), 0], [out(''), 0], [out("'None'"), 0], [out(false), 0],
  ])('None vs %s -> %d', (answer, score) => expect(py(NONE, answer)).toBe(score));
});

describe('numbers', () => {
  test('Python int is not float', () => {
    expect(py(INT2, out(2))).toBe(1);
    expect(py(INT2, out('2'))).toBe(1);
    expect(py(INT2, '{"final_output": 2.0}')).toBe(0);
    expect(py(FLOAT2, '{"final_output": 2.0}')).toBe(1);
    expect(py(FLOAT2, out('2.0'))).toBe(1);
    expect(py(FLOAT2, out(2))).toBe(0);
  });
  test('floats: relative tolerance 1e-9', () => {
    expect(py(THIRD, out(0.30000000000000004))).toBe(1); // 0.1 + 0.2
    expect(py(THIRD, out(0.3000000001))).toBe(1); // |d| = 1e-10 <= tol = 1e-9 * 0.3 = 3e-10
    expect(py(THIRD, out(0.3000000004))).toBe(0); // |d| = 4e-10 > 3e-10
  });
  test('tolerance boundary, computed by hand', () => {
    // tol = 1e-9 * 1000 = 1e-6: 1000.0000009 is inside, 1000.000002 is outside
    const K: V = { repr: '1000.5', json: 1000.5 };
    expect(py(K, out(1000.5000009))).toBe(1);
    expect(py(K, out(1000.500002))).toBe(0);
  });
  test('nan, inf, big ints', () => {
    expect(py({ repr: 'nan', json: { $type: 'float', value: 'nan' } }, out("float('nan')"))).toBe(1);
    expect(py({ repr: 'inf', json: { $type: 'float', value: 'inf' } }, out('inf'))).toBe(1);
    expect(py({ repr: '-inf', json: { $type: 'float', value: '-inf' } }, out('inf'))).toBe(0);
    expect(py(BIG, out('123456789012345678901'))).toBe(1);
    expect(py(BIG, '{"final_output": 123456789012345678901}')).toBe(1);
    expect(py(BIG, out('123456789012345678900'))).toBe(0);
  });
  test('JavaScript has one Number type; BigInt is distinct', () => {
    expect(js({ repr: '2', json: 2 }, out('2.0'))).toBe(1);
    expect(js({ repr: '2', json: 2 }, '{"final_output": 2.0}')).toBe(1);
    expect(js({ repr: '2n', json: { $type: 'bigint', value: '2' } }, out('2n'))).toBe(1);
    expect(js({ repr: '2n', json: { $type: 'bigint', value: '2' } }, out(2))).toBe(0);
    expect(js({ repr: 'NaN', json: { $type: 'float', value: 'NaN' } }, out('NaN'))).toBe(1);
    expect(js({ repr: 'undefined', json: { $type: 'undefined' } }, out('undefined'))).toBe(1);
    expect(js({ repr: 'undefined', json: { $type: 'undefined' } }, out(null))).toBe(0);
  });
});

describe('containers', () => {
  test('tuple vs list', () => {
    expect(py(TUPLE, out('(1, 2)'))).toBe(1);
    expect(py(TUPLE, out([1, 2]))).toBe(0);
    expect(py(TUPLE, out('[1, 2]'))).toBe(0);
    expect(py(LIST, out([1, 2]))).toBe(1);
    expect(py(LIST, out([2, 1]))).toBe(0);
    expect(py(LIST, out('(1, 2)'))).toBe(0);
  });
  test('sets ignore order; frozenset is another type', () => {
    expect(py(SET, out("{'b', 'a'}"))).toBe(1);
    expect(py(SET, out("{'a', 'b', 'a'}"))).toBe(1); // a Python set literal collapses duplicates
    expect(py(SET, out(['a', 'b']))).toBe(0);
    expect(py(SET, out("frozenset({'a', 'b'})"))).toBe(0);
    expect(py(SET, out("{'a'}"))).toBe(0);
    expect(py({ repr: 'set()', json: { $type: 'set', items: [] } }, out('set()'))).toBe(1);
    expect(py({ repr: 'set()', json: { $type: 'set', items: [] } }, out('{}'))).toBe(0);
    expect(js({ repr: 'Set(2) { 1, 2 }', json: { $type: 'set', items: [1, 2] } }, out('new Set([2, 1])'))).toBe(1);
    expect(js({ repr: 'Set(2) { 1, 2 }', json: { $type: 'set', items: [1, 2] } }, out('Set(2) { 1, 2 }'))).toBe(1);
  });
  test('dict key types matter, order does not', () => {
    expect(py(INTKEYS, out("{2: 'b', 1: 'a'}"))).toBe(1);
    expect(py(INTKEYS, out({ 1: 'a', 2: 'b' }))).toBe(0); // JSON keys are strings
    expect(py(INTKEYS, out("{'1': 'a', '2': 'b'}"))).toBe(0);
    expect(py(STRKEYS, out({ y: [2], x: 1 }))).toBe(1);
    expect(py(STRKEYS, out({ x: 1, y: [2], z: 0 }))).toBe(0);
    expect(py(STRKEYS, out({ x: 1, y: ['2'] }))).toBe(0);
    expect(js({ repr: "Map(1) { 1 => 'a' }", json: { $type: 'map', entries: [[1, 'a']] } }, out("new Map([[1, 'a']])"))).toBe(1);
    expect(js({ repr: "Map(1) { 1 => 'a' }", json: { $type: 'map', entries: [[1, 'a']] } }, out("{1: 'a'}"))).toBe(0);
  });
  test('strings: a quoted literal or a bare non-literal string', () => {
    expect(py(STR1, out("'1'"))).toBe(1);
    expect(py(STR1, out('"1"'))).toBe(1);
    expect(py(STR1, out('1'))).toBe(0); // "1" reads as the literal 1, an int
    expect(py({ repr: "'hello world'", json: 'hello world' }, out('hello world'))).toBe(1);
    expect(py({ repr: "'a\\nb'", json: 'a\nb' }, out("'a\\nb'"))).toBe(1);
    expect(py({ repr: "b'ab'", json: { $type: 'bytes', repr: "b'ab'" } }, out("b'ab'"))).toBe(1);
    expect(py({ repr: "b'ab'", json: { $type: 'bytes', repr: "b'ab'" } }, out("'ab'"))).toBe(0);
  });
});

describe('printed output', () => {
  test('normalisation: line endings, trailing spaces per line, outer blank space', () => {
    expect(normalizeOutput('3 \r\n6\t\n\n')).toBe('3\n6');
    expect(normalizeOutput('\n  a\n\n b')).toBe('a\n\n b');
  });
  test.each([
    ['3\n6', 1], ['3\n6\n', 1], ['3  \r\n6', 1], ['3 6', 0], ['3\n\n6', 0], ['3\n 6', 0], [' 3\n6 ', 1],
  ])('expected "3\\n6", answered %j -> %d', (answer, score) => {
    expect(scoreResponse(gt('python', '3\n6'), out(answer), { reward: 'strict', compat: null }).score).toBe(score);
  });
  test('a bare number is taken as the text it is written as', () => {
    expect(scoreResponse(gt('python', '42'), '{"final_output": 42}', { reward: 'strict', compat: null }).score).toBe(1);
    expect(scoreResponse(gt('python', '2.50'), '{"final_output": 2.50}', { reward: 'strict', compat: null }).score).toBe(1);
    expect(scoreResponse(gt('python', '2.5'), '{"final_output": 2.50}', { reward: 'strict', compat: null }).score).toBe(0);
  });
});

describe('reward schemes and variables', () => {
  const G = gt('python', { repr: '6', json: 6 }, {
    total: { repr: '6', json: 6 }, 'solve.seen': { repr: '{1, 2}', json: { $type: 'set', items: [1, 2] } }, 'main.seen': { repr: '[]', json: [] },
  });
  const answer = JSON.stringify({ final_output: '6', variables: { total: 6, 'solve.seen': '{2, 1}', 'main.seen': '[0]' } });
  test.each([
    ['coderl', 0.1 + 0.9 * (3 / 4)], ['strict', 0], ['items', 0.75],
  ] as [RewardScheme, number][])('3 of 4 items right under %s -> %d', (reward, score) => {
    expect(scoreResponse(G, answer, { reward, compat: null }).score).toBeCloseTo(score, 12);
  });
  test('all right: 1 under every scheme', () => {
    const right = JSON.stringify({ final_output: 6, variables: { total: 6, 'solve.seen': '{1, 2}', 'main.seen': [] } });
    for (const reward of ['coderl', 'strict', 'items'] as RewardScheme[]) {
      expect(scoreResponse(G, right, { reward, compat: null }).score).toBe(1);
    }
  });
  test('a bare name answers a qualified target only when unambiguous', () => {
    const G2 = gt('python', { repr: '1', json: 1 }, { 'solve.total': { repr: '3', json: 3 } });
    expect(scoreResponse(G2, JSON.stringify({ final_output: 1, variables: { total: 3 } }), { reward: 'strict', compat: null }).score).toBe(1);
    const bare = JSON.stringify({ final_output: '6', variables: { total: 6, seen: '{1, 2}' } });
    const r = scoreResponse(G, bare, { reward: 'items', compat: null });
    expect(r.items.map((i) => [i.name, i.ok, i.why ?? null])).toEqual([
      ['final_output', true, null], ['total', true, null], ['solve.seen', false, 'missing'], ['main.seen', false, 'missing'],
    ]);
    expect(r.score).toBe(0.5);
  });
  test('breakdown: expected vs got with a reason', () => {
    const r = scoreResponse(G, answer, { reward: 'coderl', compat: null });
    expect(r.items[3]).toEqual({ name: 'main.seen', ok: false, expected: '[]', got: '[0]', why: 'expected 0 items, got 1' });
    expect(r).toMatchObject({ format_ok: true, task: 'output-vars', correct: 3, total: 4, answer_path: 'last-line' });
  });
  test('line-state tasks have variables only', () => {
    const L = gt('python', null, { i: { repr: '2', json: 2 } });
    expect(scoreResponse(L, '{"variables": {"i": 2}}', { reward: 'coderl', compat: null }).score).toBe(1);
    expect(scoreResponse(L, '{"variables": {"i": 3}}', { reward: 'coderl', compat: null }).score).toBeCloseTo(0.1, 12);
  });
  test('a plain CodeRL+ ground truth is graded exactly too', () => {
    const ref = '{"input": "", "expected_output": "3", "expected_local_variable": {"flag": true, "x": 2.0}, "code": "", "problem_id": "p"}';
    const strictScore = (vars: unknown): number => scoreResponse(ref, JSON.stringify({ final_output: '3', variables: vars }), { reward: 'items', compat: null }).score;
    // items: final_output, flag, x
    expect(strictScore({ flag: true, x: 2 })).toBeCloseTo(2 / 3, 12); // 2 is an int, the ground truth says 2.0
    expect(strictScore({ flag: true, x: '2.0' })).toBe(1);
    expect(strictScore({ flag: '1', x: '2.0' })).toBeCloseTo(2 / 3, 12); // "1" is the int 1, not True
  });
});
