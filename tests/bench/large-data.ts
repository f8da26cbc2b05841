/**
 * Bench section "large": programs that hold large data (DP tables, big
 * dicts, long strings, deep recursion), traced vs plain in the same runner.
 * Goal (issue 14): traced <= 10 x plain + 50 ms for each, total <= 2x plain.
 * Times are the best of 3 runs of each (wall clock, noisy on a shared machine).
 */
import { Tracer } from '../../src/trace/tracer.js';
import { DEFAULT_LIMITS } from '../../src/run/limits.js';
import type { Run } from '../../src/model/run.js';

// Module-level programs, as competitive-programming answers are written.
export const LARGE_DATA_PROGRAMS: Record<string, string> = {
  'dp table 1000x1000': [
    'n = 1000',
    'dp = [[0] * (n + 1) for _ in range(n + 1)]',
    'for i in range(1, n + 1):',
    '    row, up = dp[i], dp[i - 1]',
    '    for j in range(1, n + 1):',
    '        row[j] = max(up[j], row[j - 1]) + (i * j % 7 == 0)',
    'print(dp[n][n])',
  ].join('\n'),
  'dict 10^5 keys': [
    'd = {}',
    'for i in range(10 ** 5):',
    '    d[i] = i * i % 1000',
    'total = 0',
    'for k, v in d.items():',
    '    total += v',
    'print(total)',
  ].join('\n'),
  'string grown to 1 MB': [
    'def build(n):',
    '    s = ""',
    '    for i in range(n):',
    '        s += chr(97 + i % 26)',
    '    return s',
    's = build(1 << 20)',
    'print(len(s), s[:10])',
  ].join('\n'),
  'list 10^5 sorted, scanned': [
    'a = [(i * 7919) % 100003 for i in range(10 ** 5)]',
    'a.sort()',
    'best = 0',
    'for i in range(1, len(a)):',
    '    best = max(best, a[i] - a[i - 1])',
    'print(best)',
  ].join('\n'),
  'deep recursion 10^4 x 20': [
    'import sys',
    'sys.setrecursionlimit(100000)',
    'graph = [[i + 1] for i in range(10000)] + [[]]',
    'seen = [False] * len(graph)',
    'def dfs(u, depth):',
    '    seen[u] = True',
    '    best = depth',
    '    for v in graph[u]:',
    '        if not seen[v]:',
    '            best = max(best, dfs(v, depth + 1))',
    '    return best',
    'total = 0',
    'for _ in range(20):',
    '    seen = [False] * len(graph)',
    '    total += dfs(0, 0)',
    'print(total)',
  ].join('\n'),
  'memo dict + grid 300x300': [
    'from functools import lru_cache',
    'grid = [[(i * 31 + j * 17) % 10 for j in range(300)] for i in range(300)]',
    'memo = {}',
    'def paths(i, j):',
    '    if i == 0 or j == 0:',
    '        return grid[i][j]',
    '    key = (i, j)',
    '    if key not in memo:',
    '        memo[key] = (paths(i - 1, j) + paths(i, j - 1) + grid[i][j]) % 1000003',
    '    return memo[key]',
    'import sys',
    'sys.setrecursionlimit(10000)',
    'for d in range(0, 600, 10):',
    '    paths(min(d, 299), min(d, 299))',
    'print(paths(299, 299))',
  ].join('\n'),
};

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

export async function benchLargeData(report: (line: string) => void): Promise<void> {
  const limits = { ...DEFAULT_LIMITS, timeout_ms: 60_000, cpu_ms: 60_000, memory_mb: 2048 };
  const tracer = new Tracer({ jobs: 1, limits });
  let plainTotal = 0;
  let tracedTotal = 0;
  const ratios: number[] = [];
  let overGoal = 0;
  try {
    for (const [name, code] of Object.entries(LARGE_DATA_PROGRAMS)) {
      const run: Run = { id: name, language: 'python', code, input: { kind: 'stdin', stdin: '' } };
      const best = async (mode?: 'plain') => {
        let min = Infinity;
        let stdout = '';
        for (let i = 0; i < 3; i++) {
          const t0 = performance.now();
          const trace = await tracer.trace(run, mode);
          min = Math.min(min, (performance.now() - t0) / 1000);
          stdout = trace.stdout;
        }
        return { seconds: min, stdout };
      };
      const plain = await best('plain');
      const traced = await best();
      plainTotal += plain.seconds;
      tracedTotal += traced.seconds;
      ratios.push(traced.seconds / plain.seconds);
      const goal = 10 * plain.seconds + 0.05;
      if (traced.seconds > goal) overGoal++;
      report(`large   ${name.padEnd(26)} plain ${(plain.seconds * 1000).toFixed(0)} ms | traced ${(traced.seconds * 1000).toFixed(0)} ms = ${(traced.seconds / plain.seconds).toFixed(2)}x${traced.seconds > goal ? ' (over 10T+50ms)' : ''}${traced.stdout === plain.stdout ? '' : ' STDOUT DIFFERS'}`);
    }
  } finally {
    tracer.close();
  }
  report(`large   total traced/plain ${(tracedTotal / plainTotal).toFixed(2)}x (synthetic worst cases; the 2x total goal is on real rollouts: --only real), median ${median(ratios).toFixed(2)}x, worst ${Math.max(...ratios).toFixed(2)}x, ${overGoal} over 10T+50ms`);
}
