/**
 * Where the answer is found (src/score/answer.ts) and what happens when it
 * is not: every parse path, then malformed responses, which must score 0
 * with a reason and never throw.
 */
import { describe, expect, test } from 'vitest';
import { scoreRecord, scoreResponse, type ScoreOptions } from '../../src/score/score.js';
// Format /1 (values as literals inside JSON strings): tests/score/answer-form.test.ts has /2.
import { GROUND_TRUTH_FORMAT_V1 as GROUND_TRUTH_FORMAT } from '../../src/model/task.js';

const GT = JSON.stringify({
  input: 'f([1, 2])', expected_output: '(3, [1, 2])', expected_local_variable: { n: 2 }, code: '', problem_id: 'a',
  format: GROUND_TRUTH_FORMAT, task: 'output-vars', language: 'python',
  output: { kind: 'return', value: { repr: '(3, [1, 2])', json: { $type: 'tuple', items: [3, [1, 2]] } } },
  variables: { n: { repr: '2', json: 2 } }, provenance: {},
});
const RIGHT = '{"final_output": "(3, [1, 2])", "variables": {"n": 2}}';
const OPTS: ScoreOptions = { reward: 'coderl', compat: null };
const score = (response: unknown) => scoreResponse(GT, response, OPTS);

describe('parse paths (all right: score 1)', () => {
  test.each([
    ['last line', `The loop runs twice.\nSo n = 2.\n${RIGHT}`, 'last-line'],
    ['last line with trailing blank lines', `${RIGHT}\n\n`, 'last-line'],
    ['fenced block', `Reasoning...\n\`\`\`json\n${RIGHT}\n\`\`\`\nHope this helps.`, 'fence'],
    ['fenced block, multi-line object', 'x\n```\n{\n  "final_output": "(3, [1, 2])",\n  "variables": {"n": 2}\n}\n```', 'fence'],
    ['after reasoning text on the same line', `So the answer is ${RIGHT}.`, 'embedded'],
    ['after </think>', `<think>\nmaybe {"final_output": "(0,)", "variables": {"n": 0}}\n</think>\n${RIGHT}`, 'last-line'],
    ['trailing commas', '{"final_output": "(3, [1, 2])", "variables": {"n": 2,},}', 'last-line'],
    ['a Python dict literal (single quotes)', "{'final_output': (3, [1, 2]), 'variables': {'n': 2}}", 'last-line'],
    ['plain JSON values: tuple must be a literal, list and int may be JSON', '{"final_output": "(3, [1, 2])", "variables": {"n": "2"}}', 'last-line'],
    ['output alias', '{"output": "(3, [1, 2])", "variables": {"n": 2}}', 'last-line'],
    ['chat message list (TRL conversational)', [{ role: 'assistant', content: RIGHT }], 'last-line'],
  ])('%s', (_name, response, path) => {
    const r = score(response);
    expect(r.reason).toBeNull();
    expect(r.answer_path).toBe(path);
    expect(r.score).toBe(1);
  });

  test('in a Python dict literal, a string value is a string (no re-reading)', () => {
    const r = score("{'final_output': '(3, [1, 2])', 'variables': {'n': 2}}");
    expect(r.items[0]).toMatchObject({ ok: false, why: 'expected tuple, got str' });
    expect(r.score).toBeCloseTo(0.1 + 0.9 * 0.5, 12);
  });

  test('the last of several answers wins', () => {
    expect(score(`{"final_output": "(0,)", "variables": {"n": 0}}\n${RIGHT}`).score).toBe(1);
  });
});

describe('malformed responses: score 0 with a reason, nothing throws', () => {
  test.each([
    ['empty', '', /empty response/],
    ['only spaces', '  \n \t', /empty response/],
    ['binary', Buffer.from([0, 255, 1, 2, 0x7b, 0, 0x7d, 10, 0xfe]).toString('latin1'), /not JSON/],
    ['JSON array', '[1, 2]', /answer is a JSON array, not an object/],
    ['JSON string', '"(3, [1, 2])"', /JSON string, not an object/],
    ['JSON number', '42', /JSON number, not an object/],
    ['JSON null', 'null', /JSON null, not an object/],
    ['wrong keys', '{"answer": "(3, [1, 2])", "vars": {"n": 2}}', /none of the keys final_output\/output\/variables \(keys: answer, vars\)/],
    ['variables only, output asked', '{"variables": {"n": 2}}', /no "final_output" key/],
    ['output only, variables asked', '{"final_output": "(3, [1, 2])"}', /no "variables" key/],
    ['variables not an object', '{"final_output": "(3, [1, 2])", "variables": [2]}', /"variables" must be an object/],
    ['unclosed <think>', '<think>\nstill thinking about {"final_output": 1}', /<think> block is never closed/],
    ['nothing after </think>', '<think>x</think>\n', /nothing after <\/think>/],
    ['truncated JSON', '{"final_output": "(3, [1, 2])", "variables": {"n": ', /not JSON/],
    ['deeply nested', '{"final_output": ' + '['.repeat(5000) + ']'.repeat(5000) + ', "variables": {}}', /last line/],
    ['not text', 42, /response is a number, not text/],
    ['null response', null, /response is null, not text/],
  ])('%s', (_name, response, reason) => {
    const r = score(response);
    expect(r.score).toBe(0);
    expect(r.format_ok).toBe(false);
    expect(r.reason).toMatch(reason);
  });

  test('10 MB response without an answer', () => {
    const big = 'x'.repeat(5_000_000) + '{'.repeat(1_000_000) + '```'.repeat(1000) + '\n' + 'a b '.repeat(1_000_000);
    expect(big.length).toBeGreaterThan(10_000_000);
    const t0 = Date.now();
    const r = score(big);
    expect(r.score).toBe(0);
    expect(r.reason).toMatch(/last line: not JSON/);
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  test('10 MB response with the answer at the end', () => {
    const r = score('reasoning '.repeat(1_000_000) + '\n' + RIGHT);
    expect(r.score).toBe(1);
  });

  test('bad records', () => {
    expect(scoreRecord([1], OPTS)).toMatchObject({ score: 0, reason: 'record is not a JSON object' });
    expect(scoreRecord({ response: RIGHT }, OPTS)).toMatchObject({ score: 0, reason: expect.stringMatching(/no ground truth/) });
    expect(scoreRecord({ ground_truth: GT }, OPTS)).toMatchObject({ score: 0, reason: expect.stringMatching(/no response field/) });
    expect(scoreRecord({ ground_truth: '{oops', response: RIGHT }, OPTS)).toMatchObject({ score: 0, reason: expect.stringMatching(/not valid JSON/) });
    expect(scoreRecord({ ground_truth: JSON.stringify({ task: 'nope', language: 'python' }), response: RIGHT }, OPTS))
      .toMatchObject({ score: 0, reason: expect.stringMatching(/"task" must be one of/) });
  });

  test('ground truth and response fields: reward_model, gts, ground_truth; response, output, completion, --response-field', () => {
    expect(scoreRecord({ reward_model: { ground_truth: GT }, response: RIGHT }, OPTS).score).toBe(1);
    expect(scoreRecord({ gts: GT, output: RIGHT }, OPTS).score).toBe(1);
    expect(scoreRecord({ ground_truth: JSON.parse(GT), completion: RIGHT }, OPTS).score).toBe(1);
    expect(scoreRecord({ ground_truth: GT, gen: { text: RIGHT } }, { ...OPTS, responseField: 'gen.text' }).score).toBe(1);
  });
});
