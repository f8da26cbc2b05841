/**
 * The Trace record: what one run of one program on one input did.
 * This is a public contract (see README "Trace records"); bump TRACE_FORMAT
 * on any incompatible change.
 */
export const TRACE_FORMAT = 'coderl-trace.trace/1';

export type Language = 'python' | 'javascript';

/** How a run ended. Every outcome is data, never a thrown exception. */
export type Status =
  | 'ok'
  | 'runtime_error'
  | 'syntax_error'
  | 'timeout'
  | 'cpu_limit'
  | 'memory_limit'
  | 'output_limit'
  | 'killed'
  | 'sandbox_error';

export const STATUSES: readonly Status[] = [
  'ok', 'runtime_error', 'syntax_error', 'timeout', 'cpu_limit',
  'memory_limit', 'output_limit', 'killed', 'sandbox_error',
];

/**
 * A recorded value: `repr` is the language's own literal form, `json` a JSON
 * projection with `$type` tags where plain JSON would lose information
 * (the tag table is in tracers/README.md).
 */
export interface Value {
  repr: string;
  json: unknown;
}

export type Variables = Record<string, Value>;

export interface TraceEvent {
  /** Line in the ORIGINAL source (1-based). */
  line: number;
  /** Qualified scope name: `<module>`, `solve`, `Solution.twoSum`, `outer.inner`. */
  scope: string;
  /** Frame id, unique within the run, in order of first appearance. */
  frame: number;
  /** Call depth: the module (or top-level script) is 0. */
  depth: number;
  /** Variables whose value changed since the previous event of this frame. */
  vars: Variables;
  /** The thread's name (`Thread-1 (main)`), only when the event ran outside the main thread. */
  thread?: string;
}

export interface TraceException {
  type: string;
  message: string;
  /** Original line where it was raised (innermost user frame), if known. */
  line: number | null;
}

/** Caps that were hit; when any is true the trace is partial in that respect. */
export interface TraceLimits {
  events: boolean;
  stdout: boolean;
  stderr: boolean;
  time: boolean;
  /** A value was cut (depth, length, string size) somewhere in the trace. */
  value_size: boolean;
}

export interface Trace {
  id: string;
  format: typeof TRACE_FORMAT;
  language: Language;
  status: Status;
  /** Human-readable detail for non-ok statuses (which limit, which signal, ...). */
  detail: string | null;
  stdout: string;
  stderr: string;
  /**
   * The exact bytes (base64) of stdout / stderr, present only for an output
   * that is not valid UTF-8 (its text then has U+FFFD in their place; the
   * trace also carries the warning `output-not-utf8`).
   */
  output_bytes?: { stdout?: string; stderr?: string };
  truncated: { stdout: boolean; stderr: boolean };
  exit_code: number | null;
  signal: string | null;
  /**
   * Wall-clock time of the run; null unless timing was asked for
   * (`trace --timing`), since it is the one field that differs between two
   * identical runs and output is otherwise byte-identical.
   */
  duration_ms: number | null;
  events: TraceEvent[];
  /** scope -> variable -> value, as it was when a frame of that scope last exited. */
  finals: Record<string, Variables>;
  /** Value returned by the entry call (call-style runs), else null. */
  return: Value | null;
  exception: TraceException | null;
  limits: TraceLimits;
  /**
   * Warnings with stable slugs: `uninstrumented` (ran untraced, see
   * `untraced_reason`), `channel-tampered`, `tracer-access`, `tracer-error`
   * (the tracer could not record everything), `no-end-record`,
   * `output-not-utf8` (see `output_bytes`).
   */
  warnings: string[];
  /** Why the program ran untraced (e.g. a tree-sitter parse error), else null. */
  untraced_reason: string | null;
  provenance: Record<string, unknown>;
}
