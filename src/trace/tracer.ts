/**
 * Run -> Trace: instrument (cached by code hash), send to the executor pool,
 * decode. Also runs programs plain (untraced) through the same sandbox.
 */
import { createHash } from 'node:crypto';
import { instrument } from '../instrument/index.js';
import type { Instrumented } from '../instrument/types.js';
import type { Run } from '../model/run.js';
import type { Trace } from '../model/trace.js';
import { ExecutorPool } from '../run/pool.js';
import { findInterpreters, type Interpreters } from '../run/interpreters.js';
import type { Limits } from '../run/limits.js';
import type { SandboxOptions } from '../run/sandbox.js';
import { decodeTrace } from './decode.js';
import { VERSION } from '../version.js';
import { preludeProvenance } from '../run/prelude.js';

export interface TracerOptions {
  jobs: number;
  limits: Limits;
  python?: string;
  sandbox?: SandboxOptions;
  /** Record wall-clock durations (default true; the CLI turns it on with --timing). */
  timing?: boolean;
  /** Re-check wall-clock timeouts that had CPU time to spare (src/run/pool.ts runRechecked). */
  recheckTimeouts?: boolean;
  /** PYTHONHASHSEED of the Python runs (default 0). */
  hashSeed?: number;
}

const CACHE_SIZE = 4096;

export class Tracer {
  readonly interpreters: Interpreters;
  private readonly pool: ExecutorPool;
  private readonly cache = new Map<string, Promise<Instrumented>>();

  constructor(private readonly options: TracerOptions) {
    this.interpreters = findInterpreters({ python: options.python });
    // A second pool (another hash seed) would repeat the first one's sandbox warnings.
    this.pool = new ExecutorPool(this.interpreters, options.jobs, options.sandbox, options.hashSeed ? () => {} : undefined, options.hashSeed ?? 0);
  }

  /** Trace one run; never throws for anything the program does. */
  async trace(run: Run, mode: 'trace' | 'plain' = 'trace'): Promise<Trace> {
    let instrumented: Instrumented | null = null;
    if (mode === 'trace') {
      try {
        instrumented = await this.instrumented(run);
      } catch (err) {
        // An instrumenter bug must not lose the run: it runs untraced, flagged.
        instrumented = { language: run.language, code: null, probes: [], scopes: ['<module>'], lineMap: null, problem: `instrumenter failed: ${(err as Error).message}` };
      }
    }
    const scopes = instrumented?.scopes ?? [];
    const result = await this.pool[this.options.recheckTimeouts ? 'runRechecked' : 'run']({
      language: run.language,
      mode,
      source: run.code,
      instrumented: instrumented?.code ?? null,
      line_map: instrumented?.lineMap?.map((l) => [l.line, l.inserted]) ?? null,
      probes: instrumented?.probes ?? [],
      probe_scopes: instrumented?.probes.map((p) => scopes.indexOf(p.scope)) ?? [],
      scopes,
      input: run.input,
      prelude: run.prelude?.source ?? null,
      limits: this.options.limits,
    });
    return decodeTrace(result, {
      id: run.id,
      language: run.language,
      instrumented,
      provenance: { ...this.provenance(run), ...(result.recheck ? { recheck: result.recheck } : {}) },
      timing: this.options.timing ?? true,
    });
  }

  private provenance(run: Run): Record<string, unknown> {
    const interpreter = run.language === 'python'
      ? `python ${this.interpreters.pythonVersion}`
      : `node ${this.interpreters.nodeVersion}`;
    return { tool: `coderl-trace ${VERSION}`, interpreter, limits: this.options.limits, sandbox: this.pool.sandbox, ...(run.prelude ? { prelude: preludeProvenance(run.prelude) } : {}) };
  }

  /** Instrumentation depends only on (language, code): cache it by hash. */
  private instrumented(run: Run): Promise<Instrumented> {
    const key = createHash('sha256').update(run.language).update('\0').update(run.code).digest('hex');
    let hit = this.cache.get(key);
    if (hit) {
      // Refresh recency for the LRU.
      this.cache.delete(key);
    } else {
      hit = instrument(run.language, run.code);
      if (this.cache.size >= CACHE_SIZE) this.cache.delete(this.cache.keys().next().value!);
    }
    this.cache.set(key, hit);
    return hit;
  }

  close(): void {
    this.pool.close();
  }

  /** Close and wait for every executor to exit (SIGKILL after graceMs). */
  shutdown(graceMs: number): Promise<void> {
    return this.pool.shutdown(graceMs);
  }

  /** Stop now: runs in flight are abandoned (an interrupted build). */
  kill(): void {
    this.pool.kill();
  }
}
