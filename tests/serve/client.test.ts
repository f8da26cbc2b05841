/**
 * The Python client (src/python/coderl_trace.py) and the verl hook: the
 * unittest file tests/serve/client_test.py, run by the system python3
 * against the compiled CLI.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { ROOT } from './helpers.js';

describe('python client', () => {
  it('builds the same tasks as the CLI, survives errors and a killed server, serves threads, and plays the verl hook', () => {
    const run = spawnSync('python3', [`${ROOT}tests/serve/client_test.py`], { cwd: ROOT, encoding: 'utf8', timeout: 600_000 });
    if (run.status !== 0) console.log(run.stdout, run.stderr);
    expect(run.stderr).toMatch(/\nOK\s*$/);
    expect(run.status).toBe(0);
  }, 600_000);
});
