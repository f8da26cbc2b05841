/**
 * Peak RSS of `merge` over 1,000,000 tasks (100,000 with --quick) in 3
 * parts, against the same merge over 10,000 tasks, so growth with size
 * shows. The parts are made from real units: a part build over 200
 * distinct traced programs, whose units are copied under new positions,
 * round-robin over the parts. Each copy's ground_truth.input gets a suffix,
 * so its (input, output) key is new, except that every 10th copy repeats
 * the key of the one before it, across parts, and merge drops it. What
 * merge keeps in memory grows with the distinct keys (as a build's does);
 * the rest streams.
 */
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { measureCli } from './rss.js';

const PARTS = 3;

interface Unit {
  position: number;
  tests: { task: { ground_truth: { input: string } } }[];
}

export async function benchMerge(root: string, quick: boolean, report: (line: string) => void): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'ct-merge-bench-'));
  try {
    const seed = await seedPart(root, dir);
    const small = await mergeOf(root, dir, seed, 10_000, []);
    const total = quick ? 100_000 : 1_000_000;
    const big = await mergeOf(root, dir, seed, total, []);
    const parquet = await mergeOf(root, dir, seed, total, ['-o', join(dir, 'tasks.parquet')]);
    report(`merge   ${total.toLocaleString('en')} tasks in ${PARTS} parts (${(big.bytes / 1e9).toFixed(1)} GB): peak RSS ${mb(big.kb)} MB (10,000 tasks: ${mb(small.kb)} MB), ` +
      `${big.seconds.toFixed(0)} s, ${Math.round(total / big.seconds).toLocaleString('en')} units/s, ${big.tasks} tasks kept; Parquet output: peak RSS ${mb(parquet.kb)} MB, ${parquet.seconds.toFixed(0)} s`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const mb = (kb: number) => (kb / 1024).toFixed(0);

/** A one-part build over 200 small distinct programs: the real units to copy. */
async function seedPart(root: string, dir: string): Promise<{ header: Record<string, unknown>; units: Unit[] }> {
  const file = join(dir, 'rollouts.jsonl');
  const lines = Array.from({ length: 200 }, (_, k) => {
    const code = `n = int(input())\nstep = ${k + 1}\nvals = [v * step for v in range(n)]\ntotal = sum(vals)\nprint(total)`;
    return JSON.stringify({ input: `user\nproblem ${k}\nassistant\n`, output: `\`\`\`python\n${code}\n\`\`\``, gts: JSON.stringify({ inputs: [`${k % 9 + 1}\n`], outputs: ['0\n'] }), score: 0, step: 1, uid: `u${k}` });
  });
  writeFileSync(file, lines.join('\n') + '\n');
  const part = join(dir, 'seed.part.jsonl');
  const run = await measureCli(root, dir, ['build', file, '--keep', 'all', '-o', part]);
  if (run.code !== 0) throw new Error(`seed part build failed: ${run.stderr}`);
  const [header, ...rest] = readFileSync(part, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  const units = rest.filter((u) => u.position !== undefined && u.tests?.length === 1 && 'task' in u.tests[0]);
  if (units.length < 100) throw new Error(`the seed part has only ${units.length} units with a task`);
  return { header, units };
}

/** Writes `total` units into PARTS parts and merges them with `args`. */
async function mergeOf(root: string, dir: string, seed: { header: Record<string, unknown>; units: Unit[] }, total: number, args: string[]) {
  const paths = Array.from({ length: PARTS }, (_, i) => join(dir, `${i}.part.jsonl`));
  const fds = paths.map((p) => openSync(p, 'w'));
  const buffers: string[][] = paths.map(() => []);
  const counts = paths.map(() => 0);
  const flush = (i: number) => {
    writeSync(fds[i], buffers[i].join(''));
    buffers[i] = [];
  };
  paths.forEach((_, i) => buffers[i].push(JSON.stringify({ ...seed.header, shard: { index: i, count: PARTS } }) + '\n'));
  for (let position = 0; position < total; position++) {
    const key = position % 10 === 9 ? position - 1 : position; // every 10th repeats the key before it
    const unit = seed.units[key % seed.units.length];
    const task = unit.tests[0].task;
    const copy = { ...unit, position, tests: [{ task: { ...task, ground_truth: { ...task.ground_truth, input: `${task.ground_truth.input} #${key}` } } }] };
    const i = position % PARTS;
    buffers[i].push(JSON.stringify(copy) + '\n');
    counts[i]++;
    if (buffers[i].length >= 2000) flush(i);
  }
  paths.forEach((_, i) => {
    buffers[i].push(JSON.stringify({ end: { records: total, units: counts[i], runs_by_status: { ok: counts[i] } } }) + '\n');
    flush(i);
    closeSync(fds[i]);
  });
  const bytes = paths.reduce((sum, p) => sum + statSync(p).size, 0);
  const stats = join(dir, 'stats.json');
  const run = await measureCli(root, dir, ['merge', ...paths, '--stats', stats, ...args]);
  if (run.code !== 0) throw new Error(`merge failed: ${run.stderr}`);
  const funnel = JSON.parse(readFileSync(stats, 'utf8')) as { tasks: number; records: number; balanced: boolean };
  if (funnel.records !== total || funnel.tasks !== total - Math.floor(total / 10) || !funnel.balanced) throw new Error(`unexpected funnel: ${JSON.stringify(funnel)}`);
  for (const p of paths) rmSync(p);
  return { ...run, bytes, tasks: funnel.tasks };
}
