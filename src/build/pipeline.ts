/**
 * The build funnel: rollouts in, tasks out, every record accounted for.
 *
 *   read -> shard -> keep (reward) -> pick tests -> dedup (program, input)
 *        -> trace -> keep (own verdict) -> run outcome -> complexity
 *        -> task -> prompt length -> dedup (input, output) -> export
 *
 * Each read unit (one rollout, or one reject from the reader) ends as
 * exactly one of: tasks written, a reject with a reason, or skipped by
 * --shard. Per-test rejects are listed too, so a rollout with three tests
 * and one task shows why the other two gave none. Results are emitted in
 * input order, so the output is the same at any --jobs.
 */
import { createHash } from 'node:crypto';
import { readRollouts, type ReadOptions, type ReadResult, type Rollout, type TestCase } from '../read/index.js';
import type { Trace } from '../model/trace.js';
import type { TaskKind } from '../model/task.js';
import type { Limits } from '../run/limits.js';
import type { SandboxOptions } from '../run/sandbox.js';
import { orderedMap } from '../run/pool.js';
import { Tracer } from '../trace/tracer.js';
import { makeTask, type Task } from '../tasks/task.js';
import type { TargetPolicy } from '../tasks/targets.js';
import type { ReplyStyle } from '../tasks/render.js';
import { needsHashCheck, OTHER_HASH_SEEDS, unstableVariables, type HashCheck } from './hash-order.js';
import type { TokenCounter } from './tokens.js';
import { passesTest } from './verdict.js';
import { Funnel } from './funnel.js';
import { shardOf, type Shard } from './shard.js';
import { VERSION } from '../version.js';
import { preludeFor, type PreludeChoice } from '../run/prelude.js';

export interface BuildOptions {
  paths: string[];
  read: ReadOptions;
  keep: 'failed' | 'passed' | 'all';
  testsPerProgram: number;
  keepErrors: boolean;
  keepEmpty: boolean;
  /** Run each test twice and reject programs whose output differs. */
  checkDeterminism: boolean;
  minEvents: number;
  maxEvents: number;
  task: TaskKind;
  policy: TargetPolicy;
  targets: number;
  seed: string;
  template?: string;
  /** What the reply holds (`answer` for SFT formats, `rationale` with --rationale trace). */
  reply: ReplyStyle;
  ifNoTargets: 'output' | 'reject';
  /** Run Python tests again under another hash seed: `auto` when the program may iterate a set. */
  hashCheck: HashCheck;
  /** `coderl`: render the reference recipe's prompt and targets. */
  compat: 'coderl' | null;
  maxPromptTokens: number | null;
  countTokens: TokenCounter;
  jobs: number;
  limits: Limits;
  python?: string;
  sandbox?: SandboxOptions;
  shard: Shard | null;
  /** Re-run once a run that hit the wall clock with CPU time left (--recheck-timeouts). */
  recheckTimeouts?: boolean;
  /** Judge prelude for the programs (default: src/run/prelude.ts). */
  prelude?: PreludeChoice;
  /** Aborting stops the build at once: no further unit is settled, the executors are killed. */
  signal?: AbortSignal;
}

export interface RejectRecord {
  key: string;
  source: unknown;
  /** `read`, `select`, `run`, `task`: where in the funnel it stopped. */
  stage: string;
  reason: string;
  detail: string;
  test_index?: number;
}

export interface BuildSink {
  task(task: Task): Promise<void>;
  reject(reject: RejectRecord): Promise<void>;
  /**
   * Shard parts (src/merge): when given, each of this shard's units goes
   * here as it left tracing, before (input, output) deduplication, which
   * `merge` does across all shards; task() and reject() are not called.
   */
  unit?(unit: UnitOutcome, position: number): Promise<void>;
  progress?(funnel: Funnel): void;
}

type TestOutcome = { task: Task } | { reject: RejectRecord };

export interface UnitOutcome {
  key: string;
  source: unknown;
  /** When the whole unit stops before any test is traced. */
  reject?: RejectRecord;
  skipped?: boolean;
  tests: TestOutcome[];
}

