/**
 * End-to-end `build` over 1,000+ generated rollouts (from the public
 * corpora): accounting, determinism across --jobs, schema of every record,
 * and ground truth checked against an independent re-run of each program.
 */
import { describe, expect, it, beforeAll } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, jsonLines, realPython, ROOT } from './helpers.js';
import { full, note } from '../corpora.js';
import { validateRecord, EXPORT_FORMATS } from '../../src/export/formats.js';

const dir = mkdtempSync(join(tmpdir(), 'ct-build-'));
const rollouts = join(dir, 'rollouts.jsonl');

interface GroundTruth {
  input: string;
  expected_output: string;
  expected_local_variable: Record<string, unknown>;
  code: string;
  language: string;
  output: { kind: 'stdout'; text: string } | { kind: 'return'; value: { repr: string } };
  variables: Record<string, { repr: string }>;
  provenance: { scopes: Record<string, string> };
}

let inputRecords = 0;
let run1: { stdout: string; rejects: string; stats: Record<string, unknown> };

async function buildAt(jobs: number, tag: string) {
  const out = join(dir, `tasks-${tag}.jsonl`);
  const rejects = join(dir, `rejects-${tag}.jsonl`);
  const stats = join(dir, `stats-${tag}.json`);
  const r = await cli(['build', rollouts, '--keep', 'all', '-j', String(jobs), '-o', out, '--rejects', rejects, '--stats', stats]);
  expect(r.code, r.stderr).toBe(0);
  return { stdout: readFileSync(out, 'utf8'), rejects: readFileSync(rejects, 'utf8'), stats: JSON.parse(readFileSync(stats, 'utf8')) };
}

beforeAll(async () => {
  note('mbpp.jsonl + cruxeval.jsonl');
  execFileSync(process.execPath, [join(ROOT, 'tests/build/gen-rollouts.mjs'), rollouts]);
  inputRecords = readFileSync(rollouts, 'utf8').trim().split('\n').length;
  run1 = await buildAt(1, 'j1');
}, 300_000);

describe('build over 1,000+ rollouts', () => {
  it('accounts for every input record', () => {
    expect(inputRecords).toBeGreaterThanOrEqual(full(1000, 450));
    const s = run1.stats as { records: number; with_tasks: number; rejected: number; shard_skipped: number; tasks: number; balanced: boolean };
    expect(s.records).toBe(inputRecords);
    expect(s.with_tasks + s.rejected + s.shard_skipped).toBe(inputRecords);
    expect(s.balanced).toBe(true);
    expect(jsonLines(run1.stdout)).toHaveLength(s.tasks);
    // Every unit-level reject is in the rejects file with a reason.
    const unitRejects = jsonLines<{ stage: string; reason: string }>(run1.rejects).filter((r) => !r.stage.startsWith('test:'));
    expect(unitRejects).toHaveLength(s.rejected);
    for (const r of unitRejects) expect(r.reason).toMatch(/^[a-z_-]+$/);
    // The generator's broken records are among them, with the right reasons.
    const reasons = new Set(unitRejects.map((r) => r.reason));
    for (const reason of ['invalid-json', 'not-an-object', 'missing-field', 'wrong-type', 'no-code', 'unknown-language', 'no-tests']) {
      expect(reasons, reason).toContain(reason);
    }
  });

  it('is byte-identical at --jobs 1 and --jobs 2', async () => {
    const run2 = await buildAt(2, 'j2');
    expect(run2.stdout === run1.stdout).toBe(true);
    expect(run2.rejects === run1.rejects).toBe(true);
    expect(run2.stats).toEqual(run1.stats);
  });

  it('writes records that validate against the verl schema', () => {
    const records = jsonLines(run1.stdout);
    expect(records.length).toBeGreaterThan(full(900, 400));
    for (const rec of records) expect(validateRecord('verl', rec)).toEqual([]);
  });

  it('has variables from def main() and class Solution programs', () => {
    const scopes = new Set<string>();
    for (const rec of jsonLines<{ reward_model: { ground_truth: string } }>(run1.stdout)) {
      const gt = JSON.parse(rec.reward_model.ground_truth) as GroundTruth;
      for (const s of Object.values(gt.provenance.scopes)) scopes.add(s);
    }
    expect(scopes).toContain('main');
    expect(scopes).toContain('Solution.solve');
    expect(scopes).toContain('f'); // CRUXEval functions
  });

  it('agrees with an independent re-run of each program', async () => {
    const tasks = jsonLines<{ reward_model: { ground_truth: string } }>(run1.stdout)
      .map((r) => JSON.parse(r.reward_model.ground_truth) as GroundTruth)
      .filter((_, i) => i % 3 === 0);
    const jobs = tasks.map((gt) => JSON.stringify(gt.output?.kind === 'return' ? { code: gt.code, call: gt.input } : { code: gt.code, stdin: gt.input }));
    const oracle = spawnSync(await realPython(), [join(ROOT, 'tests/build/oracle.py')], { input: jobs.join('\n') + '\n', encoding: 'utf8', maxBuffer: 1 << 28, env: { PYTHONHASHSEED: '0', PATH: process.env.PATH } });
    expect(oracle.status, oracle.stderr).toBe(0);
    const results = jsonLines<{ stdout: string; return: string | null; finals: Record<string, Record<string, [string, unknown]>>; error?: string }>(oracle.stdout);
    expect(results).toHaveLength(tasks.length);
    let checkedVars = 0;
    tasks.forEach((gt, i) => {
      const got = results[i];
      expect(got.error).toBeUndefined();
      if (gt.output?.kind === 'return') expect(gt.expected_output).toBe(got.return);
      else expect(gt.expected_output).toBe(got.stdout.trim());
      for (const [key, value] of Object.entries(gt.variables)) {
        const scope = gt.provenance.scopes[key];
        const name = key.includes('.') && key.startsWith(`${scope}.`) ? key.slice(scope.length + 1) : key;
        const [repr, ref] = got.finals[scope]?.[name] ?? [];
        expect(value.repr, `${key} in ${scope}`).toBe(repr);
        expect(gt.expected_local_variable[key], `${key} reference json`).toEqual(ref);
        checkedVars++;
      }
    });
    expect(checkedVars).toBeGreaterThan(full(500, 200));
  }, 300_000);
});

