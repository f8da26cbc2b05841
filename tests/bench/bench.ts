/**
 * `npm run bench`: throughput and overhead as ratios against baselines run
 * in the same process, on the same inputs (never part of the test suite).
 *
 *   1. Python: traced CRUXEval calls/s vs (a) the reference approach (a
 *      fresh interpreter per run on a temp file, locals captured at the end)
 *      and (b) plain untraced runs in the same warm runner.
 *   2. JavaScript: traced HumanEval-X runs/s vs a plain `node file.js` per run.
 *   3. Tracing overhead on loop-heavy programs vs the same programs
 *      untraced in the same runner, with the default event cap and with none.
 *   4. Peak RSS of `build` over a generated 100,000-rollout file.
 *   5. Programs holding large data (tests/bench/large-data.ts), traced vs plain.
 *
 * Throughput comparisons run in 3 rounds, each with a fresh Tracer (cold
 * instrumentation and compile caches), and report the median round. They
 * follow untimed warm-up passes (warmUp): the tool's code is optimized by V8,
 * as in a long build.
 *
 *   6. In the training loop (loop.ts): start-up of a one-off trace, and one
 *      step's batch through a warm Builder vs the CodeRL+ recipe's extractor.
 *   7. Real LiveCodeBench rollouts traced vs plain (tests/bench/real-rollouts.ts).
 *   8. Peak RSS of `merge` over 1,000,000 tasks in 3 parts (tests/bench/merge.ts).
 *
 * Options: --quick (smaller samples, one round), --only python|javascript|loops|rss|large|loop|real|merge.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Tracer } from '../../src/trace/tracer.js';
import { DEFAULT_LIMITS, type Limits } from '../../src/run/limits.js';
import type { Run } from '../../src/model/run.js';
import { orderedMap } from '../../src/run/pool.js';
import { benchLargeData } from './large-data.js';
import { benchLoop } from './loop.js';
import { CORPORA as CORPORA_DIR, note, readCorpus } from '../corpora.js';
import { benchRealRollouts, type LcbRecord } from './real-rollouts.js';
import { measureCli } from './rss.js';
import { benchMerge } from './merge.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : null;
const JOBS = availableParallelism();

function corpus(name: string): Record<string, string>[] {
  note(name);
  return readCorpus(name);
}

async function timed<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const t0 = performance.now();
  const value = await fn();
  return [(performance.now() - t0) / 1000, value];
}

/** Run `fn` over items with JOBS in flight; returns elapsed seconds. */
async function throughput<T>(items: T[], fn: (item: T) => Promise<unknown>): Promise<number> {
  const [seconds] = await timed(async () => {
    for await (const _ of orderedMap(items, JOBS, fn as (item: T) => Promise<unknown>)) { /* drain */ }
  });
  return seconds;
}

function spawnOnce(cmd: string, argv: string[], options: { cwd?: string; input?: string } = {}): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(cmd, argv, { cwd: options.cwd, stdio: ['pipe', 'ignore', 'ignore'] });
    child.on('close', (code) => resolve(code ?? -1));
    child.stdin.end(options.input ?? '');
  });
}

/** Who spent the CPU, by command line (the runs are the fork servers' reaped children). */
const ROLES = ['tool', 'executors', 'fork servers', 'runs', 'js worker', 'other'] as const;
type Role = (typeof ROLES)[number];
interface Usage {
  cpu: Record<Role, number>;
  /** Minor page faults of the runs (copy-on-write of the fork server's pages, mostly). */
  runFaults: number;
}

function roleOf(pid: number, cmdline: string): Role {
  if (pid === process.pid) return 'tool';
  if (cmdline.includes('zygote.py')) return 'fork servers';
  if (cmdline.includes('executor.py')) return 'executors';
  if (cmdline.includes('worker.js')) return 'js worker';
  return 'other';
}

/**
 * CPU seconds used so far by this process and all its descendants, live
 * (the executors, their zygotes and runs) or exited and waited for (the
 * reference's interpreters): a throughput comparison that other load on the
 * machine does not skew.
 */
