/**
 * Values recorded by real traced runs (the CLI, the real interpreter) of
 * programs that hold large data: one budget per value, markers present,
 * and what is shown equals what the program holds. References:
 * - tests/python/encode_check.py re-runs the program plainly and walks each
 *   final module variable against its recorded json (its own reading of the
 *   tag table, no code shared with tracers/);
 * - the settrace oracle (tests/python/oracle.py) gives the finals of a
 *   deeply recursive function's last exit;
 * - a plain `python3 main.py` run gives the stdout.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Trace } from '../../src/model/trace.js';
import { realPython, ROOT, runOracle, runPlainAsync, traceRuns } from './helpers.js';

const LARGE: Record<string, string> = {
  dp: 'n = 1000\ndp = [[0] * (n + 1) for _ in range(n + 1)]\nfor i in range(1, n + 1):\n    row, up = dp[i], dp[i - 1]\n    for j in range(1, n + 1):\n        row[j] = max(up[j], row[j - 1]) + (i * j % 7 == 0)\nprint(dp[n][n])\n',
  dict: 'd = {}\nfor i in range(10 ** 5):\n    d[i] = [i % 7, str(i)]\nnames = {"k%d" % i: i for i in range(10 ** 5)}\nprint(len(d), len(names))\n',
  string: 'def grow(n):\n    s = ""\n    for i in range(n):\n        s += chr(97 + i % 26)\n    return s\ns = grow(1 << 20)\nb = s.encode()\nbig = 10 ** 100000\nmid = 7 ** 3000\nprint(len(s), len(b))\n',
  nested: 'grid = {k: {i: list(range(i, i + 200)) for i in range(300)} for k in "abcdefgh"}\nrows = [tuple(range(j, j + 50)) for j in range(2000)]\ndeep = []\nfor i in range(200):\n    deep = [deep, i]\nprint(len(grid), len(rows))\n',
};

function check(code: string, finals: Record<string, unknown>): Record<string, boolean> {
  const dir = mkdtempSync(path.join(tmpdir(), 'encode-check-'));
  try {
    writeFileSync(path.join(dir, 'main.py'), code);
    const run = spawnSync(realPython(), [path.join(ROOT, 'tests/python/encode_check.py'), path.join(dir, 'main.py')], {
      input: JSON.stringify(finals), encoding: 'utf8', timeout: 120_000, maxBuffer: 1 << 26,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', PYTHONHASHSEED: '0', LANG: 'C.UTF-8' },
    });
    if (run.status !== 0) throw new Error(run.stderr);
    return JSON.parse(run.stdout) as Record<string, boolean>;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('python values of traced programs with large data', () => {
  const traces = new Map<string, Trace>();
  it('runs each as plain Python does, flags the cut values, and records what the program holds', { timeout: 300_000 }, async () => {
    const runs = Object.entries(LARGE).map(([id, code]) => ({ id, language: 'python', code, stdin: '' }));
    for (const t of await traceRuns(runs, ['--timeout', '60000'])) traces.set(t.id, t);
    for (const [id, code] of Object.entries(LARGE)) {
      const trace = traces.get(id)!;
      const plain = await runPlainAsync(code);
      expect(trace.status, id).toBe('ok');
      expect(trace.stdout, id).toBe(plain.stdout);
      expect(trace.limits.value_size, id).toBe(true);
      const finals = trace.finals['<module>'];
      for (const [name, value] of Object.entries(finals)) {
        expect(value.repr.length, `${id}.${name}`).toBeLessThanOrEqual(600); // one budget (500) per value
        expect(JSON.stringify(value.json).length, `${id}.${name}`).toBeLessThanOrEqual(1500);
      }
      const verdict = check(code, finals);
      expect(Object.keys(verdict).length, id).toBeGreaterThan(1);
      for (const [name, ok] of Object.entries(verdict)) expect(ok, `${id}.${name} shows the program's value`).toBe(true);
    }
    expect(traces.get('dp')!.finals['<module>'].dp.repr.startsWith('[[0, 0, 0,')).toBe(true);
    expect(traces.get('string')!.finals['<module>'].big.repr).toBe('<int with 332193 bits>');
    expect(traces.get('string')!.finals['<module>'].s.json).toMatchObject({ $type: 'str', length: 1 << 20 });
  });

  const RECURSION = [
    'import sys',
    'sys.setrecursionlimit(20000)',
    'seen = []',
    'def walk(u, depth, path):',
    '    seen.append(u)',
    '    best = depth',
    '    if u < 5000:',
    '        best = max(best, walk(u + 1, depth + 1, path + 1))',
    '    last = (u, best)',
    '    return best',
    'def run(k):',
    '    total = 0',
    '    for r in range(k):',
    '        total += walk(r, 0, r)',
    '    return total',
    'print(run(3))',
  ].join('\n') + '\n';

  it('keeps the last exit of a deeply recursive function, capped or not', { timeout: 300_000 }, async () => {
    const oracle = runOracle(RECURSION);
    const plain = await runPlainAsync(RECURSION);
    for (const flags of [['--max-events', '200'], ['--max-events', '1000000']]) {
      const [trace] = await traceRuns([{ id: 'rec', language: 'python', code: RECURSION, stdin: '' }], [...flags, '--timeout', '60000']);
      expect(trace.stdout, flags.join(' ')).toBe(plain.stdout);
      for (const scope of ['walk', 'run']) {
        for (const [name, repr] of Object.entries(oracle.finals[scope])) {
          if (repr === null) continue;
          expect(trace.finals[scope][name].repr, `${flags.join(' ')} ${scope}.${name}`).toBe(repr);
        }
      }
    }
  });
});
