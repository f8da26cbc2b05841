/**
 * Task kinds other than the default, checked against independent re-runs:
 * `line-state` values against a sys.settrace oracle (tests/build/oracle.py),
 * `output` tasks against the program's plain output, and --template.
 */
import { describe, expect, it, beforeAll } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, jsonLines, realPython, ROOT } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'ct-tasks-'));
const rollouts = join(dir, 'rollouts.jsonl');

interface GroundTruth {
  input: string;
  expected_output: string;
  code: string;
  task: string;
  language: string;
  output: { kind: 'stdout'; text: string } | { kind: 'return'; value: { repr: string } } | null;
  variables: Record<string, { repr: string }>;
  line?: number;
  hit?: number;
}

const truths = (stdout: string) =>
  jsonLines<{ reward_model: { ground_truth: string } }>(stdout).map((r) => JSON.parse(r.reward_model.ground_truth) as GroundTruth);

beforeAll(() => {
  execFileSync(process.execPath, [join(ROOT, 'tests/build/gen-rollouts.mjs'), rollouts, '0.3']);
});

describe('task kinds', () => {
  it('line-state: values right after the k-th run of a line match a settrace oracle', async () => {
    const r = await cli(['build', rollouts, '--keep', 'all', '--task', 'line-state', '--seed', '7']);
    expect(r.code, r.stderr).toBe(0);
    const tasks = truths(r.stdout).filter((t) => t.language === 'python');
    expect(tasks.length).toBeGreaterThan(200);
    const jobs = tasks.map((t) => JSON.stringify({ code: t.code, line: t.line, hit: t.hit, ...(t.input.includes('\n') || !/^\w[\w.]*\(/.test(t.input) ? { stdin: t.input } : { call: t.input } ) }));
    const oracle = spawnSync(await realPython(), [join(ROOT, 'tests/build/oracle.py')], { input: jobs.join('\n') + '\n', encoding: 'utf8', maxBuffer: 1 << 28, env: { PYTHONHASHSEED: '0', PATH: process.env.PATH } });
    expect(oracle.status, oracle.stderr).toBe(0);
    const states = jsonLines<{ state: Record<string, [string, unknown]> }>(oracle.stdout);
    let checked = 0;
    tasks.forEach((t, i) => {
      expect(t.output).toBeNull();
      expect(Object.keys(t.variables).length).toBeGreaterThan(0);
      for (const [name, value] of Object.entries(t.variables)) {
        expect(value.repr, `${name} after line ${t.line} (#${t.hit}) of:\n${t.code}`).toBe(states[i].state[name]?.[0]);
        checked++;
      }
    });
    expect(checked).toBeGreaterThan(300);
  }, 300_000);

  it('output: the expected output is what the program prints or returns, and no variables are asked', async () => {
    const r = await cli(['build', rollouts, '--keep', 'all', '--task', 'output', '--format', 'verl']);
    expect(r.code, r.stderr).toBe(0);
    const tasks = truths(r.stdout);
    expect(tasks.length).toBeGreaterThan(200);
    for (const t of tasks) {
      expect(t.variables).toEqual({});
      expect(t.output).not.toBeNull();
    }
    const records = jsonLines<{ prompt: { content: string }[]; extra_info: { answer: string } }>(r.stdout);
    for (const rec of records) {
      expect(rec.prompt[0].content).not.toMatch(/"variables"/);
      expect(Object.keys(JSON.parse(rec.extra_info.answer))).toEqual(['final_output']);
    }
  }, 300_000);

  it('--template replaces the wording and keeps the fenced code and input', async () => {
    const template = join(dir, 'template.txt');
    writeFileSync(template, 'Q [{{language}}] input: {{input}}\n```{{fence}}\n{{code}}\n```\n{{question}}\nAnswer like {{answer_example}}');
    const r = await cli(['build', join(ROOT, 'fixtures/demo/rollouts.jsonl'), '--keep', 'all', '--template', template, '--format', 'messages']);
    expect(r.code, r.stderr).toBe(0);
    const first = jsonLines<{ messages: { content: string }[] }>(r.stdout)[0].messages[0].content;
    expect(first.startsWith('Q [Python] input: 3\n1 2 3\n```python\ndef main():')).toBe(true);
    const example = first.slice(first.indexOf('Answer like ') + 'Answer like '.length);
    expect(JSON.parse(example)).toEqual({ final_output: '...', variables: { nums: '...', total: '...', x: '...' } });
  });
});