function usage(): Usage {
  const tick = 100; // USER_HZ on Linux
  const children = new Map<number, number[]>();
  const stats = new Map<number, string[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const pid = Number(entry);
      children.set(Number(f[1]), [...(children.get(Number(f[1])) ?? []), pid]);
      stats.set(pid, [...f, readFileSync(`/proc/${entry}/cmdline`, 'utf8')]);
    } catch {
      // the process ended meanwhile
    }
  }
  const total: Usage = { cpu: Object.fromEntries(ROLES.map((r) => [r, 0])) as Record<Role, number>, runFaults: 0 };
  const stack = [process.pid];
  while (stack.length > 0) {
    const pid = stack.pop()!;
    stack.push(...(children.get(pid) ?? []));
    const f = stats.get(pid);
    if (!f) continue;
    const role = roleOf(pid, f[f.length - 1]);
    // utime + stime; cutime + cstime: children that exited and were waited for
    total.cpu[role] += (Number(f[11]) + Number(f[12])) / tick;
    total.cpu[role === 'fork servers' ? 'runs' : 'other'] += (Number(f[13]) + Number(f[14])) / tick;
    if (role === 'fork servers') total.runFaults += Number(f[8]); // cminflt
  }
  return total;
}

const sum = (u: Usage) => ROLES.reduce((acc, r) => acc + u.cpu[r], 0);

async function cpuTimed(fn: () => Promise<number>): Promise<[number, Usage]> {
  const before = usage();
  const seconds = await fn();
  const after = usage();
  const cpu = Object.fromEntries(ROLES.map((r) => [r, after.cpu[r] - before.cpu[r]])) as Record<Role, number>;
  return [seconds, { cpu, runFaults: after.runFaults - before.runFaults }];
}

/** "tool 0.8 | executors 0.7 | ..." in ms per run, roles that used any. */
function breakdown(u: Usage, n: number): string {
  return ROLES.filter((r) => u.cpu[r] > 0).map((r) => `${r} ${(u.cpu[r] / n * 1000).toFixed(2)}`).join(' | ');
}

const rows: string[] = [];
function report(line: string): void {
  rows.push(line);
  console.log(line);
}

/** Rounds of each throughput comparison: machine noise moves one round by ±10%. */
const ROUNDS = quick ? 1 : 3;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const range = (xs: number[], digits = 1) => xs.length > 1 ? ` (rounds: ${xs.map((x) => x.toFixed(digits)).join(', ')})` : '';

/**
 * A fresh Tracer per round, warmed up on a program outside the corpus: its
 * instrumentation and compile caches start cold, as for new rollouts.
 */
async function freshTracer(language: 'python' | 'javascript'): Promise<Tracer> {
  const tracer = new Tracer({ jobs: JOBS, limits: { ...DEFAULT_LIMITS, timeout_ms: 60_000, cpu_ms: 60_000 } });
  const code = language === 'python' ? 'x = 1\n' : 'let x = 1;\n';
  await Promise.all(Array.from({ length: JOBS }, () => tracer.trace({ id: 'warm-up', language, code, input: { kind: 'stdin', stdin: '' } })));
  return tracer;
}

/**
 * Untimed passes over the corpus, each with a throwaway Tracer, so the timed
 * rounds measure the tool as it runs in a long build: V8 keeps optimizing
 * the tool's own code (and tree-sitter's wasm) for its first few thousand
 * runs, and in a 2-second round that compiling is a tenth of the tool's
 * CPU. Only V8's code carries over: each timed round still starts a fresh
 * Tracer, with cold instrumentation and compile caches. Returns the first
 * pass's runs/s (the tool cold, for the record).
 */
async function warmUp(language: 'python' | 'javascript', runs: Run[]): Promise<number> {
  const passes: number[] = [];
  for (let pass = 0; pass < (quick ? 1 : WARM_UP_PASSES); pass++) {
    // A fresh Tracer per pass: with a warm instrumentation cache, the
    // instrumenter (a third of the tool's work) would not run again.
    const tracer = await freshTracer(language);
    passes.push(runs.length / await throughput(runs, (r) => tracer.trace(r)));
    tracer.close();
  }
  return passes[0];
}

/** Enough to reach a steady state on this machine (3 for CRUXEval's 800 runs, by the rounds' throughput). */
const WARM_UP_PASSES = 3;

