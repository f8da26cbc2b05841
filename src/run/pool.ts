/**
 * A pool of warm executors, one per job slot. Each executor gets up to
 * QUEUE_DEPTH jobs at once: the next job already waits in its stdin when a
 * run ends, so no executor idles while the tool handles a result. `map` runs
 * items through the pool with bounded look-ahead and yields results in INPUT
 * order, so output is identical whatever the number of jobs.
 *
 * Creating a pool probes the sandbox once and fails closed: if a required
 * protection is unavailable the constructor throws SandboxUnavailableError.
 */
import { availableParallelism } from 'node:os';
import { Executor, failedResult, type ExecutorResult, type Job } from './executor.js';
import type { Limits } from './limits.js';
import type { Interpreters } from './interpreters.js';
import { checkSandbox, probeSandbox, DEFAULT_SANDBOX, type SandboxOptions, type SandboxProvenance, type SandboxReport } from './sandbox.js';

/** Jobs sent to one executor before its first answer comes back. */
const QUEUE_DEPTH = 2;

export class ExecutorPool {
  /** null: not started yet (executors start on demand, so one run waits for one executor). */
  private readonly executors: (Executor | null)[];
  /** Jobs in flight per executor, in the order of `executors`. */
  private readonly load: number[];
  private readonly waiting: ((e: Executor) => void)[] = [];
  private nextJob = 0;
  private closed = false;
  private readonly report: SandboxReport;
  /** Which protections every run of this pool gets (for provenance). */
  readonly sandbox: SandboxProvenance;

  constructor(
    private readonly interpreters: Interpreters,
    readonly size: number,
    options: SandboxOptions = DEFAULT_SANDBOX,
    warn: (message: string) => void = (m) => process.stderr.write(`coderl-trace: ${m}\n`),
    private readonly hashSeed = 0,
  ) {
    this.report = probeSandbox(interpreters, options.unsafe);
    const { provenance, warnings } = checkSandbox(this.report, options);
    this.sandbox = provenance;
    for (const w of warnings) warn(w);
    // One executor per core: each keeps its own core (its zygote and runs
    // with it). Left to the scheduler, a woken executor or fork server
    // often queued behind a run on one core while the other sat idle, as
    // an idle core skips pulling work when it idles only briefly: 8% of the
    // cores' time idle on CRUXEval, 4% pinned, and 7% more runs/s.
    // With more or fewer executors than cores, the scheduler places them.
    this.pinned = size === availableParallelism();
    this.executors = Array.from({ length: size }, () => null);
    this.load = this.executors.map(() => 0);
    // The first one starts now, while the caller instruments its first program.
    this.executors[0] = this.spawn(0);
  }

  private readonly pinned: boolean;

  private spawn(slot: number): Executor {
    return new Executor({ launch: this.report.launch!, node: this.interpreters.node, tier: this.sandbox.tier, cpu: this.pinned ? slot : null, hashSeed: this.hashSeed });
  }

  /**
   * One job, with a wall-clock timeout that had CPU time to spare re-checked
   * once (see recheckLimits), so that a loaded machine does not decide the outcome.
   */
  async runRechecked(job: Omit<Job, 'job'>): Promise<ExecutorResult> {
    const first = await this.run(job);
    // The wall clock and the CPU limit fired together (a CPU-bound run when
    // both are equal): the CPU limit was used up, so it is the verdict, as it
    // is when the kernel's signal comes first.
    if (first.status === 'timeout' && first.cpu_ms >= job.limits.cpu_ms) {
      return { ...first, status: 'cpu_limit', detail: `CPU time limit of ${job.limits.cpu_ms} ms` };
    }
    const limits = recheckLimits(first, job.limits);
    if (limits === null) return first;
    const second = await this.run({ ...job, limits });
    return { ...second, recheck: { first: 'timeout', rerun_timeout_ms: limits.timeout_ms, then: second.status } };
  }

  async run(job: Omit<Job, 'job'>): Promise<ExecutorResult> {
    // A closed pool starts nothing: jobs still queued by an abandoned build end here.
    if (this.closed) return failedResult(this.nextJob++, 'the pool was closed');
    const executor = await this.acquire();
    try {
      return await executor.run({ ...job, job: this.nextJob++ });
    } finally {
      this.release(executor);
    }
  }

