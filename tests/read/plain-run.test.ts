/**
 * Independent check of the fixtures and of test normalisation: every
 * extracted program is run on its normalised tests with plain python3/node
 * (no instrumentation), and must pass exactly when its record says it
 * passed. A wrong argument encoding, a bad extraction or a mislabelled
 * fixture would break this.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseFieldSpecs } from '../../src/read/index.js';
import type { ReadOptions, Rollout } from '../../src/read/types.js';
import { plainPassAll, readAll } from './helpers.js';

const FIX = 'fixtures/rollouts';
const FILES: [string, ReadOptions][] = [
  [`${FIX}/verl/10.jsonl`, {}],
  [`${FIX}/verl-dataset/rows.jsonl`, {}],
  [`${FIX}/generic/openrlhf.jsonl`, { fields: parseFieldSpecs(JSON.parse(readFileSync(`${FIX}/generic/fields.json`, 'utf8'))) }],
  [`${FIX}/trl/completions_00010.jsonl`, { dataset: `${FIX}/trl/dataset.jsonl` }],
];

// Records without a verdict in the file: which response is the right one (by construction in make_fixtures.py).
const UNLABELLED: Record<string, boolean> = {
  [`${FIX}/verl-dataset/rows.jsonl:2#0`]: true,
  [`${FIX}/verl-dataset/rows.jsonl:2#1`]: false,
};

describe.each(FILES)('plain runs of %s', (file, options) => {
  it('pass exactly when the record says so', async () => {
    const { results } = await readAll([file], options);
    const rollouts: Rollout[] = results.flatMap((r) => (r.ok ? [r.rollout] : []));
    expect(rollouts.length).toBeGreaterThan(3);
    const verdicts = await Promise.all(rollouts.map(async (r) => [r.key, await plainPassAll(r)] as const));
    for (const [key, passed] of verdicts) {
      const rollout = rollouts.find((r) => r.key === key)!;
      expect(passed, key).toBe(rollout.passed ?? UNLABELLED[key]);
    }
  });
});
