/**
 * Real RL rollouts (rollouts_lcb_dev.jsonl: o1-class answers to
 * LiveCodeBench problems) as runs, traced and plain, and the bench section
 * `--only real`: traced/plain time over the whole file (total, p99, worst)
 * and the runs whose traced outcome (stdout, success) differs from plain.
 * tests/trace/real-rollouts.test.ts runs a sample of the same runs.
 *
 * Each rollout runs on its first sample test: stdin text, or a LeetCode
 * call (keyword arguments, true/false/null made Python), after the judge's
 * prelude that the build would give it (src/run/prelude.ts).
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Run } from '../../src/model/run.js';
import type { Trace } from '../../src/model/trace.js';
import { pythonCall } from '../../src/read/call-input.js';
import { preludeFor } from '../../src/run/prelude.js';
import { orderedMap } from '../../src/run/pool.js';
import type { Tracer } from '../../src/trace/tracer.js';
import { REPO_ROOT } from '../corpora.js';

export interface LcbRecord {
  id: string;
  extracted_code: string | null;
  passed: boolean;
  tests: { format: 'stdin_stdout'; inputs: string[] } | { format: 'leetcode_functional'; cases: { input_call?: string }[] };
}

export const THREADED = /\bthreading\b/;

/** The run a build would make of the record's first sample test (null: no code or no test). */
export async function runOf(r: LcbRecord): Promise<Run | null> {
  const code = r.extracted_code;
  if (!code) return null;
  let input: Run['input'];
  if (r.tests.format === 'stdin_stdout') {
    if (r.tests.inputs.length === 0) return null;
    input = { kind: 'stdin', stdin: r.tests.inputs[0] };
  } else {
    const call = r.tests.cases.find((c) => c.input_call)?.input_call;
    if (!call) return null;
    input = { kind: 'call', call: await pythonCall(call, code) };
  }
  return { id: r.id, language: 'python', code, input, prelude: preludeFor('python', code, { mode: 'default' }) };
}

/**
 * A deterministic sample of n records: every k-th, then threaded and
 * `class Solution` answers swapped in until each is at least a quarter.
 */
export function sample<T extends LcbRecord>(records: T[], n: number): T[] {
  if (records.length <= n) return records;
  const step = Math.floor(records.length / n);
  const picked = Array.from({ length: n }, (_, i) => i * step);
  const has = (re: RegExp) => (i: number) => re.test(records[i].extracted_code ?? '');
  for (const re of [THREADED, /^class Solution\b/m]) {
    const missing = Math.ceil(n / 4) - picked.filter(has(re)).length;
    const extra = records.map((_, i) => i).filter((i) => has(re)(i) && !picked.includes(i)).slice(0, Math.max(0, missing));
    // Replace picks that are neither kind, from the end.
    for (const i of extra) {
      let slot = picked.length - 1;
      while (slot >= 0 && (has(THREADED)(picked[slot]) || has(/^class Solution\b/m)(picked[slot]))) slot--;
      if (slot >= 0) picked[slot] = i;
    }
  }
  return [...new Set(picked)].sort((a, b) => a - b).map((i) => records[i]);
}

/** What a judge sees of a run: did it succeed, and what it printed or returned. */
export interface Outcome { success: boolean; stdout: string; return: string | null; detail: string }

export function tracedOutcome(t: Trace): Outcome {
  return { success: t.status === 'ok', stdout: t.stdout, return: t.return?.repr ?? null, detail: t.detail ?? t.status };
}

const PLAIN_RUN = join(REPO_ROOT, 'tests/bench/plain_run.py');
let python: string | null = null;
/** The interpreter behind the pyenv shim (the shim costs seconds per start on a loaded machine). */
function realPython(): string {
  python ??= execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).trim();
  return python;
}

/**
 * The run under plain python3 (tests/bench/plain_run.py), outside the tool,
 * under ulimit caps (2 GiB address space, CPU seconds) and a wall-clock kill.
 */
export function plainOutcome(run: Run, timeoutMs = 20_000): Promise<Outcome> {
  const dir = mkdtempSync(join(tmpdir(), 'real-plain-'));
  const job = join(dir, 'job.json');
  writeFileSync(job, JSON.stringify({ code: run.code, prelude: run.prelude?.source ?? null, call: run.input.kind === 'call' ? run.input.call : null }));
  const cpuSeconds = Math.ceil(timeoutMs / 1000);
  return new Promise((resolve) => {
    const child = spawn('sh', ['-c', `ulimit -v 2097152; ulimit -t ${cpuSeconds}; exec "$0" "$1" "$2"`, realPython(), PLAIN_RUN, job],
      { cwd: dir, stdio: ['pipe', 'pipe', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '/usr/bin:/bin', PYTHONHASHSEED: '0', LANG: 'C.UTF-8' } });
    const streams = [child.stdout!, child.stderr!, child.stdio[3] as NodeJS.ReadableStream];
    const chunks: Buffer[][] = [[], [], []];
    streams.forEach((s, i) => s.on('data', (b: Buffer) => chunks[i].push(b)));
    child.stdin!.on('error', () => {});
    child.stdin!.end(run.input.kind === 'stdin' ? run.input.stdin : '');
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      rmSync(dir, { recursive: true, force: true });
      const [stdout, stderr, ret] = chunks.map((c) => Buffer.concat(c).toString('utf8'));
      const lastLine = stderr.trim().split('\n').pop() ?? '';
      resolve({ success: code === 0, stdout, return: run.input.kind === 'call' && code === 0 ? ret : null, detail: signal ?? (code === 0 ? 'ok' : lastLine) });
    });
  });
}

