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
import { full, note } from '../corpora.js';

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
  note('mbpp.jsonl + cruxeval.jsonl');
  execFileSync(process.execPath, [join(ROOT, 'tests/build/gen-rollouts.mjs'), rollouts, '0.3']);
});

describe('task kinds', () => {
  it('line-state: values right after the k-th run of a line match a settrace oracle', async () => {
    // --if-no-targets reject: only line-state tasks (the default falls back to output tasks).
    const r = await cli(['build', rollouts, '--keep', 'all', '--task', 'line-state', '--seed', '7', '--if-no-targets', 'reject']);
    expect(r.code, r.stderr).toBe(0);
    const tasks = truths(r.stdout).filter((t) => t.language === 'python');
    expect(tasks.length).toBeGreaterThan(full(200, 150));
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
    expect(checked).toBeGreaterThan(full(300, 200));
  }, 300_000);

  it('output: the expected output is what the program prints or returns, and no variables are asked', async () => {
    const r = await cli(['build', rollouts, '--keep', 'all', '--task', 'output', '--format', 'verl']);
    expect(r.code, r.stderr).toBe(0);
    const tasks = truths(r.stdout);
    expect(tasks.length).toBeGreaterThan(full(200, 150));
    for (const t of tasks) {
      expect(t.variables).toEqual({});
      expect(t.output).not.toBeNull();
    }
    const records = jsonLines<{ prompt: { content: string }[]; extra_info: { answer: string } }>(r.stdout);
    for (const rec of records) {
      // "variables" stays {}: the key the reference reward requires, with nothing asked.
      expect(rec.prompt[0].content).toMatch(/"variables" stays \{\}/);
      expect(JSON.parse(rec.extra_info.answer).variables).toEqual({});
      expect(Object.keys(JSON.parse(rec.extra_info.answer))).toEqual(['final_output', 'variables']);
    }
  }, 300_000);

  it('--shard i/n splits the records: the shards together give the whole build', async () => {
    const demo = join(ROOT, 'fixtures/rollouts/verl/10.jsonl');
    const rejects = join(dir, 'whole-rejects.jsonl');
    const whole = await cli(['build', demo, '--keep', 'all', '--rejects', rejects]);
    const parts = await Promise.all([0, 1, 2].map((i) => cli(['build', demo, '--keep', 'all', '--shard', `${i}/3`])));
    for (const p of parts) expect(p.code, p.stderr).toBe(0);
    const ids = (out: string) => jsonLines<{ extra_info: { id: string } }>(out).map((r) => r.extra_info.id);
    const fromShards = parts.flatMap((p) => ids(p.stdout));
    expect(ids(whole.stdout).length).toBeGreaterThan(0);
    // Each record lands in exactly one shard; dedup is per shard, so the
    // whole build's (input, output) duplicates come back as tasks.
    expect(new Set(fromShards).size).toBe(fromShards.length);
    for (const id of ids(whole.stdout)) expect(fromShards).toContain(id);
    const duplicates = jsonLines<{ key: string; reason: string; test_index?: number }>(readFileSync(rejects, 'utf8'))
      .filter((r) => r.reason === 'duplicate-input-output').map((r) => `${r.key}#${r.test_index}`);
    expect(fromShards.filter((id) => !ids(whole.stdout).includes(id)).sort()).toEqual(duplicates.sort());
    const bad = await cli(['build', demo, '--shard', '3/3']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--shard must be i\/n/);
  });

  it('--template replaces the wording and keeps the fenced code and input', async () => {
    const template = join(dir, 'template.txt');
    writeFileSync(template, 'Q [{{language}}] input: {{input}}\n```{{fence}}\n{{code}}\n```\n{{question}}\nAnswer like {{answer_example}}');
    const r = await cli(['build', join(ROOT, 'fixtures/demo/rollouts.jsonl'), '--keep', 'all', '--template', template, '--format', 'messages']);
    expect(r.code, r.stderr).toBe(0);
    const first = jsonLines<{ messages: { content: string }[] }>(r.stdout)[0].messages[0].content;
    expect(first.startsWith('Q [Python] input: 3\n1 2 3\n```python\ndef main():')).toBe(true);
    const example = first.slice(first.indexOf('Answer like ') + 'Answer like '.length);
    expect(example).toBe('{"final_output": "<text>", "variables": {"nums": <value>, "total": <value>, "x": <value>}}');
  });
});
