/**
 * The 1,000+ rollout generator (gen_rollouts.py) and the verl reader on its
 * output: every record gives one result, the broken ones are rejects, and a
 * sample of rollouts, run with plain interpreters on the normalised tests,
 * passes exactly when the generator's own plain run said so.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Rollout } from '../../src/read/types.js';
import { plainPassAll, readAll } from './helpers.js';
import { full, note } from '../corpora.js';

describe('gen_rollouts.py', () => {
  it('writes 1,000+ rollouts that the verl reader reads without loss', async () => {
    note('mbpp.jsonl + humaneval.jsonl + humanevalx_js.jsonl');
    const out = mkdtempSync(join(tmpdir(), 'gen-rollouts-'));
    const counts = JSON.parse(execFileSync('python3', ['tests/read/gen_rollouts.py', '--out', out, '--limit', '400'], { encoding: 'utf8' }));
    expect(counts.rollouts).toBeGreaterThanOrEqual(full(1000, 200));

    const { results } = await readAll([out]);
    expect(results.length).toBe(counts.records);
    const rollouts: Rollout[] = results.flatMap((r) => (r.ok ? [r.rollout] : []));
    const rejects = results.flatMap((r) => (r.ok ? [] : [r.reject]));
    // The generator's broken records are rejected, in order, at the end of the last file ...
    expect(rejects.slice(-6).map((r) => r.reason)).toEqual(['invalid-json', 'not-an-object', 'missing-field', 'no-tests', 'unknown-language', 'wrong-type']);
    // ... and otherwise only problems whose tests call the function on the test's own variables
    // (HumanEval decode_shift/decode_cyclic/find_zero and their JavaScript twins) cannot become calls.
    const others = rejects.slice(0, -6);
    for (const r of others) expect(r.detail, r.key).toMatch(/^no assert calls (decode_?[sS]hift|decode_?[cC]yclic|find_?[zZ]ero) directly/);
    expect(rollouts.length).toBe(counts.rollouts - others.length);
    expect(new Set(rollouts.map((r) => r.style))).toEqual(new Set(['stdin', 'call']));
    expect(new Set(rollouts.map((r) => r.language))).toEqual(new Set(['python', 'javascript']));
    const notes = rollouts.flatMap((r) => r.notes).join('\n');
    for (const marker of ['APPS/TACO', 'LiveCodeBench/PRIME', 'from assert code', 'after </think>', 'whole text, no fence', 'unlabelled fence']) {
      expect(notes).toContain(marker);
    }

    // Independent agreement on a deterministic sample (HumanEval-X JS uses console.assert, whose
    // untranslatable asserts carry no expected value, so it is sampled too but only for runnability).
    const sample = rollouts.filter((_, i) => i % 40 === 0);
    for (const r of sample) {
      const passed = await plainPassAll(r);
      if (r.passed === true) expect(passed, r.key).toBe(true);
    }
    const failing = sample.filter((r) => r.passed === false && r.tests.every((t) => t.expected_output !== null));
    const caught = await Promise.all(failing.map((r) => plainPassAll(r)));
    // A mutant can fail only on asserts we could not translate; most must fail on ours too.
    expect(caught.filter((p) => !p).length).toBeGreaterThanOrEqual(Math.ceil(failing.length * 0.7));
  }, 120_000);
});
