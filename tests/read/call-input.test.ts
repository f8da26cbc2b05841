/**
 * LeetCode-style call inputs (keyword arguments, true/false/null), the
 * call-expression test form, judge preludes, and the LiveCodeBench -> verl
 * converter. Values are checked with real python3, not with the tool.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pythonCall } from '../../src/read/call-input.js';
import { parseTests } from '../../src/read/test-cases.js';
import { LIVECODEBENCH_PRELUDE, preludeFor, preludeFromFlag } from '../../src/run/prelude.js';
import type { Rollout } from '../../src/read/types.js';
import { cli, jsonLines, ROOT } from '../build/helpers.js';
import { SLICES } from '../corpora.js';
import { readAll } from './helpers.js';

const python = (code: string, stdin = '') => spawnSync('python3', ['-c', code], { input: stdin, encoding: 'utf8' });

describe('LeetCode literals in Python calls', () => {
  const program = 'class Solution:\n    def f(self, **kw):\n        return kw\n';

  it('rewrites bare true/false/null only, and python3 then gets the JSON values', async () => {
    const call = 'Solution().f(a = [true, false, null], s = "true, null", n = {"false": 1}, t = 2)';
    const rewritten = await pythonCall(call, program);
    expect(rewritten).toBe('Solution().f(a = [True, False, None], s = "true, null", n = {"false": 1}, t = 2)');
    // Independent: the keyword values, read as JSON by python3, equal what the rewritten call passes.
    const r = python(`${program}\nimport json\ngot = ${rewritten}\nwant = {"a": json.loads('[true, false, null]'), "s": "true, null", "n": {"false": 1}, "t": 2}\nprint(got == want)`);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('True\n');
  });

  it('leaves names the program uses, attributes, keyword names and other text alone', async () => {
    expect(await pythonCall('f(true)', 'true = 3\ndef f(x):\n    return x\n')).toBe('f(true)');
    expect(await pythonCall('f(o.true, null=1, x=null)', 'def f(*a, **k):\n    return a\n')).toBe('f(o.true, null=1, x=None)');
    expect(await pythonCall('f([1, 2])', '')).toBe('f([1, 2])');
    expect(await pythonCall('f("é😀", true)', '')).toBe('f("é😀", True)'); // offsets past non-ASCII text
  });

  it('trace runs a class Solution call with keyword arguments and LeetCode literals', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'call-input-'));
    writeFileSync(join(dir, 'sol.py'), 'class Solution:\n    def pick(self, nums, first, default):\n        return nums[0] if first else default\n');
    const r = await cli(['trace', '--code', join(dir, 'sol.py'), '--call', 'Solution().pick(nums = [4, 5], first = false, default = null)']);
    expect(r.code, r.stderr).toBe(0);
    const trace = JSON.parse(r.stdout);
    expect(trace.status).toBe('ok');
    expect(trace.return.repr).toBe('None');
    expect(trace.provenance.prelude.name).toBe('livecodebench');
    const none = JSON.parse((await cli(['trace', '--code', join(dir, 'sol.py'), '--call', 'Solution().pick(nums = [4], first = true, default = 0)', '--prelude', 'none'])).stdout);
    expect(none.return.repr).toBe('4');
    expect(none.provenance.prelude).toBeUndefined();
    expect((await cli(['trace', '--code', join(dir, 'sol.py'), '--call', 'x', '--prelude', join(dir, 'missing.py')])).code).toBe(3);
  }, 300_000);
});

describe('call-expression tests', () => {
  it('reads [{call, output}] and {cases: [{input_call, expected_output}]}', () => {
    const a = parseTests(JSON.stringify([{ call: 'Solution().f(x = 1)', output: 'true' }, { call: 'Solution().f(x = 2)', output: "'a'" }]), { language: 'python' });
    expect(a.ok && a.tests.map((t) => [t.input, t.expected_output, t.expected_kind])).toEqual([
      [{ kind: 'call', call: 'Solution().f(x = 1)' }, 'true', 'json'],
      [{ kind: 'call', call: 'Solution().f(x = 2)' }, "'a'", 'literal'],
    ]);
    expect(a.ok && a.fn_name).toBe('f');
    const b = parseTests({ method: 'g', cases: [{ input_call: 'Solution().g(s = "x")', expected_output: '2' }] }, { language: 'python' });
    expect(b.ok && b.style).toBe('call');
    expect(b.ok && b.fn_name).toBe('g');
  });
});

describe('judge preludes', () => {
  it('default: LiveCodeBench\'s imports for Python class Solution programs only', () => {
    const solution = 'class Solution:\n    def f(self, nums: List[int]) -> int:\n        return 0\n';
    expect(preludeFor('python', solution, { mode: 'default' })).toBe(LIVECODEBENCH_PRELUDE);
    expect(preludeFor('python', 'print(1)\n', { mode: 'default' })).toBeNull();
    expect(preludeFor('javascript', 'class Solution {}\n', { mode: 'default' })).toBeNull();
    expect(preludeFor('python', solution, preludeFromFlag('none'))).toBeNull();
  });

  it('the LiveCodeBench prelude gives what its judged answers use, in real python3', () => {
    const r = python(`${LIVECODEBENCH_PRELUDE.source}\nprint(List.__name__, defaultdict.__name__, heappush.__name__, bisect_left.__name__, gcd(4, 6), accumulate.__name__, lru_cache.__name__, sys.getrecursionlimit())`);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('List defaultdict heappush bisect_left 2 accumulate lru_cache 50000\n');
  });
});

describe('tests/read/lcb_to_verl.py', () => {
  it('turns the LiveCodeBench slice into a verl dump the reader reads whole', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lcb-verl-'));
    const out = join(dir, 'lcb.jsonl');
    execFileSync('python3', [join(ROOT, 'tests/read/lcb_to_verl.py'), join(SLICES, 'rollouts_lcb_dev.jsonl'), out]);
    const source = jsonLines<{ tests: { format: string }; passed: boolean }>(readFileSync(join(SLICES, 'rollouts_lcb_dev.jsonl'), 'utf8'));
    const { results } = await readAll([out]);
    expect(results).toHaveLength(source.length);
    const rollouts: Rollout[] = results.flatMap((r) => (r.ok ? [r.rollout] : []));
    expect(rollouts).toHaveLength(source.length);
    rollouts.forEach((r, i) => {
      expect(r.style).toBe(source[i].tests.format === 'stdin_stdout' ? 'stdin' : 'call');
      expect(r.passed).toBe(source[i].passed);
    });
  });
});
