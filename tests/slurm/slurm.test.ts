/**
 * bin/coderl-trace-slurm.sbatch on a real single-host Slurm cluster
 * (tests/slurm/cluster.ts): the job array builds the shards, its merge job
 * puts them together, and the result is the one-machine build, byte for
 * byte. Then a lost part: the same sbatch again rebuilds only that shard.
 * Where Slurm cannot start (not root, not installed) the test says so and
 * is skipped; with CI=true it runs, and fails if Slurm cannot start.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CLI, ROOT, cli } from '../build/helpers.js';
import { writeRollouts } from '../merge/rollouts.js';
import { slurmMissing, squeue, startCluster, until, type Cluster } from './cluster.js';

const SCRIPT = join(ROOT, 'bin/coderl-trace-slurm.sbatch');
const OPTIONS = ['--keep', 'all', '--tests-per-program', '2'];
const OUTPUTS = ['tasks.jsonl', 'rejects.jsonl', 'stats.json'];
const missing = slurmMissing();
const inCI = process.env.CI === 'true';
if (missing && !inCI) {
  console.warn(`\n!!! tests/slurm SKIPPED: Slurm cannot start on this machine: ${missing}.\n!!! With CI=true this test runs, and fails when Slurm cannot start.\n`);
}

describe.skipIf(missing !== null && !inCI)('the Slurm job array (bin/coderl-trace-slurm.sbatch)', () => {
  let cluster: Cluster;
  let dir: string;
  let input: string;
  const out = () => join(dir, 'out');

  beforeAll(async () => {
    if (missing) throw new Error(`CI=true but Slurm cannot start: ${missing}`);
    cluster = await startCluster();
    dir = join(cluster.dir, 'work');
    mkdirSync(join(dir, 'one'), { recursive: true });
    input = join(dir, 'rollouts.jsonl');
    writeRollouts(input, 30);
    const one = await cli(['build', input, ...OPTIONS, ...OUTPUTS.flatMap((name, i) => [['-o', '--rejects', '--stats'][i], join(dir, 'one', name)])]);
    expect(one.code, one.stderr).toBe(0);
  }, 300_000);

  afterAll(async () => {
    await cluster?.stop();
  }, 120_000);

  /** sbatch --wait on the array, then wait for its merge job; returns the logs. */
  async function runArray(): Promise<string> {
    const sbatch = await promisify(execFile)('sbatch', ['--wait', '--array=0-2', '--cpus-per-task=1', `--output=${dir}/build-%A_%a.log`, SCRIPT, out(), input, ...OPTIONS], {
      cwd: dir,
      env: { ...cluster.env, CODERL_TRACE: `${process.execPath} ${CLI}` },
    }).catch((err: { stdout?: string; stderr?: string; message: string }) => {
      throw new Error(`sbatch failed: ${err.message}\n${err.stdout ?? ''}${err.stderr ?? ''}\n${logsIn(dir)}\n${cluster.logs()}`);
    });
    await until(() => squeue(cluster.env) === '', 300_000, `the merge job did not finish: ${squeue(cluster.env)}`);
    const logs = `$ sbatch --wait --array=0-2 ... coderl-trace-slurm.sbatch OUT ROLLOUTS ${OPTIONS.join(' ')}\n${sbatch.stdout}${logsIn(dir)}${logsIn(out())}`;
    console.log(logs);
    return logs;
  }

  it('builds the shards as an array, merges them, and equals the one-machine build', async () => {
    const logs = await runArray();
    for (const name of OUTPUTS) {
      expect(existsSync(join(out(), name)), `${name} was not written\n${logs}`).toBe(true);
      expect(readFileSync(join(out(), name), 'utf8'), name).toBe(readFileSync(join(dir, 'one', name), 'utf8'));
    }
    expect(readdirSync(join(out(), 'parts')).sort()).toEqual(['0.part.jsonl', '1.part.jsonl', '2.part.jsonl']);
    expect(logs).toMatch(/merge job \d+ runs when array job \d+ has succeeded/);
    expect(logs).toMatch(/coderl-trace merge: \d+ records: \d+ tasks/);
  }, 600_000);

  it('after a lost part, the same sbatch rebuilds that shard only, then merges again', async () => {
    rmSync(join(out(), 'parts', '1.part.jsonl'));
    for (const name of OUTPUTS) rmSync(join(out(), name));
    for (const log of readdirSync(dir).filter((f) => f.startsWith('build-'))) rmSync(join(dir, log));
    for (const log of readdirSync(out()).filter((f) => f.startsWith('merge-'))) rmSync(join(out(), log));
    const logs = await runArray();
    expect(logs).toMatch(/shard 0\/3 is complete in .* already; skipped/);
    expect(logs).toMatch(/shard 1\/3: \d+ of \d+ records written as a part/);
    expect(logs).toMatch(/shard 2\/3 is complete in .* already; skipped/);
    for (const name of OUTPUTS) expect(readFileSync(join(out(), name), 'utf8'), name).toBe(readFileSync(join(dir, 'one', name), 'utf8'));
  }, 600_000);
});

function logsIn(folder: string): string {
  if (!existsSync(folder)) return '';
  return readdirSync(folder).filter((f) => f.endsWith('.log')).sort().map((f) => `--- ${f}\n${readFileSync(join(folder, f), 'utf8')}`).join('');
}
