/**
 * Client of one warm executor process (tracers/executor.py). The executor
 * answers jobs strictly in order, so a FIFO of pending promises is enough.
 * If the executor dies, every pending and future job resolves as a
 * `sandbox_error` result and the pool replaces it: one bad run never takes
 * the tool down.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Status } from '../model/trace.js';
import type { Limits } from './limits.js';
import type { RunInput } from '../model/run.js';
import type { Tier } from './sandbox.js';
import { PRELOAD_MODULES } from './prelude.js';

export interface Job {
  job: number;
  language: 'python' | 'javascript';
  mode: 'trace' | 'plain';
  source: string;
  instrumented: string | null;
  line_map: unknown;
  probes?: unknown;
  probe_scopes?: number[];
  scopes?: string[];
  input: RunInput;
  /** Python source the runtime runs untraced in the program's globals before it (trace and plain mode). */
  prelude?: string | null;
  limits: Limits;
}

export interface ExecutorResult {
  job: number;
  status: Status;
  detail: string | null;
  exit_code: number | null;
  signal: string | null;
  duration_ms: number;
  cpu_ms: number;
  max_rss_kb: number;
  stdout: string;
  stdout_truncated: boolean;
  /** The exact bytes (base64), only when stdout is not valid UTF-8 (`stdout` then has U+FFFD in their place). */
  stdout_base64?: string;
  stderr: string;
  stderr_truncated: boolean;
  /** As stdout_base64, for stderr. */
  stderr_base64?: string;
  channel: string;
  channel_truncated: boolean;
  /**
   * The channel's END record checked against the run's seal:
   * "sealed" (genuine), "tampered" (wrong seal or extra bytes on the
   * channel), "unsealed" (END without a seal), "absent" (no END record).
   */
  channel_check?: 'sealed' | 'tampered' | 'unsealed' | 'absent';
  channel_problem?: string | null;
  /** Static scan: ways the program could reach the tracer or its channel (gc, ctypes, frames, fd-access, ...). */
  tracer_access?: string[];
  /** Set by the pool when a wall-clock timeout was re-checked (src/run/pool.ts recheckLimits). */
  recheck?: { first: 'timeout'; rerun_timeout_ms: number; then: Status };
}

export interface ExecutorOptions {
  /** argv that starts the executor in its sandbox tier (from the sandbox probe). */
  launch: string[];
  node: string;
  tier: Tier;
  /** Keep the executor, its fork server and its runs on the slot-th core this process may use (null: anywhere). */
  cpu: number | null;
  /** PYTHONHASHSEED of every Python run (0 unless a build checks hash-order dependence with another). */
  hashSeed?: number;
}

export class Executor {
  private readonly child: ChildProcess;
  private readonly pending: { job: number; resolve: (r: ExecutorResult) => void }[] = [];
  private dead: string | null = null;
  readonly ready: Promise<void>;

  constructor(options: ExecutorOptions) {
    const config = { node: options.node, tier: options.tier, cpu: options.cpu, preload: PRELOAD_MODULES };
    this.child = spawn(options.launch[0], [...options.launch.slice(1), JSON.stringify(config)], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', PYTHONHASHSEED: String(options.hashSeed ?? 0), LANG: 'C.UTF-8' },
    });
    let stderr = '';
    this.child.stderr!.on('data', (chunk: Buffer) => { stderr = (stderr + chunk.toString()).slice(-4000); });
    const lines = createInterface({ input: this.child.stdout!, crlfDelay: Infinity });
    let readyResolve!: () => void;
    let readyReject!: (e: Error) => void;
    this.ready = new Promise((res, rej) => { readyResolve = res; readyReject = rej; });
    this.ready.catch(() => { /* also reported as sandbox_error results */ });
    let first = true;
    lines.on('line', (line) => {
      if (first) {
        first = false;
        const hello = JSON.parse(line) as { ready: boolean; error?: string };
        if (hello.ready) return readyResolve();
        return this.fail(`sandbox set-up failed: ${hello.error ?? 'unknown error'}`, readyReject);
      }
      let result: ExecutorResult;
      try {
        result = JSON.parse(line) as ExecutorResult;
      } catch {
        this.fail(`executor protocol error: ${line.slice(0, 200)}`, readyReject);
        this.child.kill('SIGKILL');
        return;
      }
      const waiter = this.pending.shift();
      // The executor's own failure comes back without the run's fields: fill them in.
      if (waiter) waiter.resolve({ ...failedResult(waiter.job, 'the executor sent no result'), ...result });
    });
    this.child.on('error', (err) => this.fail(`cannot start executor: ${err.message}`, readyReject));
    this.child.on('exit', (code, signal) => {
      this.fail(`executor exited (${signal ?? code})${stderr ? `: ${stderr.trim()}` : ''}`, readyReject);
    });
    this.child.stdin!.on('error', () => { /* reported through 'exit' */ });
  }

  get alive(): boolean {
    return this.dead === null;
  }

  run(job: Job): Promise<ExecutorResult> {
    if (this.dead) return Promise.resolve(failedResult(job.job, this.dead));
    return new Promise((resolve) => {
      this.pending.push({ job: job.job, resolve });
      // The probe table stays on this side: the decoder reads it, the runs do not.
      const { probes: _probes, ...wire } = job;
      this.child.stdin!.write(JSON.stringify(wire) + '\n');
    });
  }

  close(): void {
    this.child.stdin!.end();
  }

  /**
   * Close and wait until the executor (and with it, through its parent-death
   * signal, its zygote and runs) has exited: SIGKILL after `graceMs`.
   */
  stop(graceMs: number): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
      this.child.once('exit', () => { clearTimeout(timer); resolve(); });
      if (graceMs <= 0) this.child.kill('SIGKILL');
      else this.close();
    });
  }

  /**
   * Stop now. SIGINT lets the executor clean up its run folders; a run it
   * waits on dies with it (parent-death signal); SIGKILL if it lingers
   * while this process lives.
   */
  kill(): void {
    this.child.kill('SIGINT');
    setTimeout(() => this.child.kill('SIGKILL'), 1000).unref();
  }

  private fail(reason: string, readyReject: (e: Error) => void): void {
    if (this.dead) return;
    this.dead = reason;
    readyReject(new Error(reason));
    for (const waiter of this.pending.splice(0)) waiter.resolve(failedResult(waiter.job, reason));
  }
}

export function failedResult(job: number, reason: string): ExecutorResult {
  return {
    job, status: 'sandbox_error', detail: reason, exit_code: null, signal: null,
    duration_ms: 0, cpu_ms: 0, max_rss_kb: 0, stdout: '', stdout_truncated: false,
    stderr: '', stderr_truncated: false, channel: '', channel_truncated: false,
  };
}