async function benchPython(python: string): Promise<void> {
  const problems = corpus('cruxeval.jsonl').slice(0, quick ? 200 : 800);
  const runs: Run[] = problems.map((p) => ({ id: p.id, language: 'python', code: p.code, input: { kind: 'call', call: p.input_call } }));
  const n = runs.length;
  const cold = await warmUp('python', runs);
  const rows: { traced: number; tracedCpu: Usage; plain: number; reference: number; referenceCpu: Usage }[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const tracer = await freshTracer('python');
    const [traced, tracedCpu] = await cpuTimed(() => throughput(runs, (r) => tracer.trace(r)));
    const plain = await throughput(runs, (r) => tracer.trace(r, 'plain'));
    tracer.close();
    // The reference approach: a temp file per run, a fresh interpreter, locals at the end.
    const dir = mkdtempSync(join(tmpdir(), 'ct-ref-'));
    const [reference, referenceCpu] = await cpuTimed(() => throughput(problems.map((p, i) => ({ p, i })), ({ p, i }) => {
      const file = join(dir, `p${i}.py`);
      writeFileSync(file, `${p.code}\n__result = ${p.input_call}\nprint(repr(__result))\nprint({k: repr(v) for k, v in list(locals().items()) if not k.startswith('__')})\n`);
      return spawnOnce(python, [file]);
    }));
    rmSync(dir, { recursive: true, force: true });
    rows.push({ traced, tracedCpu, plain, reference, referenceCpu });
  }
  const ratios = rows.map((r) => r.reference / r.traced);
  const cpuRatios = rows.map((r) => sum(r.referenceCpu) / sum(r.tracedCpu));
  const mid = rows[ratios.indexOf(median(ratios))];
  report(`python  CRUXEval x${n}, median of ${ROUNDS} round(s): traced ${(n / mid.traced).toFixed(0)} runs/s | reference (fresh python per run) ${(n / mid.reference).toFixed(0)} runs/s | plain warm ${(n / mid.plain).toFixed(0)} runs/s`);
  report(`python  traced / reference = ${median(ratios).toFixed(1)}x${range(ratios)}   traced / plain-warm = ${(mid.plain / mid.traced).toFixed(2)}x the speed`);
  report(`python  (first warm-up pass, the tool's code not yet optimized by V8: traced ${cold.toFixed(0)} runs/s)`);
  report(`python  CPU per run (tool + executors + runs | bench + interpreters): traced ${(sum(mid.tracedCpu) / n * 1000).toFixed(1)} ms | reference ${(sum(mid.referenceCpu) / n * 1000).toFixed(1)} ms = ${median(cpuRatios).toFixed(1)}x less CPU${range(cpuRatios)}`);
  report(`python  traced CPU per run, ms: ${breakdown(mid.tracedCpu, n)}; ${(mid.tracedCpu.runFaults / n).toFixed(0)} page faults per run`);
}

async function benchJavaScript(): Promise<void> {
  const problems = corpus('humanevalx_js.jsonl').slice(0, quick ? 40 : 164);
  const runs: Run[] = problems.map((p) => ({ id: p.id, language: 'javascript', code: `${p.solution}\n${p.tests}`, input: { kind: 'stdin', stdin: '' } }));
  const n = runs.length;
  const cold = await warmUp('javascript', runs);
  const rows: { traced: number; tracedCpu: Usage; fresh: number; freshCpu: Usage }[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const tracer = await freshTracer('javascript');
    const [traced, tracedCpu] = await cpuTimed(() => throughput(runs, (r) => tracer.trace(r)));
    tracer.close();
    const dir = mkdtempSync(join(tmpdir(), 'ct-js-'));
    const [fresh, freshCpu] = await cpuTimed(() => throughput(runs.map((r, i) => ({ r, i })), ({ r, i }) => {
      const file = join(dir, `p${i}.js`);
      writeFileSync(file, r.code);
      return spawnOnce(process.execPath, [file]);
    }));
    rmSync(dir, { recursive: true, force: true });
    rows.push({ traced, tracedCpu, fresh, freshCpu });
  }
  const ratios = rows.map((r) => r.fresh / r.traced);
  const mid = rows[ratios.indexOf(median(ratios))];
  report(`js      HumanEval-X x${n}, median of ${ROUNDS} round(s): traced ${(n / mid.traced).toFixed(0)} runs/s | fresh node per run ${(n / mid.fresh).toFixed(0)} runs/s | traced / fresh = ${median(ratios).toFixed(1)}x${range(ratios)}`);
  report(`js      (first warm-up pass, the tool's code not yet optimized by V8: traced ${cold.toFixed(0)} runs/s)`);
  report(`js      CPU per run: traced ${(sum(mid.tracedCpu) / n * 1000).toFixed(1)} ms (${breakdown(mid.tracedCpu, n)}) | fresh node ${(sum(mid.freshCpu) / n * 1000).toFixed(1)} ms`);
}

// Each does about 10^6 steps of plain Python when called as f(1000).
const LOOP_PROGRAMS: Record<string, string> = {
  'nested loops 10^6': 'def f(n):\n    total = 0\n    for i in range(n):\n        for j in range(n):\n            total += i ^ j\n    return total\n',
  'while loop 10^6': 'def f(n):\n    i = 0\n    acc = 0\n    while i < n * n:\n        acc = (acc * 31 + i) % 1000003\n        i += 1\n    return acc\n',
  'recursion fib(25)': 'def fib(k):\n    if k < 2:\n        return k\n    return fib(k - 1) + fib(k - 2)\n\ndef f(n):\n    return fib(25)\n',
  'string building 10^6': 'def f(n):\n    parts = []\n    for i in range(n * n):\n        parts.append(str(i % 10))\n    s = "".join(parts)\n    return len(s)\n',
  'list mutation 10^6': 'def f(n):\n    xs = []\n    for i in range(n * n):\n        xs.append(i)\n        if len(xs) > 50:\n            xs.pop(0)\n    return sum(xs)\n',
};

