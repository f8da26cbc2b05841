/**
 * With one executor per core, each executor's runs stay on its own core
 * (ExecutorPool pins them); with any other number, the scheduler places
 * them anywhere the tool may run. Checked from inside real sandboxed runs.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { availableParallelism } from 'node:os';
import { Tracer } from '../../src/trace/tracer.js';
import { DEFAULT_LIMITS } from '../../src/run/limits.js';

const CORES = availableParallelism();
const PRINT_CORES = 'import os\nprint(sorted(os.sched_getaffinity(0)))\n';

const tracers: Tracer[] = [];
afterAll(() => tracers.forEach((t) => t.close()));

/** The cores each of `n` concurrent runs may use, as the runs see them. */
async function coresSeen(jobs: number, n: number): Promise<number[][]> {
  const tracer = new Tracer({ jobs, limits: DEFAULT_LIMITS });
  tracers.push(tracer);
  const traces = await Promise.all(Array.from({ length: n }, (_, i) =>
    tracer.trace({ id: `r${i}`, language: 'python', code: PRINT_CORES, input: { kind: 'stdin', stdin: '' } }, 'plain')));
  return traces.map((t) => {
    expect(t.status).toBe('ok');
    return JSON.parse(t.stdout) as number[];
  });
}

describe('cores', () => {
  it('one executor per core: every run keeps to one core, and the executors use them all', async () => {
    const seen = await coresSeen(CORES, 4 * CORES);
    for (const cores of seen) expect(cores).toHaveLength(1);
    expect(new Set(seen.map((c) => c[0])).size).toBe(CORES);
  });

  it('more executors than cores: every run may use every core', async () => {
    const seen = await coresSeen(CORES + 1, 4);
    for (const cores of seen) expect(cores).toHaveLength(CORES);
  });
});