export function differs(traced: Outcome, plain: Outcome): string | null {
  if (traced.success !== plain.success) return `success ${traced.success} (${traced.detail.slice(0, 80)}) vs plain ${plain.success} (${plain.detail.slice(0, 80)})`;
  if (traced.stdout !== plain.stdout) return `stdout ${JSON.stringify(traced.stdout.slice(0, 60))} vs plain ${JSON.stringify(plain.stdout.slice(0, 60))}`;
  if (traced.return !== plain.return) return `return ${traced.return?.slice(0, 60)} vs plain ${plain.return?.slice(0, 60)}`;
  return null;
}

export interface Pair { run: Run; traced: Trace; plainTrace: Trace; plain: Outcome }

/** Each run traced, untraced in the same sandbox (for time), and under plain python3 (for the outcome), `jobs` at a time. */
export async function tracePairs(tracer: Tracer, runs: Run[], jobs: number): Promise<Pair[]> {
  const pairs: Pair[] = [];
  const one = async (run: Run): Promise<Pair> => ({ run, traced: await tracer.trace(run), plainTrace: await tracer.trace(run, 'plain'), plain: await plainOutcome(run) });
  for await (const p of orderedMap(runs, jobs, one)) pairs.push(p);
  return pairs;
}

/** The bench section: ratios of traced to plain run time (executor wall clock, same sandbox). */
export async function benchRealRollouts(tracer: Tracer, records: LcbRecord[], jobs: number, report: (line: string) => void): Promise<void> {
  const runs = (await Promise.all(records.map(runOf))).filter((r): r is Run => r !== null);
  const t0 = performance.now();
  const pairs = await tracePairs(tracer, runs, jobs);
  const seconds = (performance.now() - t0) / 1000;
  const ms = (t: Trace) => Math.max(t.duration_ms ?? 0, 1);
  const ratio = (p: Pair) => ms(p.traced) / ms(p.plainTrace);
  const ratios = pairs.map(ratio).sort((a, b) => a - b);
  const total = pairs.reduce((s, p) => s + ms(p.traced), 0) / pairs.reduce((s, p) => s + ms(p.plainTrace), 0);
  const worst = pairs.reduce((w, p) => (ratio(p) > ratio(w) ? p : w));
  const different = pairs.map((p) => ({ p, why: differs(tracedOutcome(p.traced), p.plain) })).filter((d) => d.why !== null);
  // Which part of issue 14 each difference belongs to: threads, the prelude (runtime side), time (value budget).
  const kind = (p: Pair) => THREADED.test(p.run.code) ? 'threading'
    : p.run.prelude && /NameError/.test(p.traced.detail ?? '') ? 'prelude not run'
      : ['timeout', 'cpu_limit'].includes(p.traced.status) ? 'traced too slow' : 'other';
  const kinds = new Map<string, number>();
  for (const d of different) kinds.set(kind(d.p), (kinds.get(kind(d.p)) ?? 0) + 1);
  const overBound = pairs.filter((p) => ms(p.traced) > 10 * ms(p.plainTrace) + 50).length;
  report(`real    LiveCodeBench rollouts x${pairs.length} (${seconds.toFixed(0)} s), run time traced / untraced in the same sandbox: total ${total.toFixed(2)}x, p50 ${ratios[Math.floor(ratios.length / 2)].toFixed(2)}x, p99 ${ratios[Math.floor(ratios.length * 0.99)].toFixed(1)}x, worst ${ratio(worst).toFixed(1)}x (${worst.run.id}: ${ms(worst.traced)} vs ${ms(worst.plainTrace)} ms)`);
  report(`real    traced over 10 T + 50 ms: ${overBound}; traced outcome (success, stdout, return) differs from plain python3: ${different.length} (${[...kinds].map(([k, n]) => `${k} ${n}`).join(', ') || 'none'})`);
  for (const d of different) report(`real      ${d.p.run.id} [${kind(d.p)}]: ${d.why}`);
}
