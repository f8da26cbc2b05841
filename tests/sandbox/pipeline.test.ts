/**
 * The executor's pipeline: each run's sandbox is prepared before its job
 * arrives, and the answer goes out before the namespace is torn down. These
 * tests check that this changes nothing a user can see: no data of one job
 * reaches the next run's process, JavaScript channels are sealed like
 * Python's, and `coderl-trace trace` output is byte-identical at --jobs 1
 * and --jobs 2 over a mixed Python + JavaScript runs file.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ExecutorPool } from '../../dist/src/run/pool.js';
import { findInterpreters } from '../../dist/src/run/interpreters.js';
import { limitsFromFlags } from '../../dist/src/run/limits.js';
import type { ExecutorResult, Job } from '../../src/run/executor.js';
import { CLI, leftoverProcesses } from './helpers.js';

const LIMITS = limitsFromFlags({ timeout: '3000', memoryMb: '256', maxOutput: '65536' });
const pool = new ExecutorPool(findInterpreters(), 1);
afterAll(() => pool.close());

function job(language: 'python' | 'javascript', source: string, stdin = ''): Omit<Job, 'job'> {
  return { language, mode: 'plain', source, instrumented: null, line_map: null, input: { kind: 'stdin', stdin }, limits: LIMITS };
}

describe('prepared sandboxes', () => {
  it('the next run\'s process holds nothing of the previous job (source, stdin, output)', async () => {
    // The marker is split in the checking program's own source, so only a leftover of run 1 could contain it joined.
    const first = await pool.run(job('python', 'print("coderl-" + "x" * 3, "PREVIOUS-JOB-MARKER")\n', 'PREVIOUS-JOB-MARKER stdin\n'));
    expect([first.status, first.stdout]).toEqual(['ok', 'coderl-xxx PREVIOUS-JOB-MARKER\n']);
    const check = [
      'import gc',
      'needle = "-".join(["PREVIOUS", "JOB", "MARKER"])',
      'def holds(o):',
      '    if o is globals(): return False',
      '    items = o.values() if isinstance(o, dict) else o if isinstance(o, (list, tuple)) else ()',
      '    return any(isinstance(v, (str, bytes)) and (needle in v if isinstance(v, str) else needle.encode() in v) for v in items)',
      'print(sum(1 for o in gc.get_objects() if holds(o)))',
    ].join('\n') + '\n';
    const second = await pool.run(job('python', check));
    expect([second.status, second.stdout, second.stderr]).toEqual(['ok', '0\n', '']);
  });

  it('each run is still pid 2 of its own namespace, and nothing outlives it', async () => {
    const code = 'import os, subprocess\nsubprocess.Popen(["sleep", "98765.25"])\nprint(os.getpid())\n';
    for (let i = 0; i < 3; i++) {
      const r = await pool.run(job('python', code));
      expect([r.status, r.stdout]).toEqual(['ok', '2\n']);
    }
    // Only this test's marker: other test files may run their own programs meanwhile.
    expect(leftoverProcesses().filter((p) => p.includes('98765.25'))).toEqual([]);
  });

  it('a wall-clock timeout still kills the run, and the next prepared run works', async () => {
    const r = await pool.run({ ...job('python', 'while True:\n    pass\n'), limits: { ...LIMITS, timeout_ms: 300 } });
    expect(r.status).toBe('timeout');
    const next = await pool.run(job('python', 'print(6 * 7)\n'));
    expect([next.status, next.stdout]).toEqual(['ok', '42\n']);
  });
});

describe('JavaScript trace channel', () => {
  const run = (source: string): Promise<ExecutorResult> => pool.run(job('javascript', source));

  it('a normal run ends with a sealed END record, also after process.exit in a pending promise', async () => {
    const plain = await run('console.log(1 + 1);\n');
    expect([plain.status, plain.stdout, plain.channel_check]).toEqual(['ok', '2\n', 'sealed']);
    const exiting = await run("setTimeout(() => { console.log('late'); process.exit(3); }, 5);\nnew Promise(() => {});\n");
    expect([exiting.status, exiting.exit_code, exiting.stdout, exiting.channel_check]).toEqual(['runtime_error', 3, 'late\n', 'sealed']);
  });

  it('bytes written straight to fd 3 break the byte count', async () => {
    const r = await run("require('fs').writeSync(3, '[\"E\", 0, 0, {}]\\n');\nconsole.log('done');\n");
    expect([r.stdout, r.channel_check]).toEqual(['done\n', 'tampered']);
    expect(r.channel_problem).toMatch(/bytes before END/);
  });

  it('job.json (which holds the seal) is gone before the program runs', async () => {
    const r = await run("console.log(JSON.stringify(require('fs').readdirSync('.')));\n");
    expect([r.status, r.stdout]).toEqual(['ok', '[]\n']);
  });
});

describe('`coderl-trace trace` output does not depend on --jobs', () => {
  it('is byte-identical at --jobs 1 and --jobs 2 over a mixed Python + JavaScript file', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ct-jobs-'));
    try {
      const runs = [];
      for (let i = 0; i < 12; i++) {
        runs.push({ id: `py${i}`, language: 'python', code: `n = int(input())\ntotal = 0\nfor k in range(n):\n    total += k * ${i}\nprint(total)\n`, stdin: `${i + 3}\n` });
        runs.push({ id: `js${i}`, language: 'javascript', code: `let acc = [];\nfor (let k = 0; k < ${i + 2}; k++) acc.push(k * k);\nconsole.log(acc.join(','));\n`, stdin: '' });
      }
      runs.push({ id: 'py-error', language: 'python', code: 'x = [1]\nprint(x[3])\n', stdin: '' });
      runs.push({ id: 'js-error', language: 'javascript', code: 'const o = null;\nconsole.log(o.x);\n', stdin: '' });
      const file = path.join(dir, 'runs.jsonl');
      writeFileSync(file, runs.map((r) => JSON.stringify(r)).join('\n') + '\n');
      const trace = (jobs: string) => new Promise<string>((resolve, reject) => {
        execFile('node', [CLI, 'trace', file, '--jobs', jobs], { maxBuffer: 64 * 1024 * 1024 }, (err, out, errOut) => (err ? reject(new Error(errOut)) : resolve(out)));
      });
      // duration_ms is wall-clock time, the one field that legitimately differs between two runs.
      const timeless = (out: string) => out.replace(/"duration_ms":[0-9.]+/g, '"duration_ms":0');
      const [one, two] = [timeless(await trace('1')), timeless(await trace('2'))];
      expect(two === one).toBe(true);
      const traces = one.trim().split('\n').map((l) => JSON.parse(l) as { id: string; status: string; stdout: string });
      expect(traces.map((t) => t.id)).toEqual(runs.map((r) => r.id));
      // Hand-computed: sum(k * 5 for k in range(8)) = 140; squares below 7.
      expect(traces.find((t) => t.id === 'py5')!.stdout).toBe('140\n');
      expect(traces.find((t) => t.id === 'js5')!.stdout).toBe('0,1,4,9,16,25,36\n');
      expect(traces.find((t) => t.id === 'py-error')!.status).toBe('runtime_error');
      expect(traces.find((t) => t.id === 'js-error')!.status).toBe('runtime_error');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