/**
 * What a long-lived caller (`serve`) hands in instead of the defaults:
 * records already read (instead of reading options.paths), a warm Tracer
 * (left open), and the dedup memory (to span several builds).
 */
export interface BuildInput {
  records?: AsyncIterable<ReadResult>;
  tracer?: Tracer;
  seen?: Seen;
}

export async function build(options: BuildOptions, sink: BuildSink, input: BuildInput = {}): Promise<Funnel> {
  const funnel = new Funnel();
  const tracer = input.tracer ?? new Tracer({ jobs: options.jobs, limits: options.limits, python: options.python, sandbox: options.sandbox, timing: false, recheckTimeouts: options.recheckTimeouts });
  // Two more seeds: a value that hangs on set order can match by chance under one.
  const reseeded: Tracer[] = [];
  const otherSeeds = () => {
    if (reseeded.length === 0) for (const hashSeed of OTHER_HASH_SEEDS) reseeded.push(new Tracer({ jobs: options.jobs, limits: options.limits, python: options.python, sandbox: options.sandbox, timing: false, hashSeed }));
    return reseeded;
  };
  const seen: Seen = input.seen ?? newSeen();
  const provenance = { tool: `coderl-trace ${VERSION}`, task_options: { task: options.task, policy: options.policy, targets: options.targets, seed: options.seed } };
  let ordinal = 0;
  let position = 0;
  try {
    const units = orderedMap(input.records ?? readRollouts(options.paths, options.read), options.jobs, (result) => {
      const mine = options.shard === null || shardOf(result, ordinal++, options.shard.count) === options.shard.index;
      return processRecord(result, mine, { options, tracer, otherSeeds, seen, funnel, provenance });
    });
    const stopped = abortion(options.signal);
    for (;;) {
      const pending = units.next();
      const next = await Promise.race([pending, stopped]);
      if (next === STOPPED) pending.catch(() => { /* abandoned with the build */ });
      if (next === STOPPED || next.done) break;
      const unit = next.value;
      if (sink.unit && !unit.skipped) {
        funnel.records++;
        await sink.unit(unit, position);
      } else {
        await settle(unit, seen, funnel, sink);
      }
      position++;
      sink.progress?.(funnel);
    }
  } finally {
    const stop = (t: Tracer) => (options.signal?.aborted ? t.kill() : t.close());
    if (!input.tracer) stop(tracer);
    reseeded.forEach(stop);
  }
  return funnel;
}

export function newSeen(): Seen {
  return { runs: new Set(), io: new Set() };
}

export interface Seen {
  /** (language, program, input): traced already. */
  runs: Set<string>;
  /** (language, input, output, task kind): a task exists already (merge keeps these in a DigestSet). */
  io: { has(key: string): boolean; add(key: string): unknown };
}

interface Context {
  options: BuildOptions;
  tracer: Tracer;
  /** Tracers whose Python runs use other hash seeds, started on first use. */
  otherSeeds: () => Tracer[];
  seen: Seen;
  funnel: Funnel;
  provenance: Record<string, unknown>;
}

