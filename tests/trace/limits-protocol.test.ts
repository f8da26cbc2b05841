/**
 * Limits have their defaults in src/run/limits.ts only: a job that lacks one
 * is refused as a protocol error by the executor and by the JavaScript
 * harness, never run under a default of the tracer's own (issue 15).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../src/run/limits.js';
import { TestExecutor } from '../javascript/warm.js';
import { runJs } from '../javascript/harness.js';

let executor: TestExecutor;
beforeAll(async () => {
  executor = new TestExecutor();
  await executor.ready;
});
afterAll(() => executor?.close());

const job = (language: 'python' | 'javascript', limits: unknown) => ({
  language, mode: 'plain', source: 'print(1)\n', instrumented: null, line_map: null,
  input: { kind: 'stdin', stdin: '' }, limits,
});

describe('a job without a limit', () => {
  it('the executor answers a protocol error naming the missing limit (Python job)', async () => {
    const { max_events: _dropped, ...limits } = DEFAULT_LIMITS;
    const result = await executor.run(job('python', limits));
    expect(result.status).toBe('sandbox_error');
    expect(result.detail).toContain('protocol error: the job has no limits.max_events');
  });

  it('the executor answers a protocol error for a job with no limits at all (JavaScript job)', async () => {
    const result = await executor.run(job('javascript', undefined));
    expect(result.status).toBe('sandbox_error');
    expect(result.detail).toContain('protocol error: the job has no limits');
  });

  it('the same job with every limit runs (the check refuses only what is missing)', async () => {
    const result = await executor.run(job('python', DEFAULT_LIMITS));
    expect(result.status).toBe('ok');
    expect(result.stdout).toBe('1\n');
  });

  it('the JavaScript harness refuses a job without max_value_chars instead of choosing a budget', async () => {
    const result = await runJs('console.log(1);\n', { limits: { max_value_chars: undefined as unknown as number } });
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toContain('protocol error: the job has no limits.max_value_chars');
    expect(result.stdout).toBe('');
  });
});
