/**
 * Runs tracers/javascript/runner.js the way the executor's child does:
 * fd 0 = a stdin file, fd 1/2 = program output, fd 3 = trace channel (a pipe
 * here), cwd = an empty directory. Used by the tests until the executor
 * integration lands.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, openSync, closeSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { RunInput } from '../../src/model/run.js';
import { instrumentJavaScript } from '../../src/instrument/javascript.js';
import type { Instrumented } from '../../src/instrument/types.js';

export const RUNNER = resolve(import.meta.dirname, '../../tracers/javascript/runner.js');

export interface RunOptions {
  mode?: 'trace' | 'plain';
  input?: RunInput;
  limits?: Record<string, number>;
  /** Kill the process group after this many ms (as the executor's timeout does). */
  killAfterMs?: number;
  instrumented?: Instrumented;
  /** Node flags before the runner path (the executor passes --stack-size for traced runs). */
  nodeFlags?: string[];
  /** Give the child a regular file as fd 3 (as the executor does) instead of a pipe. */
  channelFile?: boolean;
}

export interface RunResult {
  stdout: string;
  stderr: string;
  exitCode: number | null;
  signal: string | null;
  killed: boolean;
  channel: string;
  records: unknown[][];
  instrumented: Instrumented | null;
}

export async function runJs(source: string, options: RunOptions = {}): Promise<RunResult> {
  const mode = options.mode ?? 'trace';
  const instrumented = mode === 'trace' ? options.instrumented ?? (await instrumentJavaScript(source)) : null;
  const input: RunInput = options.input ?? { kind: 'stdin', stdin: '' };
  const dir = mkdtempSync(join(tmpdir(), 'ct-js-'));
  const runDir = join(dir, 'run');
  const jobPath = join(dir, 'job.json');
  const stdinPath = join(dir, 'stdin');
  try {
    mkdirSync(runDir);
    writeFileSync(stdinPath, input.kind === 'stdin' ? input.stdin : '');
    writeFileSync(jobPath, JSON.stringify({
      language: 'javascript', mode, source,
      instrumented: instrumented?.code ?? null,
      probes: instrumented?.probes ?? [],
      input,
      limits: { max_events: 10000, max_value_chars: 2000, ...options.limits },
    }));
    const stdinFd = openSync(stdinPath, 'r');
    const channelPath = join(dir, 'channel');
    const channelFd = options.channelFile ? openSync(channelPath, 'w') : null;
    const child = spawn(process.execPath, [...(options.nodeFlags ?? []), RUNNER, jobPath], {
      cwd: runDir, stdio: [stdinFd, 'pipe', 'pipe', channelFd ?? 'pipe'], detached: true,
    });
    closeSync(stdinFd);
    if (channelFd !== null) closeSync(channelFd);
    const collect = (stream: NodeJS.ReadableStream | null) => {
      const chunks: Buffer[] = [];
      stream?.on('data', (c: Buffer) => chunks.push(c));
      return () => Buffer.concat(chunks).toString('utf8');
    };
    const out = collect(child.stdout);
    const err = collect(child.stderr);
    const chan = collect(child.stdio[3] as NodeJS.ReadableStream);
    let killed = false;
    const timer = options.killAfterMs === undefined ? null : setTimeout(() => {
      killed = true;
      try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* already gone */ }
    }, options.killAfterMs);
    const streamsDone = Promise.all([child.stdout, child.stderr, child.stdio[3]].map((s) =>
      new Promise<void>((res) => (s ? s.on('close', () => res()) : res()))));
    const [exitCode, signal] = await new Promise<[number | null, string | null]>((res) =>
      child.on('exit', (code, sig) => res([code, sig])));
    await streamsDone;
    if (timer) clearTimeout(timer);
    const channel = options.channelFile ? readFileSync(channelPath, 'utf8') : chan();
    const records = channel.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as unknown[]);
    return { stdout: out(), stderr: err(), exitCode, signal, killed, channel, records, instrumented };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface Step {
  line: number;
  scope: string;
  kind: string;
  frame: number;
  vars: Record<string, string>;
}

/** The repr of a value in an E record: a bare number, boolean or null stands for the value whose repr is its JSON text. */
export function reprOf(value: unknown): string {
  return value !== null && typeof value === 'object' ? (value as { repr: string }).repr : JSON.stringify(value);
}

/** Events joined with the probe table: line, scope and the repr of each changed variable. */
export function steps(result: RunResult): Step[] {
  const probes = result.instrumented?.probes ?? [];
  const frames = new Map<number, string>();
  const out: Step[] = [];
  for (const rec of result.records) {
    if (rec[0] === 'F') frames.set(rec[1] as number, rec[2] as string);
    if (rec[0] !== 'E') continue;
    const probe = probes[rec[1] as number];
    const vars: Record<string, string> = {};
    for (const [k, v] of Object.entries(rec[3] as Record<string, unknown>)) vars[k] = reprOf(v);
    out.push({ line: probe.line, scope: probe.scope, kind: probe.kind, frame: rec[2] as number, vars });
  }
  return out;
}

/** scope -> name -> repr, from the last X record of each scope. */
export function finals(result: RunResult): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (const rec of result.records) {
    if (rec[0] !== 'X') continue;
    const vars: Record<string, string> = {};
    for (const [k, v] of Object.entries(rec[3] as Record<string, unknown>)) vars[k] = reprOf(v);
    out[rec[2] as string] = vars;
  }
  return out;
}

export function endRecord(result: RunResult): { return: { repr: string; json: unknown } | null; exception: { type: string; message: string; line: number | null; phase: string } | null; events: number } | null {
  const end = result.records.find((r) => r[0] === 'END');
  return end ? (end[1] as never) : null;
}
