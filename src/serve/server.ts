/**
 * `build` as a long-lived process for training loops: JSON lines in, JSON
 * lines out, one answer per request, in order.
 *
 *   request: {"id": any, "rollouts": [row, ...], "options"?: {build flag: value},
 *             "source"?: label}
 *   answer:  {"id", "tasks": [...], "rejects": [...], "stats": {funnel}}
 *   or:      {"id", "error": {"code", "message"}}   (and the server goes on)
 *
 * A request is built exactly as `build` builds a file holding the same rows
 * with the same flags; the rows' provenance is the label (default
 * `request:<id>`) and the row's 1-based position, where build has a file
 * and a line. The executors stay warm between requests. Deduplication
 * (program+input, input+output) is per request, unless the request (or the
 * server) sets "dedup-across-requests".
 */
import type { Readable, Writable } from 'node:stream';
import { build, newSeen, type BuildOptions, type RejectRecord, type Seen } from '../build/pipeline.js';
import { buildOptions, choice, type BuildFlags } from '../commands/build.js';
import { exportTask, EXPORT_FORMATS, type ExportFormat } from '../export/formats.js';
import { readJsonl, writeJsonl } from '../jsonl.js';
import { readRecords } from '../read/index.js';
import { Tracer } from '../trace/tracer.js';
import { InputError, UsageError } from '../errors.js';
import { requestFlags } from './options.js';

export interface ServeFlags extends BuildFlags {
  dedupAcrossRequests?: boolean;
}

type Answer = Record<string, unknown>;

export class BuildServer {
  private readonly tracer: Tracer;
  /** Dedup memory of the requests that span requests. */
  private readonly session: Seen = newSeen();

  private constructor(private readonly flags: ServeFlags, base: BuildOptions) {
    this.tracer = new Tracer({ jobs: base.jobs, limits: base.limits, python: base.python, sandbox: base.sandbox, timing: false, recheckTimeouts: base.recheckTimeouts });
  }

  /** Checks the server's own flags (UsageError on bad ones) and starts the executors. */
  static async start(flags: ServeFlags): Promise<BuildServer> {
    const base = await buildOptions([], flags, choice('--format', flags.format, EXPORT_FORMATS) as ExportFormat);
    return new BuildServer(flags, base);
  }

  /** Answer every request line of `input` until it ends. */
  async serve(input: Readable, output: Writable): Promise<void> {
    for await (const line of readJsonl(input)) {
      const answer = line.ok
        ? await this.answer(line.value)
        : failure(null, 'invalid-json', `line ${line.lineNo}: ${line.error}`);
      await writeJsonl(output, answer);
    }
  }

  async answer(request: unknown): Promise<Answer> {
    if (request === null || typeof request !== 'object' || Array.isArray(request)) {
      return failure(null, 'not-an-object', 'a request is a JSON object {"id", "rollouts": [...], "options"?: {...}}');
    }
    const req = request as Record<string, unknown>;
    const id = req.id ?? null;
    if (!Array.isArray(req.rollouts)) return failure(id, 'bad-request', '"rollouts" must be a list of rollout records');
    if (req.source !== undefined && typeof req.source !== 'string') return failure(id, 'bad-request', '"source" must be a string');
    try {
      const { span, rest } = spanOption(req.options, this.flags.dedupAcrossRequests === true);
      const flags: ServeFlags = { ...this.flags, ...requestFlags(rest) };
      return { id, ...await this.build(req.rollouts, req.source ?? `request:${JSON.stringify(id)}`, flags, span) };
    } catch (err) {
      if (err instanceof UsageError) return failure(id, 'usage', err.message);
      if (err instanceof InputError) return failure(id, 'input', err.message);
      process.stderr.write(`coderl-trace serve: internal error on request ${JSON.stringify(id)}: ${(err as Error)?.stack ?? err}\n`);
      return failure(id, 'internal', (err as Error)?.message ?? String(err));
    }
  }

  private async build(rows: unknown[], label: string, flags: ServeFlags, spanning: boolean): Promise<Answer> {
    const format = choice('--format', flags.format, EXPORT_FORMATS) as ExportFormat;
    const options = await buildOptions([], flags, format);
    const tasks: Record<string, unknown>[] = [];
    const rejects: RejectRecord[] = [];
    const funnel = await build(options, {
      task: async (task) => { tasks.push(exportTask(task, format, tasks.length)); },
      reject: async (rej) => { rejects.push(rej); },
    }, { records: readRecords(rows, label, options.read), tracer: this.tracer, seen: spanning ? this.session : newSeen() });
    return { tasks, rejects, stats: funnel.toJSON() };
  }

  /** Stop the executors and wait until they have exited (SIGKILL after graceMs). */
  shutdown(graceMs: number): Promise<void> {
    return this.tracer.shutdown(graceMs);
  }
}

/** "dedup-across-requests" is a serve option, not a build flag: take it out. */
function spanOption(options: unknown, serverDefault: boolean): { span: boolean; rest: unknown } {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) return { span: serverDefault, rest: options };
  const rest: Record<string, unknown> = { ...options };
  let span = serverDefault;
  for (const key of ['dedup-across-requests', 'dedup_across_requests']) {
    if (!(key in rest)) continue;
    if (typeof rest[key] !== 'boolean') throw new UsageError(`"${key}" must be true or false`);
    span = rest[key] as boolean;
    delete rest[key];
  }
  return { span, rest };
}

function failure(id: unknown, code: string, message: string): Answer {
  return { id, error: { code, message } };
}