/** One read result through selection, tracing and task making. */
async function processRecord(result: ReadResult, mine: boolean, ctx: Context): Promise<UnitOutcome> {
  if (!result.ok) {
    const { key, source, reason, detail } = result.reject;
    return { key, source, skipped: !mine, reject: { key, source, stage: 'read', reason, detail }, tests: [] };
  }
  const { options, tracer } = ctx;
  const rollout = result.rollout;
  const unit = { key: rollout.key, source: rollout.source, tests: [] as TestOutcome[] };
  if (!mine) return { ...unit, skipped: true };
  // Synchronous up to the first await, so called in input order: dedup is deterministic.
  const early = selectBeforeRun(rollout, options, ctx.seen.runs);
  if ('reject' in early) return { ...unit, reject: early.reject };
  const traced = await Promise.all(early.tests.map(async (test) => {
    const trace = await tracer.trace(runOf(rollout, test, options.prelude));
    // A second, untraced run tells programs that use randomness or the clock.
    const again = options.checkDeterminism && trace.status === 'ok' ? await tracer.trace(runOf(rollout, test, options.prelude), 'plain') : null;
    // The same run under another hash seed tells values that hang on set order.
    const reseeded = needsHashCheck(options.hashCheck, rollout, trace) ? await Promise.all(ctx.otherSeeds().map((t) => t.trace(runOf(rollout, test, options.prelude)))) : [];
    return { test, trace, deterministic: again === null || sameOutcome(trace, again), reseeded };
  }));
  ctx.funnel.countRuns(traced.map((t) => t.trace.status));
  const verdictReject = keepByOwnVerdict(rollout, traced, options);
  if (verdictReject) return { ...unit, reject: verdictReject };
  unit.tests = traced.map(({ test, trace, deterministic, reseeded }) => {
    if (!deterministic) return { reject: testReject(rollout, test.index, 'run', 'nondeterministic', 'a second run printed or returned something else (randomness, time?)') };
    if (reseeded.some((other) => !sameOutcome(trace, other))) {
      return { reject: testReject(rollout, test.index, 'run', 'hash-order-dependent', 'under another PYTHONHASHSEED the program printed or returned something else (set iteration order)') };
    }
    return toTask(rollout, test, trace, options, ctx.provenance, reseeded.length ? unstableVariables(trace, reseeded) : undefined);
  });
  return unit;
}

/**
 * In input order: drop (input, output) duplicates, write tasks and rejects,
 * and count the unit exactly once in the funnel.
 */
export async function settle(unit: UnitOutcome, seen: Seen, funnel: Funnel, sink: BuildSink): Promise<void> {
  funnel.records++;
  if (unit.skipped) {
    funnel.shardSkipped++;
    return;
  }
  if (unit.reject) {
    funnel.reject(unit.reject.stage, unit.reject.reason);
    await sink.reject(unit.reject);
    return;
  }
  let written = 0;
  let firstReject: RejectRecord | null = null;
  for (const outcome of unit.tests) {
    let rej = 'reject' in outcome ? outcome.reject : null;
    if ('task' in outcome) {
      const io = ioKey(outcome.task);
      if (seen.io.has(io)) {
        rej = testReject(unit, outcome.task.ground_truth.provenance.test_index as number, 'select', 'duplicate-input-output', 'the same input and output already gave a task');
      } else {
        seen.io.add(io);
        await sink.task(outcome.task);
        funnel.tasks++;
        written++;
      }
    }
    if (rej) {
      funnel.testRejects[rej.reason] = (funnel.testRejects[rej.reason] ?? 0) + 1;
      firstReject ??= rej;
      // With several tests, each one's fate is listed; the unit's verdict follows.
      if (unit.tests.length > 1) await sink.reject({ ...rej, stage: `test:${rej.stage}` });
    }
  }
  if (written > 0) {
    funnel.withTasks++;
    return;
  }
  const rej = firstReject ?? { key: unit.key, source: unit.source, stage: 'select', reason: 'no-tests', detail: 'no test selected' };
  funnel.reject(rej.stage, rej.reason);
  await sink.reject(rej);
}

function selectBeforeRun(rollout: Rollout, options: BuildOptions, seenRuns: Set<string>): { tests: TestCase[] } | { reject: RejectRecord } {
  const rej = (reason: string, detail: string) => ({ reject: { key: rollout.key, source: rollout.source, stage: 'select', reason, detail } });
  if (options.keep !== 'all' && rollout.passed !== null && rollout.passed !== (options.keep === 'passed')) {
    return rej(rollout.passed ? 'passed' : 'failed', `--keep ${options.keep}: the rollout ${rollout.passed ? 'passed' : 'failed'} (reward ${rollout.reward})`);
  }
  if (rollout.tests.length === 0) return rej('no-tests', 'the rollout has no test inputs');
  const tests: TestCase[] = [];
  for (const test of rollout.tests) {
    if (tests.length >= options.testsPerProgram) break;
    const key = hash(rollout.language, rollout.code, JSON.stringify(test.input));
    if (seenRuns.has(key)) continue;
    seenRuns.add(key);
    tests.push(test);
  }
  if (tests.length === 0) return rej('duplicate-program-input', 'every test input of this program was already traced for an identical program');
  return { tests };
}

