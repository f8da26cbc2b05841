/**
 * A real single-host Slurm cluster for tests, in a temporary folder: its
 * own munge key and socket, a minimal slurm.conf (this machine as the
 * controller and the one compute node, on free ports, no cgroups, no
 * accounting), and munged, slurmctld -D and slurmd -D as child processes,
 * stopped (jobs cancelled first) by stop().
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

const PROGRAMS = ['munged', 'mungekey', 'slurmctld', 'slurmd', 'sbatch', 'squeue', 'sinfo', 'scancel'];

/** Why Slurm cannot start here, or null when it can. */
export function slurmMissing(): string | null {
  if (process.getuid?.() !== 0) return 'not root (munged and slurmd run as root here)';
  const missing = PROGRAMS.filter((p) => which(p) === null);
  return missing.length > 0 ? `not installed: ${missing.join(', ')} (Debian: apt-get install slurm-wlm munge)` : null;
}

export interface Cluster {
  dir: string;
  /** Environment for client commands (sbatch, squeue): SLURM_CONF points at this cluster. */
  env: NodeJS.ProcessEnv;
  /** The daemons' logs, for failure messages. */
  logs(): string;
  /** Cancel every job, stop the daemons, check they are gone. */
  stop(): Promise<void>;
}

export async function startCluster(): Promise<Cluster> {
  const dir = mkdtempSync(join(tmpdir(), 'ct-slurm-'));
  chmodSync(dir, 0o755); // munged wants its socket's folder reachable by all
  for (const sub of ['state', 'spool']) mkdirSync(join(dir, sub));
  const env = { ...process.env, SLURM_CONF: join(dir, 'slurm.conf') };
  const daemons: ChildProcess[] = [];
  const logNames = ['munged', 'slurmctld', 'slurmd'];
  const daemon = (name: string, args: string[]) => {
    const log = openSync(join(dir, `${name}.log`), 'a');
    const child = spawn(which(name)!, args, { env, stdio: ['ignore', log, log] });
    daemons.push(child);
    return child;
  };
  const logs = () => logNames.map((n) => `--- ${n}.log\n${readIfThere(join(dir, `${n}.log`)).slice(-3000)}`).join('\n');
  // A backstop should the test process end without stop().
  const killAll = () => { for (const d of daemons) if (d.exitCode === null && d.signalCode === null) d.kill('SIGKILL'); };
  process.once('exit', killAll);

  const cluster: Cluster = {
    dir,
    env,
    logs,
    async stop() {
      try {
        execFileSync(which('scancel')!, ['--user', 'root'], { env, stdio: 'ignore' });
        await until(() => squeue(env) === '', 30_000);
      } catch {
        // the controller may be down already: the daemons are stopped below either way
      }
      for (const d of [...daemons].reverse()) await stopProcess(d);
      process.removeListener('exit', killAll);
      const alive = daemons.filter((d) => d.exitCode === null && d.signalCode === null);
      if (alive.length > 0) throw new Error(`Slurm daemons still running: pids ${alive.map((d) => d.pid).join(', ')}`);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    execFileSync(which('mungekey')!, ['--create', '--keyfile', join(dir, 'munge.key')], { stdio: 'ignore' });
    const socket = join(dir, 'munge.sock');
    daemon('munged', ['--foreground', '--force', `--key-file=${join(dir, 'munge.key')}`, `--socket=${socket}`,
      `--pid-file=${join(dir, 'munged.pid')}`, `--seed-file=${join(dir, 'munged.seed')}`, `--log-file=${join(dir, 'munged.file.log')}`]);
    await until(() => existsSync(socket), 15_000, 'munged did not create its socket');
    // This machine as `slurmd -C` sees it, so the node is not drained for a mismatch.
    const node = execFileSync(which('slurmd')!, ['-C'], { encoding: 'utf8' }).split('\n')[0].trim();
    const name = /^NodeName=(\S+)/.exec(node)?.[1];
    if (!name) throw new Error(`slurmd -C printed no NodeName: ${node}`);
    const [ctldPort, dPort] = [await freePort(), await freePort()];
    writeFileSync(env.SLURM_CONF, [
      'ClusterName=coderltest',
      `SlurmctldHost=${name}(127.0.0.1)`,
      'SlurmUser=root',
      'SlurmdUser=root',
      'AuthType=auth/munge',
      `AuthInfo=socket=${socket}`,
      'CredType=cred/munge',
      `StateSaveLocation=${join(dir, 'state')}`,
      `SlurmdSpoolDir=${join(dir, 'spool')}`,
      `SlurmctldPidFile=${join(dir, 'slurmctld.pid')}`,
      `SlurmdPidFile=${join(dir, 'slurmd.pid')}`,
      `SlurmctldPort=${ctldPort}`,
      `SlurmdPort=${dPort}`,
      'ProctrackType=proctrack/linuxproc',
      'TaskPlugin=task/none',
      'JobAcctGatherType=jobacct_gather/none',
      'AccountingStorageType=accounting_storage/none',
      'SchedulerType=sched/backfill',
      'SelectType=select/cons_tres',
      'SelectTypeParameters=CR_Core',
      'MpiDefault=none',
      'ReturnToService=2',
      `${node} NodeAddr=127.0.0.1 State=UNKNOWN`,
      `PartitionName=test Nodes=${name} Default=YES MaxTime=INFINITE State=UP`,
    ].join('\n') + '\n');
    daemon('slurmctld', ['-D']);
    daemon('slurmd', ['-D']);
    await until(() => {
      const dead = daemons.find((d) => d.exitCode !== null || d.signalCode !== null);
      if (dead) throw new Error(`a Slurm daemon exited at start-up (${dead.spawnfile}, ${dead.exitCode ?? dead.signalCode})`);
      return sinfo(env).includes('idle');
    }, 60_000, 'the node never became idle');
    return cluster;
  } catch (err) {
    const message = `${(err as Error).message}\n${logs()}`;
    await cluster.stop().catch(() => undefined);
    throw new Error(message);
  }
}

export function squeue(env: NodeJS.ProcessEnv): string {
  return execFileSync(which('squeue')!, ['-h', '-o', '%i %j %T %r'], { env, encoding: 'utf8' }).trim();
}

function sinfo(env: NodeJS.ProcessEnv): string {
  try {
    return execFileSync(which('sinfo')!, ['-h', '-o', '%T'], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return '';
  }
}

export async function until(ok: () => boolean, ms: number, what = 'timed out'): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(what);
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

function which(program: string): string | null {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/sbin', '/usr/bin'];
  for (const dir of dirs) if (dir && existsSync(join(dir, program))) return join(dir, program);
  return null;
}

function readIfThere(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}
