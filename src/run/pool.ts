/**
 * A pool of warm executors, one per job slot. `map` runs items through the
 * pool with bounded look-ahead and yields results in INPUT order, so output
 * is identical whatever the number of jobs.
 *
 * Creating a pool probes the sandbox once and fails closed: if a required
 * protection is unavailable the constructor throws SandboxUnavailableError.
 */
import { Executor, type ExecutorResult, type Job } from './executor.js';
import type { Interpreters } from './interpreters.js';
import { checkSandbox, probeSandbox, DEFAULT_SANDBOX, type SandboxOptions, type SandboxProvenance, type SandboxReport } from './sandbox.js';

export class ExecutorPool {
  private readonly executors: Executor[];
  private readonly idle: Executor[] = [];
  private readonly waiting: ((e: Executor) => void)[] = [];
  private nextJob = 0;
  private readonly report: SandboxReport;
  /** Which protections every run of this pool gets (for provenance). */
  readonly sandbox: SandboxProvenance;

  constructor(
    private readonly interpreters: Interpreters,
    readonly size: number,
    options: SandboxOptions = DEFAULT_SANDBOX,
    warn: (message: string) => void = (m) => process.stderr.write(`coderl-trace: ${m}\n`),
  ) {
    this.report = probeSandbox(interpreters, options.unsafe);
    const { provenance, warnings } = checkSandbox(this.report, options);
    this.sandbox = provenance;
    for (const w of warnings) warn(w);
    this.executors = Array.from({ length: size }, () => this.spawn());
    this.idle.push(...this.executors);
  }

  private spawn(): Executor {
    return new Executor({ launch: this.report.launch!, node: this.interpreters.node, tier: this.sandbox.tier });
  }

  async run(job: Omit<Job, 'job'>): Promise<ExecutorResult> {
    const executor = await this.acquire();
    try {
      return await executor.run({ ...job, job: this.nextJob++ });
    } finally {
      this.release(executor);
    }
  }

  private acquire(): Promise<Executor> {
    const free = this.idle.pop();
    if (free) return Promise.resolve(free);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(executor: Executor): void {
    let next = executor;
    if (!executor.alive) {
      // Replace a dead executor so the pool keeps its size.
      next = this.spawn();
      this.executors[this.executors.indexOf(executor)] = next;
    }
    const waiter = this.waiting.shift();
    if (waiter) waiter(next);
    else this.idle.push(next);
  }

  close(): void {
    for (const e of this.executors) e.close();
  }
}

/**
 * Apply `fn` to every item with up to `concurrency` in flight, yielding
 * results in input order. Memory stays bounded by the look-ahead window.
 */
export async function* orderedMap<T, R>(
  items: AsyncIterable<T> | Iterable<T>,
  concurrency: number,
  fn: (item: T) => Promise<R>,
): AsyncGenerator<R> {
  const window: Promise<R>[] = [];
  const limit = Math.max(1, concurrency * 4);
  for await (const item of items) {
    window.push(fn(item));
    if (window.length >= limit) yield await window.shift()!;
  }
  while (window.length > 0) yield await window.shift()!;
}