/** With no verdict in the file, decide pass/fail from our own runs. */
function keepByOwnVerdict(rollout: Rollout, traced: { test: TestCase; trace: Trace }[], options: BuildOptions): RejectRecord | null {
  if (options.keep === 'all' || rollout.passed !== null) return null;
  const verdicts = traced.map(({ test, trace }) => passesTest(trace, test));
  if (verdicts.some((v) => v === null)) return null; // cannot tell: keep, noted in provenance
  const passed = verdicts.every((v) => v === true);
  if (passed === (options.keep === 'passed')) return null;
  return { key: rollout.key, source: rollout.source, stage: 'select', reason: passed ? 'passed' : 'failed', detail: `--keep ${options.keep}: the program ${passed ? 'passed' : 'failed'} its traced tests` };
}

function toTask(rollout: Rollout, test: TestCase, trace: Trace, options: BuildOptions, provenance: Record<string, unknown>, unstable?: ReadonlySet<string>): TestOutcome {
  const rej = (stage: string, reason: string, detail: string): TestOutcome => ({ reject: testReject(rollout, test.index, stage, reason, detail) });
  if (trace.status !== 'ok' && !options.keepErrors) return rej('run', `run-${trace.status}`, trace.detail ?? trace.status);
  if (trace.warnings.includes('channel-tampered')) return rej('run', 'channel-tampered', 'the trace channel was written by the program');
  if (trace.warnings.includes('tracer-access')) return rej('run', 'tracer-access', 'the program reaches into the tracer (gc, frames, fds): its trace cannot be trusted');
  const empty = test.input.kind === 'stdin' ? trace.stdout.trim() === '' : trace.return === null;
  if (empty && !options.keepEmpty) return rej('run', 'no-output', test.input.kind === 'stdin' ? 'the program printed nothing' : 'the call returned nothing');
  if (trace.events.length < options.minEvents) return rej('select', 'too-simple', `${trace.events.length} line events, under --min-steps ${options.minEvents}`);
  if (trace.events.length > options.maxEvents || (trace.limits.events && Number.isFinite(options.maxEvents))) {
    return rej('select', 'too-complex', `over --max-steps ${options.maxEvents} line events`);
  }
  const made = makeTask(rollout, test, trace, {
    kind: options.task, policy: options.policy, targets: options.targets, seed: options.seed, template: options.template,
    reply: options.reply, ifNoTargets: options.ifNoTargets, unstable, compat: options.compat, provenance,
  });
  if (!made.ok) return rej('task', made.reason, made.detail);
  if (options.maxPromptTokens !== null) {
    const tokens = options.countTokens(made.task.prompt);
    if (tokens > options.maxPromptTokens) return rej('task', 'prompt-too-long', `${tokens} tokens, over --max-prompt-tokens ${options.maxPromptTokens}`);
  }
  return { task: made.task };
}

function sameOutcome(a: Trace, b: Trace): boolean {
  return a.status === b.status && a.stdout === b.stdout && (a.return?.repr ?? null) === (b.return?.repr ?? null);
}

function testReject(unit: { key: string; source: unknown }, testIndex: number, stage: string, reason: string, detail: string): RejectRecord {
  return { key: unit.key, source: unit.source, stage, reason, detail, test_index: testIndex };
}

function runOf(rollout: Rollout, test: TestCase, prelude: PreludeChoice = { mode: 'default' }) {
  const run = { id: `${rollout.key}#${test.index}`, language: rollout.language, code: rollout.code, input: test.input };
  return { ...run, prelude: preludeFor(rollout.language, rollout.code, prelude) };
}

function ioKey(task: Task): string {
  return hash(task.language, task.ground_truth.input, task.ground_truth.expected_output, task.kind);
}

function hash(...parts: string[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p).update('\0');
  return h.digest('hex');
}

const STOPPED = Symbol('stopped');

/** Resolves when the build is aborted (never, without a signal). */
function abortion(signal: AbortSignal | undefined): Promise<typeof STOPPED> {
  return new Promise((resolve) => {
    if (signal?.aborted) resolve(STOPPED);
    signal?.addEventListener('abort', () => resolve(STOPPED), { once: true });
  });
}
