/**
 * A real executor (tracers/executor.py in this machine's strongest sandbox
 * tier), spoken to directly so a test can choose the JavaScript path: the
 * warm worker (default) or a fresh node per run (`jsWorker: false`). Results
 * of warm runs carry `js_worker: {pid, runs}`.
 */
import { afterAll, beforeAll } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { RunInput } from '../../src/model/run.js';
import { instrumentJavaScript } from '../../src/instrument/javascript.js';
import type { Instrumented } from '../../src/instrument/types.js';
import { findInterpreters } from '../../src/run/interpreters.js';
import { probeSandbox } from '../../src/run/sandbox.js';
import { DEFAULT_LIMITS, type Limits } from '../../src/run/limits.js';
import type { ExecutorResult } from '../../src/run/executor.js';
import type { RunResult } from './harness.js';

export type WarmResult = ExecutorResult & { js_worker?: { pid: number; runs: number } };

export class TestExecutor {
  private readonly child: ChildProcess;
  private readonly pending: ((r: WarmResult) => void)[] = [];
  private next = 0;
  readonly ready: Promise<void>;

  constructor(options: { jsWorker?: boolean } = {}) {
    const interpreters = findInterpreters();
    const report = probeSandbox(interpreters);
    if (!report.launch || !report.tier) throw new Error('no sandbox tier available');
    const config = { node: interpreters.node, tier: report.tier, js_worker: options.jsWorker ?? true };
    this.child = spawn(report.launch[0], [...report.launch.slice(1), JSON.stringify(config)], {
      stdio: ['pipe', 'pipe', 'inherit'], env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8' },
    });
    const lines = createInterface({ input: this.child.stdout! });
    let first = true;
    let ready!: () => void;
    this.ready = new Promise((res) => { ready = res; });
    lines.on('line', (line) => {
      if (first) { first = false; ready(); return; }
      this.pending.shift()?.(JSON.parse(line) as WarmResult);
    });
  }

  run(job: Record<string, unknown>): Promise<WarmResult> {
    return new Promise((resolve) => {
      this.pending.push(resolve);
      this.child.stdin!.write(JSON.stringify({ job: this.next++, ...job }) + '\n');
    });
  }

  close(): void {
    this.child.stdin!.end();
  }
}

export interface JsJob {
  mode?: 'trace' | 'plain';
  input?: RunInput;
  limits?: Partial<Limits>;
  instrumented?: Instrumented;
}

/** Run one JavaScript program through the executor; returns the result and the instrumentation used. */
export async function runThrough(executor: TestExecutor, source: string, options: JsJob = {}): Promise<{ result: WarmResult; instrumented: Instrumented | null }> {
  const mode = options.mode ?? 'trace';
  const instrumented = mode === 'trace' ? options.instrumented ?? (await instrumentJavaScript(source)) : null;
  const result = await executor.run({
    language: 'javascript', mode, source,
    instrumented: instrumented?.code ?? null, line_map: null,
    input: options.input ?? { kind: 'stdin', stdin: '' },
    limits: { ...DEFAULT_LIMITS, ...options.limits },
  });
  return { result, instrumented };
}

/** Channel records without the per-run seal (seal, bytes) of END. */
export function records(channel: string): unknown[][] {
  return channel.split('\n').filter((l) => l.trim() !== '').map((l) => {
    const rec = JSON.parse(l) as unknown[];
    if (rec[0] === 'END') {
      const { seal: _seal, bytes: _bytes, ...rest } = rec[1] as Record<string, unknown>;
      return ['END', rest];
    }
    return rec;
  });
}

/** The executor's result in the shape of the fresh harness's RunResult (for the spec checks). */
export function asRunResult(result: WarmResult, instrumented: Instrumented | null): RunResult {
  return {
    stdout: result.stdout, stderr: result.stderr, exitCode: result.exit_code, signal: result.signal,
    killed: result.status === 'timeout', channel: result.channel, records: records(result.channel), instrumented,
  };
}

/** A warm-worker executor and a fresh-node one for a test file: started before its tests, closed after. */
export function startWarmAndFresh(use: (warm: TestExecutor, fresh: TestExecutor) => void): void {
  let warm: TestExecutor | undefined;
  let fresh: TestExecutor | undefined;
  beforeAll(async () => {
    warm = new TestExecutor();
    fresh = new TestExecutor({ jsWorker: false });
    use(warm, fresh);
    await Promise.all([warm.ready, fresh.ready]);
  });
  afterAll(() => {
    warm?.close();
    fresh?.close();
  });
}