async function benchLoops(capped: Tracer, uncapped: Tracer): Promise<void> {
  const ratios: number[] = [];
  const ratiosUncapped: number[] = [];
  for (const [name, code] of Object.entries(LOOP_PROGRAMS)) {
    const run: Run = { id: name, language: 'python', code, input: { kind: 'call', call: 'f(1000)' } };
    const best = async (fn: () => Promise<unknown>) => {
      let min = Infinity;
      for (let i = 0; i < 3; i++) min = Math.min(min, (await timed(fn))[0]);
      return min;
    };
    const plain = await best(() => capped.trace(run, 'plain'));
    const traced = await best(() => capped.trace(run));
    const full = await best(() => uncapped.trace(run));
    ratios.push(traced / plain);
    ratiosUncapped.push(full / plain);
    report(`loops   ${name.padEnd(22)} plain ${(plain * 1000).toFixed(0)} ms | traced (cap ${DEFAULT_LIMITS.max_events}) ${(traced / plain).toFixed(2)}x | uncapped ${(full / plain).toFixed(2)}x`);
  }
  report(`loops   median overhead: ${median(ratios).toFixed(2)}x with the default cap, ${median(ratiosUncapped).toFixed(2)}x uncapped`);
}

async function benchRss(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'ct-rss-'));
  const file = join(dir, 'rollouts.jsonl');
  const distinct = quick ? 500 : 2000;
  const total = quick ? 20_000 : 100_000;
  const lines: string[] = [];
  for (let i = 0; i < total; i++) {
    const k = i % distinct;
    const code = `n = int(input())\nvals = [v * ${k % 7 + 1} for v in range(n)]\ntotal = sum(vals)\nprint(total)`;
    lines.push(JSON.stringify({ input: `user\nproblem ${k}\nassistant\n`, output: `\`\`\`python\n${code}\n\`\`\``, gts: JSON.stringify({ inputs: [`${k}\n`], outputs: ['0\n'] }), score: 0, step: 1, uid: `u${i}` }));
  }
  writeFileSync(file, lines.join('\n') + '\n');
  const { kb, seconds } = await measureCli(ROOT, dir, ['build', file, '-o', join(dir, 'tasks.jsonl'), '--stats', join(dir, 'stats.json'), '-j', String(JOBS)]);
  const stats = JSON.parse(readFileSync(join(dir, 'stats.json'), 'utf8'));
  rmSync(dir, { recursive: true, force: true });
  report(`rss     build over ${total} rollouts (${distinct} distinct runs): peak RSS ${(kb / 1024).toFixed(0)} MB, ${seconds.toFixed(0)} s, ${stats.tasks} tasks, funnel balanced: ${stats.balanced}`);
}

async function main(): Promise<void> {
  const python = execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).trim();
  console.log(`coderl-trace bench: ${JOBS} jobs, ${cpus()[0]?.model ?? 'cpu'}, python ${python}, node ${process.version}${quick ? ' (quick)' : ''}`);
  if (!only || only === 'python') await benchPython(python);
  if (!only || only === 'javascript') await benchJavaScript();
  if (!only || only === 'loops') {
    const limits: Limits = { ...DEFAULT_LIMITS, timeout_ms: 60_000, cpu_ms: 60_000 };
    const capped = new Tracer({ jobs: 1, limits });
    const uncapped = new Tracer({ jobs: 1, limits: { ...limits, max_events: 1_000_000_000 } });
    try {
      await benchLoops(capped, uncapped);
    } finally {
      capped.close();
      uncapped.close();
    }
  }
  if (!only || only === 'rss') await benchRss();
  if (!only || only === 'large') await benchLargeData(report);
  if (!only || only === 'loop') await benchLoop({ root: ROOT, corpora: CORPORA_DIR, quick, jobs: JOBS, report });
  if (!only || only === 'real') {
    const tracer = new Tracer({ jobs: JOBS, limits: DEFAULT_LIMITS, timing: true, recheckTimeouts: true });
    try {
      await benchRealRollouts(tracer, corpus('rollouts_lcb_dev.jsonl') as unknown as LcbRecord[], JOBS, report);
    } finally {
      tracer.close();
    }
  }
  if (!only || only === 'merge') await benchMerge(ROOT, quick, report);
}

await main();
