/**
 * A wall-clock timeout with CPU time to spare is re-checked once with the
 * CPU limit deciding (src/run/pool.ts), so a loaded machine does not flip
 * outcomes; the trace's provenance records it. Real runs, real clocks.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Tracer } from '../../src/trace/tracer.js';
import { DEFAULT_LIMITS } from '../../src/run/limits.js';

const tracer = new Tracer({ jobs: 1, limits: { ...DEFAULT_LIMITS, timeout_ms: 600, cpu_ms: 600 }, recheckTimeouts: true });
afterAll(() => tracer.close());
const run = (code: string) => tracer.trace({ id: 'r', language: 'python', code, input: { kind: 'stdin', stdin: '' } });

describe('timeout re-check', () => {
  it('a run that waits past the wall clock with CPU to spare is re-run with the CPU limit deciding, and says so', async () => {
    const t = await run('import time\ntime.sleep(1.0)\nprint("woke")\n');
    expect(t.status).toBe('ok');
    expect(t.stdout).toBe('woke\n');
    expect(t.provenance.recheck).toEqual({ first: 'timeout', rerun_timeout_ms: 2400, then: 'ok' });
  });

  it('a CPU-bound endless loop ends as cpu_limit, or as a timeout that says it was re-checked (never silently)', async () => {
    const t = await run('while True:\n    pass\n');
    if (t.status === 'timeout') {
      // Only on a machine loaded past 4x: 600 ms of CPU did not fit in the re-run's 2400 ms.
      console.log('[recheck] the machine is loaded past 4x: the re-run timed out too');
      expect(t.provenance.recheck).toEqual({ first: 'timeout', rerun_timeout_ms: 2400, then: 'timeout' });
    } else {
      expect(t.status).toBe('cpu_limit');
    }
  });

  it('a run within its limits is not re-run', async () => {
    const t = await run('print(1)\n');
    expect(t.status).toBe('ok');
    expect(t.provenance.recheck).toBeUndefined();
  });
});