  /** The least loaded live executor with room in its queue (a lower index on ties). */
  private acquire(): Promise<Executor> {
    let best = -1;
    let unstarted = -1;
    for (let i = 0; i < this.executors.length; i++) {
      const executor = this.executors[i];
      if (executor === null) {
        if (unstarted < 0) unstarted = i;
        continue;
      }
      // A dead executor is replaced once its queue has drained (its jobs resolve as sandbox_error).
      if (!executor.alive && this.load[i] === 0) this.executors[i] = this.spawn(i);
      if (this.executors[i]!.alive && this.load[i] < QUEUE_DEPTH && (best < 0 || this.load[i] < this.load[best])) best = i;
    }
    // Every started executor is busy: start the next one rather than queue behind a run.
    if (unstarted >= 0 && (best < 0 || this.load[best] > 0)) {
      this.executors[unstarted] = this.spawn(unstarted);
      best = unstarted;
    }
    if (best < 0) return new Promise((resolve) => this.waiting.push(resolve));
    this.load[best]++;
    return Promise.resolve(this.executors[best]!);
  }

  private release(executor: Executor): void {
    this.load[this.executors.indexOf(executor)]--;
    const waiter = this.closed ? undefined : this.waiting.shift();
    if (waiter) void this.acquire().then(waiter);
  }

  close(): void {
    this.closed = true;
    for (const e of this.executors) e?.close();
  }

  kill(): void {
    this.closed = true;
    for (const e of this.executors) e?.kill();
  }

  /** Close every executor and wait until they are gone (SIGKILL after graceMs). */
  async shutdown(graceMs: number): Promise<void> {
    this.closed = true;
    await Promise.all(this.executors.map((e) => e?.stop(graceMs)));
  }
}

/** The re-run's wall-clock limit, as a multiple of the CPU limit: the CPU limit decides unless the machine is this loaded. */
const RECHECK_WALL_FACTOR = 4;

/**
 * A wall-clock timeout is a fact about the machine as much as the program:
 * under load a run that needs 1 s of CPU can take 5 s. When the run timed
 * out with CPU time left, it runs once more with the wall-clock limit at
 * RECHECK_WALL_FACTOR x the CPU limit, so the CPU limit decides; the
 * second result stands and the trace's provenance says so. A program that
 * only sleeps or blocks gets the longer limit too (and the same verdict on
 * every machine). Null: no re-check.
 */
export function recheckLimits(result: ExecutorResult, limits: Limits): Limits | null {
  if (result.status !== 'timeout' || result.cpu_ms >= limits.cpu_ms) return null;
  const timeout = Math.max(limits.timeout_ms, RECHECK_WALL_FACTOR * limits.cpu_ms);
  return timeout > limits.timeout_ms ? { ...limits, timeout_ms: timeout } : null;
}

/**
 * Items started ahead of the one to yield next, per job. Results come out in
 * input order, so a slow run (up to its time limit) holds back whatever
 * finished after it: the window must be deep enough to keep every job busy
 * meanwhile (at 4 per job both cores sat idle 15% of the time on
 * HumanEval-X, at 16 about 9%), and it bounds memory, as at most that many
 * finished results wait.
 */
const LOOK_AHEAD_PER_JOB = 16;

/**
 * Apply `fn` to every item, starting items up to LOOK_AHEAD_PER_JOB x
 * `concurrency` ahead of the first unfinished one (the pool itself runs
 * `concurrency` at a time), and yield the results in input order.
 */
export async function* orderedMap<T, R>(
  items: AsyncIterable<T> | Iterable<T>,
  concurrency: number,
  fn: (item: T) => Promise<R>,
): AsyncGenerator<R> {
  const window: Promise<R>[] = [];
  const limit = Math.max(1, concurrency * LOOK_AHEAD_PER_JOB);
  for await (const item of items) {
    window.push(fn(item));
    if (window.length >= limit) yield await window.shift()!;
  }
  while (window.length > 0) yield await window.shift()!;
}
