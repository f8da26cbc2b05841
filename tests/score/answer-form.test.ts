/**
 * Ground truth format /2 (src/model/task.ts): variables in their JSON form,
 * final_output as text. Each rule with scores worked out by hand, under the
 * default rules and under --compat coderl (the reference reward), which
 * must agree on every form the prompt asks for.
 */
import { describe, expect, test } from 'vitest';
import { scoreResponse } from '../../src/score/score.js';
import { GROUND_TRUTH_FORMAT, toReferenceJson } from '../../src/model/task.js';
import { jsonForm, printJson } from '../../src/values/json-form.js';
import { fromTaggedJson } from '../../src/values/typed.js';

type V = { repr: string; json: unknown };

function gt(output: { kind: 'stdout'; text: string } | { kind: 'return'; value: V }, variables: Record<string, V>, task = 'output-vars'): string {
  return JSON.stringify({
    input: 'f()', expected_output: output.kind === 'stdout' ? output.text.trim() : output.value.repr,
    expected_local_variable: Object.fromEntries(Object.entries(variables).map(([k, v]) => [k, toReferenceJson(v.json)])),
    code: '', problem_id: 't', format: GROUND_TRUTH_FORMAT, task, language: 'python',
    output: task === 'line-state' ? null : output, variables, provenance: {},
  });
}

const strict = (truth: string, answer: string) => scoreResponse(truth, answer, { reward: 'strict', compat: null }).score;
const compat = (truth: string, answer: string) => scoreResponse(truth, answer, { reward: 'strict', compat: 'coderl' }).score;

const TUPLE: V = { repr: "(1, 'a')", json: { $type: 'tuple', items: [1, 'a'] } };
const SET: V = { repr: "{'b', 'a', 'c'}", json: { $type: 'set', items: ['a', 'b', 'c'] } };
const NUMSET: V = { repr: '{10, 2}', json: { $type: 'set', items: [10, 2] } };
const FLOAT2: V = { repr: '2.0', json: { $type: 'float', value: '2.0' } };
const STR1: V = { repr: "'1'", json: '1' };
const INTKEYS: V = { repr: "{1: 'a', 2: [3]}", json: { $type: 'dict', entries: [[1, 'a'], [2, [3]]] } };
const STDOUT = { kind: 'stdout' as const, text: '3\nok\n' };

describe('variables: one JSON form per value', () => {
  test.each([
    ['tuple as an array', TUPLE, '[1, "a"]', 1],
    ['set as a sorted array', SET, '["a", "b", "c"]', 1],
    ['set in another order is wrong', SET, '["b", "a", "c"]', 0],
    ['numbers sort by value, not by repr', NUMSET, '[2, 10]', 1],
    ['float keeps its point', FLOAT2, '2.0', 1],
    ['an int for a float is wrong', FLOAT2, '2', 0],
    ['a JSON string is the string itself', STR1, '"1"', 1],
    ['the int 1 is not the string 1', STR1, '1', 0],
    ["a repr inside a string is not the string (no re-reading)", STR1, '"\'1\'"', 0],
    ['dict keys as strings', INTKEYS, '{"1": "a", "2": [3]}', 1],
  ])('%s', (_name, value, answer, score) => {
    const truth = gt(STDOUT, { v: value });
    expect(strict(truth, `{"final_output": "3\\nok\\n", "variables": {"v": ${answer}}}`)).toBe(score);
  });

  test('the printed JSON form is what the reference compares with (expected_local_variable)', () => {
    for (const v of [TUPLE, SET, NUMSET, FLOAT2, STR1, INTKEYS]) {
      expect(JSON.parse(printJson(jsonForm(fromTaggedJson(v.json))!))).toEqual(toReferenceJson(v.json));
    }
  });
});

describe('final_output', () => {
  const ret = (value: V) => gt({ kind: 'return', value }, {}, 'output');
  test.each([
    ["a str return as its repr", { repr: "'ab'", json: 'ab' }, '"\'ab\'"', 1, 1],
    ['a str return without quotes is not a literal', { repr: "'ab'", json: 'ab' }, '"ab"', 0, 0],
    ['a tuple return as its repr', TUPLE, `"(1, 'a')"`, 1, 1],
    ['a list return as its repr', { repr: '[1, 2]', json: [1, 2] }, '"[1, 2]"', 1, 1],
    ['True as its repr', { repr: 'True', json: true }, '"True"', 1, 1],
  ])('%s', (_name, value, answer, score, reference) => {
    const response = `{"final_output": ${answer}, "variables": {}}`;
    expect(strict(ret(value), response)).toBe(score);
    expect(compat(ret(value), response)).toBe(reference);
  });

  test('stdout: the exact text, also after the reference strips it', () => {
    const truth = gt(STDOUT, {}, 'output');
    expect(strict(truth, '{"final_output": "3\\nok\\n", "variables": {}}')).toBe(1);
    expect(compat(truth, '{"final_output": "3\\nok\\n", "variables": {}}')).toBe(1);
    expect(strict(truth, '{"final_output": "\'3\\\\nok\\\\n\'", "variables": {}}')).toBe(0);
  });
});

describe('one set of rules', () => {
  test('a full answer written as the prompt asks scores 1.0 under both', () => {
    const truth = gt(STDOUT, { pair: TUPLE, seen: SET, ratio: FLOAT2, s: STR1, index: INTKEYS });
    const answer = '{"final_output": "3\\nok\\n", "variables": {"pair": [1, "a"], "seen": ["a", "b", "c"], "ratio": 2.0, "s": "1", "index": {"1": "a", "2": [3]}}}';
    expect(strict(truth, answer)).toBe(1);
    expect(compat(truth, answer)).toBe(1);
  });

  test('line-state under --compat coderl is scored by coderl-trace rules, and the result says so', () => {
    const truth = gt(STDOUT, { pair: TUPLE }, 'line-state');
    const r = scoreResponse(truth, '{"variables": {"pair": [1, "a"]}}', { reward: 'strict', compat: 'coderl' });
    expect(r.score).toBe(1);
    expect(r.format_ok).toBe(true);
    expect(r.rules).toBe('coderl-trace');
    expect(r.note).toMatch(/no rule for line-state/);
  });
});