describe('build formats and bad input', () => {
  const small = join(ROOT, 'fixtures/rollouts/verl/10.jsonl');

  it.each(EXPORT_FORMATS)('writes valid %s records', async (format) => {
    const r = await cli(['build', small, '--keep', 'all', '--format', format, '--tests-per-program', '2']);
    expect(r.code, r.stderr).toBe(0);
    const records = jsonLines(r.stdout);
    expect(records.length).toBeGreaterThan(0);
    for (const rec of records) expect(validateRecord(format, rec)).toEqual([]);
  });

  it('--check-determinism drops a program that uses randomness, keeps the rest', async () => {
    const file = join(dir, 'random.jsonl');
    const rollout = (code: string) => JSON.stringify({ input: 'u', output: '```python\n' + code + '\n```', gts: JSON.stringify({ inputs: ['1\n'], outputs: ['2\n'] }), score: 0 });
    writeFileSync(file, [rollout('import random\nn = int(input())\nx = random.random()\nprint(n + x)'), rollout('n = int(input())\ny = n * 2\nprint(y)')].join('\n') + '\n');
    const rejects = join(dir, 'random-rejects.jsonl');
    const r = await cli(['build', file, '--keep', 'all', '--check-determinism', '--rejects', rejects]);
    expect(r.code, r.stderr).toBe(0);
    expect(jsonLines(r.stdout)).toHaveLength(1);
    expect(jsonLines<{ reason: string }>(readFileSync(rejects, 'utf8')).map((x) => x.reason)).toEqual(['nondeterministic']);
  });

  it('turns every kind of bad input into a reject and goes on', async () => {
    const bad = join(dir, 'bad.jsonl');
    const good = JSON.stringify({ input: 'u', output: '```python\nn = int(input())\nprint(n * 2)\n```', gts: JSON.stringify({ inputs: ['21\n'], outputs: ['42\n'] }), score: 0 });
    writeFileSync(bad, [
      good,
      '{"input": "u", "output": "```python\\nprint(1)',
      '"just a string"',
      JSON.stringify({ input: 'u', gts: '{}', score: 0 }),
      JSON.stringify({ input: 'u', output: 42, gts: '{}', score: 0 }),
      JSON.stringify({ input: 'u', output: '```cobol\nDISPLAY 1.\n```', gts: JSON.stringify({ inputs: ['1\n'], outputs: ['1\n'] }), score: 0 }),
      JSON.stringify({ input: 'u', output: '```python\nprint(1)\n```', gts: JSON.stringify({ inputs: ['1\n'], outputs: ['1\n'] }), score: 0, padding: 'x'.repeat(50 * 1024 * 1024) }),
      JSON.stringify({ input: 'u', output: '```python\ndef f(:\n    pass\n```', gts: JSON.stringify({ inputs: ['1\n'], outputs: ['1\n'] }), score: 0 }),
      good.replace('21', '4'),
    ].join('\n') + '\n');
    const empty = join(dir, 'empty.jsonl');
    writeFileSync(empty, '');
    const rejects = join(dir, 'bad-rejects.jsonl');
    const stats = join(dir, 'bad-stats.json');
    const r = await cli(['build', bad, empty, '--keep', 'all', '--rejects', rejects, '--stats', stats]);
    expect(r.code, r.stderr).toBe(0);
    expect(jsonLines(r.stdout)).toHaveLength(2);
    const s = JSON.parse(readFileSync(stats, 'utf8'));
    expect(s.records).toBe(9);
    expect(s.balanced).toBe(true);
    const reasons = jsonLines<{ reason: string }>(readFileSync(rejects, 'utf8')).map((x) => x.reason);
    expect(reasons).toEqual(['invalid-json', 'not-an-object', 'missing-field', 'wrong-type', 'no-code', 'line-too-long', 'run-syntax_error']);
  }, 120_000);
});
