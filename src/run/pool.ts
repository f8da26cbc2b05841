/**
 * A pool of warm executors, one per job slot. `map` runs items through the
 * pool with bounded look-ahead and yields results in INPUT order, so output
 * is identical whatever the number of jobs.
 */
import { fileURLToPath } from 'node:url';
import { Executor, type ExecutorResult, type Job } from './executor.js';
import type { Interpreters } from './interpreters.js';

const EXECUTOR_PATH = fileURLToPath(new URL('../../../tracers/executor.py', import.meta.url));

export class ExecutorPool {
  private readonly executors: Executor[];
  private readonly idle: Executor[] = [];
  private readonly waiting: ((e: Executor) => void)[] = [];
  private nextJob = 0;

  constructor(private readonly interpreters: Interpreters, readonly size: number) {
    this.executors = Array.from({ length: size }, () => this.spawn());
    this.idle.push(...this.executors);
  }

  private spawn(): Executor {
    return new Executor({ python: this.interpreters.python, node: this.interpreters.node, executorPath: EXECUTOR_PATH });
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
      const i = this.executors.indexOf(executor);
      next = this.spawn();
      this.executors[i] = next;
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
