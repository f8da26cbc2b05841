/**
 * `--compat coderl` against the CodeRL+ reference reward
 * (jiangxxxue/CODERLPLUS, recipe/reward/reward_function_coderlplus.py).
 * Each expected score is computed by hand from the reference's rules
 * (0.1 + 0.9 * correct / items; items = output + expected variables), and the
 * whole table is cross-checked against a small independent Python oracle
 * written from those rules and run by real python3.
 */
import { describe, expect, test } from 'vitest';
import { scoreResponse } from '../../src/score/score.js';
import { runPython } from './python.js';

const GT = JSON.stringify({
  input: '3\n', expected_output: '3\n6', code: 'n = int(input())\n...', problem_id: 'p1',
  expected_local_variable: { cnt: 2, buf: [1, 2], flag: true },
});
const GT_NONE = JSON.stringify({ expected_output: '7', expected_local_variable: { r: null, ok: false, ratio: 0.3 } });
const GT_DICT = JSON.stringify({ expected_output: '', expected_local_variable: { d: { a: 1, b: [1] }, s: [1, 2] } });
const GT_NAN = JSON.stringify({ expected_output: '0', expected_local_variable: { x: NaN, n: 1000 } }).replace('null', 'NaN');
const GT_NOT_JSON = 'x = 42';
const GT_LIST = '[1, 2]';

const ans = (out: unknown, vars: unknown): string => JSON.stringify({ final_output: out, variables: vars });
const OK_VARS = { cnt: 2, buf: [1, 2], flag: true };
const with_ = (patch: Record<string, unknown>): Record<string, unknown> => ({ ...OK_VARS, ...patch });

// 4 items for GT: all right 1.0, 3/4 -> 0.775, 2/4 -> 0.55, 1/4 -> 0.325, 0/4 -> 0.1.
const CASES: [name: string, gt: string, response: string, score: number][] = [
  ['exact answer', GT, ans('3\n6', OK_VARS), 1.0],
  ['reasoning lines, answer on the last line', GT, `Step 1: n = 3\nStep 2: ...\n${ans('3\n6', OK_VARS)}`, 1.0],
  ['trailing blank lines are stripped', GT, `${ans('3\n6', OK_VARS)}\n\n  \n`, 1.0],
  ['answer not on the last line', GT, `${ans('3\n6', OK_VARS)}\nThat is my answer.`, 0],
  ['answer in a fence: last line is ```', GT, '```json\n' + ans('3\n6', OK_VARS) + '\n```', 0],
  ['no "variables" key', GT, JSON.stringify({ final_output: '3\n6' }), 0],
  ['no "final_output" key', GT, JSON.stringify({ output: '3\n6', variables: OK_VARS }), 0],
  ['last line is a JSON array', GT, '["final_output", "variables"]', 0],
  ['last line is a Python dict (single quotes)', GT, "{'final_output': '3\\n6', 'variables': {}}", 0],
  ['empty response', GT, '', 0],
  ['bool: "1" counts as true', GT, ans('3\n6', with_({ flag: '1' })), 1.0],
  ['bool: 1 == True in Python', GT, ans('3\n6', with_({ flag: 1 })), 1.0],
  ['bool: "True" string', GT, ans('3\n6', with_({ flag: 'True' })), 1.0],
  ['bool: "yes" is wrong', GT, ans('3\n6', with_({ flag: 'yes' })), 0.775],
  ['int as string "2"', GT, ans('3\n6', with_({ cnt: '2' })), 1.0],
  ['int vs float 2.0', GT, ans('3\n6', with_({ cnt: 2.0000000001 })), 1.0],
  ['float off by 1e-5 is wrong', GT, ans('3\n6', with_({ cnt: 2.00001 })), 0.775],
  ['missing variable', GT, ans('3\n6', { buf: [1, 2], flag: true }), 0.775],
  ['list order matters', GT, ans('3\n6', with_({ buf: [2, 1] })), 0.775],
  ['list as its str() form', GT, ans('3\n6', with_({ buf: '[1, 2]' })), 1.0],
  ['list of strings vs list of ints', GT, ans('3\n6', with_({ buf: ['1', '2'] })), 1.0],
  ['list too long', GT, ans('3\n6', with_({ buf: [1, 2, 3] })), 0.775],
  ['output wrong, two vars wrong', GT, ans('3 6', with_({ cnt: 3, buf: [] })), 0.325],
  ['everything wrong but well-formed', GT, ans('x', { cnt: 0, buf: 0, flag: false }), 0.1],
  ['output with a literal backslash-n is wrong', GT, ans('3\\n6', OK_VARS), 0.775],
  ['variables is a list holding a target name: TypeError', GT, ans('3\n6', ['cnt']), 0],
  ['variables is a list without target names: all missing', GT, ans('3\n6', ['x']), 0.325],
  ['variables is null: TypeError', GT, ans('3\n6', null), 0],
  ['variables is a string without target names', GT, ans('3\n6', 'nothing'), 0.325],
  ['variables is a string containing a name: TypeError', GT, ans('3\n6', 'cnt=2'), 0],
  ['duplicate keys: the last wins', GT, '{"final_output": "x", "variables": {}, "final_output": "3\\n6", "variables": ' + JSON.stringify(OK_VARS) + '}', 1.0],
  ['number answer for a text output', GT_NONE, ans(7, { r: null, ok: false, ratio: 0.3 }), 1.0],
  ['None as "None" and "null"; False as "0"', GT_NONE, ans('7', { r: 'None', ok: '0', ratio: 0.30000000000000004 }), 1.0],
  ['None vs "null"; False vs 0', GT_NONE, ans('7', { r: 'null', ok: 0, ratio: '0.3' }), 1.0],
  ['None vs 0 is wrong; False vs "" is wrong', GT_NONE, ans('7', { r: 0, ok: '', ratio: 0.3 }), 0.55],
  ['dict values compared leniently, key order free', GT_DICT, ans('', { d: { b: ['1'], a: 1 }, s: [1, 2] }), 1.0],
  ['dict with an extra key; set sent as list compared in order', GT_DICT, ans('', { d: { a: 1, b: [1], c: 0 }, s: [2, 1] }), 0.1 + 0.9 * (1 / 3)],
  ['NaN equals NaN; "1_000" is float 1000', GT_NAN, '{"final_output": 0, "variables": {"x": NaN, "n": "1_000"}}', 1.0],
  ['int too large for float: OverflowError', GT_NAN, '{"final_output": 0, "variables": {"x": NaN, "n": 1' + '0'.repeat(400) + '}}', 0],
  ['ground truth not JSON: it is the expected output', GT_NOT_JSON, ans('x = 42', {}), 1.0],
  ['ground truth not JSON, wrong answer', GT_NOT_JSON, ans('x = 41', {}), 0.1],
  ['ground truth "42" is JSON but not an object: AttributeError', '42', ans(42, {}), 0],
  ['ground truth JSON but not an object: AttributeError', GT_LIST, ans(1, {}), 0],
  ['answer after </think> on the last line', GT, `<think>\nlet me see\n</think>\n${ans('3\n6', OK_VARS)}`, 1.0],
];

