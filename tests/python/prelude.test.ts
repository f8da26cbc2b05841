/**
 * A judge's prelude (job field `prelude`), through a real executor: it runs
 * in the program's globals before the program, untraced, with no events,
 * and leaves the program's line numbers (events, tracebacks) as they are.
 * Expected output comes from plain `python3 main.py` runs of the prelude
 * and the program joined, with the traceback's line numbers shifted back
 * by the prelude's lines.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { instrumentPython } from '../../src/instrument/python.js';
import { DEFAULT_LIMITS } from '../../src/run/limits.js';
import { decodeTrace } from '../../src/trace/decode.js';
import type { Trace } from '../../src/model/trace.js';
import type { RunInput } from '../../src/model/run.js';
import { TestExecutor } from '../javascript/warm.js';
import { normalizePaths, runPlainAsync } from './helpers.js';

const PRELUDE = 'from typing import *\nfrom collections import *\nimport math\nBIG = 10 ** 9 + 7\n';

let executor: TestExecutor;
beforeAll(async () => {
  executor = new TestExecutor();
  await executor.ready;
});
afterAll(() => executor.close());

async function run(source: string, prelude: string | null, mode: 'trace' | 'plain' = 'trace', input: RunInput = { kind: 'stdin', stdin: '' }): Promise<Trace> {
  const instrumented = mode === 'trace' ? await instrumentPython(source) : null;
  const scopes = instrumented?.scopes ?? [];
  const result = await executor.run({
    language: 'python', mode, source, prelude,
    instrumented: instrumented?.code ?? null,
    line_map: instrumented?.lineMap?.map((l) => [l.line, l.inserted]) ?? null,
    probe_scopes: instrumented?.probes.map((p) => scopes.indexOf(p.scope)) ?? [],
    scopes, input, limits: DEFAULT_LIMITS,
  });
  return decodeTrace(result, { id: 'p', language: 'python', instrumented, provenance: {}, timing: false });
}

/** The plain reference: prelude and program in one file, traceback lines shifted back. */
async function plainWithPrelude(source: string): Promise<{ stdout: string; stderr: string; status: number | null }> {
  const plain = await runPlainAsync(PRELUDE + source);
  const shift = PRELUDE.split('\n').length - 1;
  const stderr = plain.stderr.replace(/(File "[^"]*main\.py", line )(\d+)/g, (_m, head: string, n: string) => head + String(Number(n) - shift));
  return { ...plain, stderr };
}

describe('judge prelude', () => {
  const solution = `class Solution:
    def twoSum(self, nums: List[int], target: int) -> List[int]:
        seen = defaultdict(int)
        for i, x in enumerate(nums):
            if target - x in seen:
                return [seen[target - x], i]
            seen[x] = i
        return []
print(Solution().twoSum([2, 7, 11, 15], 9), BIG % 1000, math.gcd(4, 6))
`;

  it('names the program needs come from the prelude, traced and plain, as in one plain file', async () => {
    const expected = await plainWithPrelude(solution);
    for (const mode of ['trace', 'plain'] as const) {
      const trace = await run(solution, PRELUDE, mode);
      expect([trace.status, trace.stdout, trace.stderr]).toEqual(['ok', expected.stdout, expected.stderr]);
    }
  });

  it('without it the program fails as it does plain (NameError)', async () => {
    const trace = await run(solution, null);
    const plain = await runPlainAsync(solution);
    expect(trace.status).toBe('runtime_error');
    expect(normalizePaths(trace.stderr)).toBe(normalizePaths(plain.stderr));
  });

  it('no events, no finals, no line of its own: events and finals are the program\'s alone', async () => {
    const withPrelude = await run(solution, PRELUDE);
    const without = await run(solution.replace('List[int]', 'list').replace('List[int]', 'list')
      .replace('defaultdict(int)', 'dict()').replace(', BIG % 1000, math.gcd(4, 6)', ', 7, 2'), null);
    expect(withPrelude.events.map((e) => [e.line, e.scope])).toEqual(without.events.map((e) => [e.line, e.scope]));
    expect(Object.keys(withPrelude.finals['<module>'])).toEqual(['Solution']);
    const moduleVars = withPrelude.events.filter((e) => e.scope === '<module>').flatMap((e) => Object.keys(e.vars));
    expect(moduleVars).toEqual(['Solution']);
  });

  it('a prelude name the program rebinds is the program\'s own variable', async () => {
    const trace = await run('BIG = 5\nprint(BIG)\n', PRELUDE);
    expect(trace.stdout).toBe('5\n');
    expect(trace.finals['<module>']).toEqual({ BIG: { repr: '5', json: 5 } });
  });

  it('tracebacks name the program\'s own lines', async () => {
    const source = 'x = Counter("aab")\ny = 1\nraise ValueError(x["a"])\n';
    const trace = await run(source, PRELUDE);
    const expected = await plainWithPrelude(source);
    expect(trace.exception?.line).toBe(3);
    expect(normalizePaths(trace.stderr)).toBe(normalizePaths(expected.stderr));
  });

  it('call inputs see the prelude too', async () => {
    const trace = await run(solution, PRELUDE, 'trace', { kind: 'call', call: 'Solution().twoSum(nums = [3, 3], target = 6)' });
    expect(trace.return?.json).toEqual([0, 1]);
  });
});
