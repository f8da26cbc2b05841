/**
 * The tasks `build` writes, judged on real programs (fixtures/tasks: MBPP,
 * HumanEval, HumanEval-X and LiveCodeBench answers; source and licence in
 * its README) and, when ../shared/corpora is present, on the full corpora:
 *
 * - every task's own answer scores 1.0 under `score` and `score --compat
 *   coderl`, for every kind;
 * - no target is a parameter its function leaves unchanged or a value that
 *   hangs on the hash seed, and every target's value is the one an
 *   independent re-run (tests/build/oracle.py, sys.setprofile on the
 *   original program) finds, under PYTHONHASHSEED 0, 1 and 2;
 * - reply styles, --rationale trace, --if-no-targets and --compat coderl.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, jsonLines, ROOT } from './helpers.js';
import { HAS_SHARED, SHARED_CORPORA as CORPORA } from '../corpora.js';

const dir = mkdtempSync(join(tmpdir(), 'ct-quality-'));
const FIXTURE = join(ROOT, 'fixtures/tasks/rollouts.jsonl');
// The full-corpora measurement builds ~2,000 tasks three times (about 10 minutes on 2 cores): opt in.
const fullRun = HAS_SHARED && process.env.CODERL_TRACE_FULL === '1';
if (!fullRun) console.log(`task-quality: the full-corpora check is skipped (${HAS_SHARED ? 'set CODERL_TRACE_FULL=1 to run it' : `no corpora at ${CORPORA}`})`);

interface Verl { reward_model: { ground_truth: string }; extra_info: { id: string; answer: string }; prompt: { content: string }[] }
interface Truth {
  task: string; language: string; input: string; code: string;
  variables: Record<string, { repr: string }>; provenance: { scopes: Record<string, string>; input_kind: string };
}
const truthOf = (r: Verl) => JSON.parse(r.reward_model.ground_truth) as Truth;

async function build(args: string[], input = FIXTURE): Promise<Verl[]> {
  const r = await cli(['build', input, '--keep', 'all', ...args]);
  expect(r.code, r.stderr).toBe(0);
  return jsonLines<Verl>(r.stdout);
}

async function ownScores(records: Verl[], compat: boolean): Promise<{ score: number; reason: string | null; rules: string; note?: string }[]> {
  const input = records.map((r) => JSON.stringify({ reward_model: r.reward_model, response: r.extra_info.answer })).join('\n') + '\n';
  const r = await cli(['score', '-', ...(compat ? ['--compat', 'coderl'] : [])], input);
  expect(r.code, r.stderr).toBe(0);
  return jsonLines(r.stdout);
}

function oracle(truths: Truth[], seed: number) {
  const jobs = truths.map((t) => JSON.stringify(t.provenance.input_kind === 'stdin' ? { code: t.code, stdin: t.input } : { code: t.code, call: t.input }));
  const r = spawnSync('python3', [join(ROOT, 'tests/build/oracle.py')], {
    input: jobs.join('\n') + '\n', encoding: 'utf8', maxBuffer: 1 << 28,
    env: { PATH: process.env.PATH, PYTHONHASHSEED: String(seed), ORACLE_TIMEOUT: '10' },
  });
  expect(r.status, r.stderr).toBe(0);
  return jsonLines<{ finals?: Record<string, Record<string, [string, unknown]>>; params?: Record<string, Record<string, string>> }>(r.stdout);
}

describe('tasks from real programs (fixtures/tasks)', () => {
  it.each(['output-vars', 'output', 'line-state'])('%s: every task\'s own answer scores 1.0 under score and score --compat coderl', async (kind) => {
    const records = await build(['--task', kind]);
    expect(records.length).toBeGreaterThan(25);
    for (const compat of [false, true]) {
      const scored = await ownScores(records, compat);
      const below = scored.map((s, i) => ({ ...s, id: records[i].extra_info.id })).filter((s) => s.score !== 1);
      expect(below, `compat ${compat}`).toEqual([]);
      if (compat && kind === 'line-state') {
        // (a run with no line worth asking falls back to an output task, which the reference does score)
        const lineState = scored.filter((_, i) => truthOf(records[i]).task === 'line-state');
        expect(lineState.length).toBeGreaterThan(15);
        for (const s of lineState) expect(s.note).toMatch(/no rule for line-state/);
      }
    }
  }, 600_000);

  it('targets: no unchanged parameter, nothing that hangs on the hash seed, values as an independent re-run finds them', async () => {
    const truths = (await build(['--task', 'output-vars'])).map(truthOf).filter((t) => t.language === 'python' && t.task === 'output-vars');
    expect(truths.length).toBeGreaterThan(20);
    const [a, b, c] = [0, 1, 2].map((seed) => oracle(truths, seed));
    let checked = 0;
    truths.forEach((t, i) => {
      for (const [key, value] of Object.entries(t.variables)) {
        const scope = t.provenance.scopes[key];
        const name = key.startsWith(`${scope}.`) ? key.slice(scope.length + 1) : key;
        const final = a[i].finals?.[scope]?.[name];
        expect(final, `${key} in ${scope} of\n${t.code}`).toBeDefined();
        expect(value.repr).toBe(final![0]);
        expect(a[i].params?.[scope]?.[name], `${key} is an unchanged parameter of ${scope}`).not.toBe(final![0]);
        for (const other of [b[i], c[i]]) expect(other.finals?.[scope]?.[name]?.[0], `${key} under another hash seed`).toBe(final![0]);
        checked++;
      }
    });
    expect(checked).toBeGreaterThan(50);
  }, 600_000);
});

describe('hash order', () => {
  const rollout = (code: string, stdin: string) => JSON.stringify({
    input: 'p', output: '```python\n' + code + '```', gts: JSON.stringify({ inputs: [stdin], outputs: [''] }), score: 0, step: 1,
  });
  const file = join(dir, 'sets.jsonl');
  writeFileSync(file, [
    // The printed order is the set's: PYTHONHASHSEED 0 and 1 print it differently.
    rollout('words = input().split()\nprint(" ".join(set(words)))\n', 'b a c d e f g\n'),
    // Only `first` and `w` hang on the order; `count` and `total` do not.
    rollout('words = input().split()\nfirst = None\ncount = 0\ntotal = 0\nfor w in set(words):\n    if first is None:\n        first = w\n    count += 1\n    total += len(w)\nprint(count, total)\n', 'bb a ccc d e f g h i j k l\n'),
  ].join('\n') + '\n');

  it('output that depends on set order is rejected; a variable that does is never a target', async () => {
    const rejects = join(dir, 'sets.rejects.jsonl');
    for (const policy of ['computed', 'last-defined']) {
      const records = await build(['--task', 'output-vars', '--policy', policy, '--targets', '5', '--rejects', rejects], file);
      expect(records).toHaveLength(1);
      const names = Object.keys(truthOf(records[0]).variables);
      expect(names).toContain('count');
      expect(names).not.toContain('first');
      expect(names).not.toContain('w');
      expect(jsonLines<{ reason: string }>(readFileSync(rejects, 'utf8')).map((r) => r.reason)).toEqual(['hash-order-dependent']);
    }
    // --hash-check off keeps the seed-0 values: `first` comes back.
    const off = await build(['--task', 'output-vars', '--policy', 'last-defined', '--targets', '5', '--hash-check', 'off'], file);
    expect(off).toHaveLength(2);
  }, 600_000);
});

describe('what the reply holds', () => {
  const demo = join(ROOT, 'fixtures/demo/rollouts.jsonl');

  it('SFT formats ask for the line alone, or with --rationale trace for a reasoning from the trace then the line', async () => {
    const plain = await cli(['build', demo, '--keep', 'all', '--format', 'messages']);
    const withWhy = await cli(['build', demo, '--keep', 'all', '--format', 'messages', '--rationale', 'trace']);
    for (const r of [plain, withWhy]) expect(r.code, r.stderr).toBe(0);
    const turns = (out: string) => jsonLines<{ messages: { content: string }[] }>(out).map((r) => r.messages);
    for (const [user, assistant] of turns(plain.stdout)) {
      expect(user.content).toMatch(/Reply with one line of JSON and nothing else/);
      expect(assistant.content.split('\n')).toHaveLength(1);
    }
    const first = turns(withWhy.stdout)[0];
    expect(first[0].content).toMatch(/First explain briefly how the program runs/);
    const lines = first[1].content.split('\n');
    expect(lines.length).toBeGreaterThan(2);
    // The demo's first program: total goes 0 -> 1 -> 5 -> 14 (1, 4, 9 added); it prints 14.
    expect(first[1].content).toMatch(/`total` starts as 0 .*0 -> 1 -> 5 -> 14/);
    expect(first[1].content).toMatch(/It prints "14\\n"/);
    expect(JSON.parse(lines.at(-1)!)).toEqual(JSON.parse(turns(plain.stdout)[0][1].content));
  });

  it('--if-no-targets: the default falls back to an output task, reject gives no-targets', async () => {
    const file = join(dir, 'echo.jsonl');
    // Nothing computed but the output: the parameter is never changed.
    writeFileSync(file, JSON.stringify({ input: 'p', output: '```python\ndef f(x):\n    return x * 2\n```', gts: JSON.stringify({ fn_name: 'f', inputs: ['3'], outputs: ['6'] }), score: 0, step: 1 }) + '\n');
    const fallback = await build([], file);
    expect(fallback.map((r) => truthOf(r).task)).toEqual(['output']);
    const rejects = join(dir, 'echo.rejects.jsonl');
    expect(await build(['--if-no-targets', 'reject', '--rejects', rejects], file)).toEqual([]);
    expect(readFileSync(rejects, 'utf8')).toMatch(/"reason":"no-targets"/);
  });

  it('--compat coderl renders the recipe\'s prompt (code on its own line, a one-line JSON sample) and module-scope targets', async () => {
    const records = await build(['--compat', 'coderl'], FIXTURE);
    const stdin = records.filter((r) => truthOf(r).provenance.input_kind === 'stdin');
    expect(stdin.length).toBeGreaterThan(5);
    for (const r of stdin) {
      const prompt = r.prompt[0].content;
      expect(prompt).toMatch(/^Given the following Python Code and Input, predict:/);
      expect(prompt).toMatch(/Python code: ```python\n/);
      expect(prompt).toContain('{"final_output": "3\\n6", "variables": {"cnt": 2, "buf": [1, 2]}}\n');
      const gt = truthOf(r);
      expect(Object.values(gt.provenance.scopes).every((s) => s === '<module>')).toBe(true);
      expect(Object.keys(gt.variables).length).toBeLessThanOrEqual(3);
      expect(prompt).toContain(`Target local variables: [${Object.keys(gt.variables).map((k) => `'${k}'`).join(', ')}]`);
    }
    const scored = await ownScores(records, true);
    expect(scored.filter((s) => s.score !== 1)).toEqual([]);
  }, 300_000);
});

describe.skipIf(!fullRun)('the full corpora (tests/measure/task-quality.mjs)', () => {
  it('HumanEval, MBPP, HumanEval-X and LiveCodeBench: own answers score 1.0 both ways; unchanged parameters <= 5%; no hash-order-dependent target', () => {
    const out = join(dir, 'full');
    const r = spawnSync(process.execPath, [join(ROOT, 'tests/measure/task-quality.mjs'), '--out', out], { encoding: 'utf8', maxBuffer: 1 << 26, env: { ...process.env, CODERL_CORPORA: CORPORA } });
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(readFileSync(join(out, 'report.functions+lcb.json'), 'utf8')) as Record<string, {
      tasks: number; unchanged_parameter_share: number; hash_order_dependent: number;
      own_answer_below_1: { count: number }; own_answer_below_1_compat_coderl: { count: number };
    }>;
    for (const [name, m] of Object.entries(report)) {
      expect(m.tasks, name).toBeGreaterThan(100);
      expect(m.own_answer_below_1.count, name).toBe(0);
      expect(m.own_answer_below_1_compat_coderl.count, name).toBe(0);
      expect(m.hash_order_dependent, name).toBe(0);
      expect(m.unchanged_parameter_share, name).toBeLessThanOrEqual(5);
    }
  }, 3_600_000);
});
