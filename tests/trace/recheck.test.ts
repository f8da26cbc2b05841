/**
 * A wall-clock timeout with CPU time to spare is re-checked once with the
 * CPU limit deciding (src/run/pool.ts), so a loaded machine does not flip
 * outcomes; the trace's provenance records it. Real runs, real clocks.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Tracer } from '../../src/trace/tracer.js';
import { DEFAULT_LIMITS } from '../../src/run/limits.js';
import { ROOT } from '../python/helpers.js';

const CLI = join(ROOT, 'bin/coderl-trace.js');

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

describe('build re-checks timeouts by default', () => {
  // A rollout whose program sleeps past the wall clock with CPU to spare:
  // plain python3 prints "woke" (it needs no CPU to speak of).
  const row = JSON.stringify({
    input: 'user\nPrint woke.\n', output: '```python\nimport time\ntime.sleep(0.8)\nprint("woke")\n```\n',
    gts: JSON.stringify({ inputs: [''], outputs: ['woke\n'] }), score: 0, step: 1, uid: 'sleeper',
  });
  const build = (extra: string[]) => {
    const dir = mkdtempSync(join(tmpdir(), 'ct-recheck-'));
    const file = join(dir, 'rollouts.jsonl');
    writeFileSync(file, row + '\n');
    const r = spawnSync(process.execPath, [CLI, 'build', file, '--keep', 'all', '--timeout', '500', '--cpu-time', '500', '--rejects', join(dir, 'rejects.jsonl'), ...extra], { encoding: 'utf8' });
    const rejects = readFileSync(join(dir, 'rejects.jsonl'), 'utf8').trim();
    rmSync(dir, { recursive: true, force: true });
    return { tasks: r.stdout.trim() ? r.stdout.trim().split('\n').map((l) => JSON.parse(l)) : [], rejects };
  };

  it('the sleeper becomes a task, its answer the plain run\'s output', () => {
    const { tasks, rejects } = build([]);
    expect(rejects).toBe('');
    expect(tasks).toHaveLength(1);
    expect(JSON.stringify(tasks[0])).toContain('woke');
  });

  it('--no-recheck-timeouts keeps the first verdict: a run-timeout reject', () => {
    const { tasks, rejects } = build(['--no-recheck-timeouts']);
    expect(tasks).toHaveLength(0);
    expect(JSON.parse(rejects).reason).toBe('run-timeout');
  });
});
