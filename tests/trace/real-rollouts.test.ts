/**
 * Real RL rollouts (o1-class answers to LiveCodeBench problems), traced,
 * against the same programs under plain python3 (tests/bench/plain_run.py,
 * outside the tool): same success, same stdout, same return value. Stdin
 * programs, threaded solvers and `class Solution` answers called the
 * LeetCode way, after the judge's prelude. Always on the fixture slice
 * (fixtures/corpora); also on a deterministic sample of 40 of the full
 * file when ../shared/corpora is present.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Tracer } from '../../src/trace/tracer.js';
import { DEFAULT_LIMITS } from '../../src/run/limits.js';
import { LIVECODEBENCH_PRELUDE } from '../../src/run/prelude.js';
import type { Run } from '../../src/model/run.js';
import { HAS_SHARED, note, readCorpus, SHARED_CORPORA, SLICES } from '../corpora.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { differs, plainOutcome, runOf, sample, THREADED, tracedOutcome, type LcbRecord } from '../bench/real-rollouts.js';

const tracer = new Tracer({ jobs: 2, limits: { ...DEFAULT_LIMITS, timeout_ms: 20_000, cpu_ms: 20_000 }, recheckTimeouts: true });
afterAll(() => tracer.close());

const lines = (file: string): LcbRecord[] => readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));

/**
 * What this runtime does yet (issue 14's runtime half, other branches): wait
 * for threads, run a prelude. Rollouts that need a missing feature are left
 * out, loudly; with the feature present they are compared like the rest.
 */
async function runtimeFeatures(): Promise<{ threads: boolean; prelude: boolean }> {
  const probe = (code: string, prelude: Run['prelude'] = null) =>
    tracer.trace({ id: 'probe', language: 'python', code, input: { kind: 'stdin', stdin: '' }, prelude });
  const [threads, prelude] = await Promise.all([
    probe('import threading, time\ndef main():\n    time.sleep(0.2)\n    print("done")\nthreading.Thread(target=main).start()\n'),
    probe('print(List.__name__)\n', LIVECODEBENCH_PRELUDE),
  ]);
  return { threads: threads.stdout === 'done\n', prelude: prelude.stdout === 'List\n' };
}

async function compare(records: LcbRecord[]): Promise<{ compared: number; left: string[]; problems: string[] }> {
  const features = await runtimeFeatures();
  const made = (await Promise.all(records.map(runOf))).filter((r): r is Run => r !== null);
  // Without prelude support both sides run without it: a program that needs it fails alike.
  const unpreluded = features.prelude ? 0 : made.filter((r) => r.prelude).length;
  const runs = features.prelude ? made : made.map((r) => ({ ...r, prelude: null }));
  const left = features.threads ? [] : runs.filter((r) => THREADED.test(r.code)).map((r) => r.id);
  const kept = runs.filter((r) => !left.includes(r.id));
  const problems: string[] = [];
  const queue = [...kept];
  await Promise.all([0, 1].map(async () => {
    for (let run = queue.shift(); run; run = queue.shift()) {
      const [traced, plain] = await Promise.all([tracer.trace(run), plainOutcome(run)]);
      const why = differs(tracedOutcome(traced), plain);
      if (why) problems.push(`${run.id}: ${why}`);
    }
  }));
  if (left.length > 0) console.log(`[real-rollouts] this runtime does not wait for threads yet (issue 14, runtime side): ${left.length} threaded rollouts left out: ${left.join(', ')}`);
  if (unpreluded > 0) console.log(`[real-rollouts] this runtime does not run a prelude yet (issue 14, runtime side): ${unpreluded} class Solution rollouts compared without it, traced and plain`);
  return { compared: kept.length, left, problems: problems.sort() };
}

describe('real LiveCodeBench rollouts: traced behaves as plain python3', () => {
  it('the fixture slice (40 rollouts, 10 threaded, 13 class Solution)', async () => {
    const records = lines(join(SLICES, 'rollouts_lcb_dev.jsonl'));
    expect(records.length).toBe(40);
    const { compared, left, problems } = await compare(records);
    expect(problems).toEqual([]);
    expect(compared + left.length).toBe(40);
  }, 600_000);

  it.skipIf(!HAS_SHARED)('a deterministic sample of 40 of the full file', async () => {
    note('rollouts_lcb_dev.jsonl');
    const records = sample(readCorpus<LcbRecord>('rollouts_lcb_dev.jsonl'), 40);
    expect(records.filter((r) => THREADED.test(r.extracted_code ?? '')).length).toBeGreaterThanOrEqual(10);
    expect(records.filter((r) => /^class Solution\b/m.test(r.extracted_code ?? '')).length).toBeGreaterThanOrEqual(10);
    const { problems } = await compare(records);
    expect(problems).toEqual([]);
  }, 600_000);
});

if (!HAS_SHARED) console.log(`[corpora] ${SHARED_CORPORA} is absent: the full-file sample of real rollouts is skipped`);
