/**
 * `npm run bench -- --only loop`: the tool inside a training loop.
 *
 *   1. Start-up: `coderl-trace trace --code two_lines.py` from a shell, vs a
 *      bare `python3 -c pass` plus `node -e 0`, alternated round by round.
 *      The first start on a machine (empty start-up cache: interpreter and
 *      sandbox probe) is reported on its own.
 *   2. One step's batch: N real LiveCodeBench rollouts as verl dump rows
 *      through a warm Python Builder vs the CodeRL+ recipe's extractor (a
 *      fresh interpreter per program with a locals() dump appended), same
 *      cores, same programs (tests/bench/loop_step.py).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LIVECODEBENCH_PRELUDE } from '../../src/run/prelude.js';

export interface LoopBenchOptions {
  root: string;
  corpora: string;
  quick: boolean;
  jobs: number;
  report: (line: string) => void;
}

function wall(cmd: string, argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const start = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, { stdio: 'ignore', env });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(Number(process.hrtime.bigint() - start) / 1e6) : reject(new Error(`${cmd} ${argv.join(' ')} exited ${code}`))));
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const list = (xs: number[], digits: number) => xs.map((x) => x.toFixed(digits)).join(', ');

async function benchStartUp(o: LoopBenchOptions): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'ct-startup-'));
  const program = join(dir, 'two.py');
  writeFileSync(program, 'x = 1\ny = x + 1\n');
  const env = { ...process.env, CODERL_TRACE_CACHE_DIR: join(dir, 'cache') };
  const trace = () => wall(process.execPath, [join(o.root, 'bin/coderl-trace.js'), 'trace', '--code', program], env);
  const bare = async () => (await wall('python3', ['-c', 'pass'])) + (await wall(process.execPath, ['-e', '0']));
  try {
    const coldBase = await bare();
    const cold = await trace();
    const rounds = o.quick ? 3 : 9;
    const ratios: number[] = [];
    const traced: number[] = [];
    const bases: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const base = await bare();
      const t = await trace();
      bases.push(base);
      traced.push(t);
      ratios.push(t / base);
    }
    o.report(`startup trace --code (2 lines) vs python3 -c pass + node -e 0, ${rounds} alternated rounds: median ${median(traced).toFixed(0)} ms vs ${median(bases).toFixed(0)} ms = ${median(ratios).toFixed(2)}x (worst round ${Math.max(...ratios).toFixed(2)}x; rounds: ${list(ratios, 2)})`);
    o.report(`startup first start on this machine (empty start-up cache: python3 resolved, sandbox probed): ${cold.toFixed(0)} ms vs ${coldBase.toFixed(0)} ms = ${(cold / coldBase).toFixed(2)}x`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function benchStep(o: LoopBenchOptions): void {
  const corpus = join(o.corpora, 'rollouts_lcb_dev.jsonl');
  if (!existsSync(corpus)) {
    o.report(`step    skipped: ${corpus} not found`);
    return;
  }
  const n = o.quick ? 200 : 600;
  const rounds = o.quick ? 1 : 3;
  const dir = mkdtempSync(join(tmpdir(), 'ct-step-'));
  const prelude = join(dir, 'prelude.py');
  writeFileSync(prelude, LIVECODEBENCH_PRELUDE.source);
  const run = spawnSync('python3', [join(o.root, 'tests/bench/loop_step.py'), corpus, String(n), String(o.jobs), String(rounds), prelude], {
    encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 * 1024 * 1024,
  });
  rmSync(dir, { recursive: true, force: true });
  if (run.status !== 0) throw new Error(`loop_step.py exited ${run.status}`);
  const rows = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, number> & { runs: Record<string, number> });
  const ratios = rows.map((r) => r.reference_s / r.builder_s);
  const mid = rows[ratios.indexOf(median(ratios))];
  o.report(`step    ${mid.rows} LiveCodeBench rollouts (verl dump rows), ${o.jobs} jobs, median of ${rounds} round(s): warm Builder ${mid.builder_s.toFixed(1)} s (${mid.tasks} tasks, ${mid.rejects} rejects, runs ${JSON.stringify(mid.runs)}) | recipe's extractor (fresh python + locals() dump per program) ${mid.reference_s.toFixed(1)} s (${mid.reference_outputs} outputs)`);
  o.report(`step    Builder / reference = ${median(ratios).toFixed(1)}x faster (worst round ${Math.min(...ratios).toFixed(1)}x; rounds: ${list(ratios, 1)}); the Builder's first request (server start) ${mid.first_request_s.toFixed(1)} s`);
  if (mid.reference_limit_rows > 0) {
    // Such a row takes the whole limit on both sides: the batch cannot end sooner.
    o.report(`step    ceiling: ${mid.reference_limit_rows} row(s) run into the recipe's ${mid.limit_s} s limit in the reference too, so no tool with that limit can be more than ${(mid.reference_s / mid.limit_s).toFixed(1)}x faster on these rows and cores`);
  }
  // The recipe runs LeetCode-style programs without their judge's imports: most stop at
  // NameError: List. With the imports both sides run the same programs to the end.
  const withPrelude = rows.map((r) => r.reference_prelude_s / r.builder_s);
  o.report(`step    with the judge's imports on both sides (class Solution programs): reference ${mid.reference_prelude_s.toFixed(1)} s (${mid.reference_prelude_outputs} outputs: its locals() dump fails on the modules the imports bind); Builder / reference = ${median(withPrelude).toFixed(1)}x faster (rounds: ${list(withPrelude, 1)})`);
}

export async function benchLoop(o: LoopBenchOptions): Promise<void> {
  await benchStartUp(o);
  benchStep(o);
}