/** The reference rules, restated in plain Python (an oracle independent of the TypeScript port). */
const ORACLE = String.raw`
import json, sys

def same(p, e):
    if p == e:
        return True
    ps, es = str(p).strip(), str(e).strip()
    for words in ({'None', 'none', 'null', 'Null', 'NULL'}, {'True', 'true', 'TRUE', '1'}, {'False', 'false', 'FALSE', '0'}):
        if ps in words and es in words:
            return True
    try:
        a = None if isinstance(p, bool) else float(p)
        b = None if isinstance(e, bool) else float(e)
        if a is not None and b is not None and abs(a - b) < 1e-9:
            return True
    except (ValueError, TypeError):
        pass
    if isinstance(p, list) and isinstance(e, list):
        return len(p) == len(e) and all(same(x, y) for x, y in zip(p, e))
    if isinstance(p, dict) and isinstance(e, dict):
        return set(p) == set(e) and all(same(p[k], e[k]) for k in p)
    return ps == es

def score(gt, response):
    try:
        try:
            truth = json.loads(gt)
        except json.JSONDecodeError:
            truth = {'expected_output': gt}
        out = truth.get('expected_output', '')
        vars_ = truth.get('expected_local_variable', {})
        last = response.strip().split('\n')[-1].strip()
        try:
            answer = json.loads(last)
        except json.JSONDecodeError:
            return 0.0
        if 'final_output' not in answer or 'variables' not in answer:
            return 0.0
        got_vars = answer.get('variables', {})
        total = 1 + len(vars_)
        right = 1 if same(answer['final_output'], out) else 0
        for name, want in vars_.items():
            if name in got_vars and same(got_vars[name], want):
                right += 1
        return 0.1 + (right / total) * 0.9
    except Exception:
        return 0.0

print(json.dumps([score(gt, r) for gt, r in json.load(sys.stdin)]))
`;

describe('--compat coderl reproduces the CodeRL+ reference reward', () => {
  test('at least 30 hand-made pairs', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(30);
  });

  test.each(CASES)('%s', (_name, gt, response, score) => {
    const r = scoreResponse(gt, response, { reward: 'coderl', compat: 'coderl' });
    expect(r.score).toBeCloseTo(score, 12);
    if (score === 0) expect(r.reason).toBeTruthy();
  });

  test('the same numbers, bit for bit, as an independent Python oracle of the reference rules', () => {
    const oracle = runPython(ORACLE, CASES.map(([, gt, response]) => [gt, response])) as number[];
    const ours = CASES.map(([, gt, response]) => scoreResponse(gt, response, { reward: 'coderl', compat: 'coderl' }).score);
    const rows = CASES.map(([name], i) => ({ name, oracle: oracle[i], ours: ours[i] }));
    expect(rows.filter((r) => r.oracle !== r.ours)).toEqual([]);
    // and the hand-computed numbers agree with the oracle too
    CASES.forEach(([, , , score], i) => expect(oracle[i]).toBeCloseTo(score, 12));
  });

  test('the breakdown lists every item with expected vs got', () => {
    const r = scoreResponse(GT, ans('3\n6', with_({ flag: 'yes' })), { reward: 'coderl', compat: 'coderl' });
    expect(r.items.map((i) => [i.name, i.ok])).toEqual([['final_output', true], ['cnt', true], ['buf', true], ['flag', false]]);
    expect(r.items[3]).toMatchObject({ expected: 'True', got: "'yes'" });
  });

  test('other reward schemes apply to the reference verdicts', () => {
    const response = ans('3\n6', with_({ flag: 'yes' }));
    expect(scoreResponse(GT, response, { reward: 'strict', compat: 'coderl' }).score).toBe(0);
    expect(scoreResponse(GT, response, { reward: 'items', compat: 'coderl' }).score).toBe(0.75);
  });
});
