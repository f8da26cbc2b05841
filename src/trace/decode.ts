/**
 * Decode an executor result (exit status, outputs, raw trace channel) into a
 * versioned Trace record.
 *
 * The channel is written by code that shares a process with untrusted
 * code, so it is parsed defensively: a record of the wrong shape, a probe
 * id that the instrumenter never issued, an event for an unknown frame or
 * anything after the END record marks the trace as tampered (warning
 * `channel-tampered`) instead of being merged as if genuine.
 */
import type { ExecutorResult } from '../run/executor.js';
import type { Instrumented } from '../instrument/types.js';
import {
  TRACE_FORMAT, type Language, type Status, type Trace, type TraceEvent, type TraceException, type Value, type Variables,
} from '../model/trace.js';

export interface DecodeContext {
  id: string;
  language: Language;
  /** null for a plain (untraced) run. */
  instrumented: Instrumented | null;
  provenance: Record<string, unknown>;
  /** Keep the run's wall-clock duration (it makes output non-deterministic). */
  timing: boolean;
}

interface EndRecord {
  return?: unknown;
  exception?: unknown;
  finals?: unknown;
  value_cut?: unknown;
  traced?: unknown;
  phase?: unknown;
  tracer_error?: unknown;
}

const SYNTAX_ERRORS = new Set(['SyntaxError', 'IndentationError', 'TabError']);

export function decodeTrace(result: ExecutorResult, ctx: DecodeContext): Trace {
  const warnings: string[] = [];
  const events: TraceEvent[] = [];
  const frames = new Map<number, { scope: string; depth: number; thread?: string }>();
  const finals: Record<string, Variables> = {};
  let end: EndRecord | null = null;
  let eventsCapped = false;
  let tampered = false;
  const probes = ctx.instrumented?.probes ?? [];

  const lines = result.channel.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  else if (lines.length > 0 && !result.channel_truncated && result.status === 'ok') tampered = true;
  for (const line of lines) {
    let rec: unknown;
    try {
      rec = JSON.parse(line);
    } catch {
      // A kill can cut the last line short; anything else is tampering.
      if (line !== lines[lines.length - 1] || result.status === 'ok') tampered = true;
      continue;
    }
    if (end !== null || !Array.isArray(rec)) {
      tampered = true;
      continue;
    }
    const [tag, a, b, c, d] = rec as unknown[];
    if (tag === 'E' && isIndex(a, probes.length) && typeof b === 'number' && frames.has(b) && isEventVariables(c)) {
      const frame = frames.get(b)!;
      const event: TraceEvent = { line: probes[a].line, scope: frame.scope, frame: b, depth: frame.depth, vars: c };
      if (frame.thread !== undefined) event.thread = frame.thread;
      events.push(event);
    } else if (tag === 'F' && typeof a === 'number' && typeof b === 'string' && typeof c === 'number' && !frames.has(a)
      && (d === undefined || typeof d === 'string')) {
      // A fifth element names the thread when it is not the main one.
      frames.set(a, d === undefined ? { scope: b, depth: c } : { scope: b, depth: c, thread: d });
    } else if (tag === 'X' && typeof b === 'string' && isVariables(c)) {
      finals[b] = c;
    } else if (tag === 'L' && (a === 'events' || a === 'value_size')) {
      if (a === 'events') eventsCapped = true;
    } else if (tag === 'END' && a !== null && typeof a === 'object') {
      end = a as EndRecord;
    } else {
      tampered = true;
    }
  }
  if (end && end.finals && typeof end.finals === 'object') {
    for (const [scope, vars] of Object.entries(end.finals as Record<string, unknown>)) {
      if (isVariables(vars)) finals[scope] = vars;
      else tampered = true;
    }
  }
  if (result.channel_check === 'tampered') tampered = true;
  if (tampered) warnings.push('channel-tampered');
  // The program reaches for the tracer's internals (gc, frames, fds, `__ct*`): its trace may be forged.
  if (result.tracer_access && result.tracer_access.length > 0) warnings.push('tracer-access');
  let untracedReason: string | null = null;
  if (ctx.instrumented && ctx.instrumented.code === null) untracedReason = ctx.instrumented.problem ?? 'not instrumented';
  else if (ctx.instrumented && end && end.traced === false) untracedReason = 'the instrumented program did not compile; ran the original';
  if (untracedReason !== null) warnings.push('uninstrumented');
  if (end && end.tracer_error !== undefined && end.tracer_error !== null) warnings.push('tracer-error');
  if (ctx.instrumented && !end && result.status === 'ok') warnings.push('no-end-record');
  const outputBytes = {
    ...(typeof result.stdout_base64 === 'string' ? { stdout: result.stdout_base64 } : {}),
    ...(typeof result.stderr_base64 === 'string' ? { stderr: result.stderr_base64 } : {}),
  };
  const notUtf8 = Object.keys(outputBytes).length > 0;
  if (notUtf8) warnings.push('output-not-utf8');

  const exception = end ? toException(end.exception) : null;
  const { status, detail } = refineStatus(result, exception, end);
  return {
    id: ctx.id,
    format: TRACE_FORMAT,
    language: ctx.language,
    status,
    detail,
    stdout: result.stdout,
    stderr: result.stderr,
    ...(notUtf8 ? { output_bytes: outputBytes } : {}),
    truncated: { stdout: result.stdout_truncated, stderr: result.stderr_truncated },
    exit_code: result.exit_code,
    signal: result.signal,
    duration_ms: ctx.timing ? result.duration_ms : null,
    events,
    finals,
    return: end && isValue(end.return) ? end.return : null,
    exception,
    limits: {
      events: eventsCapped,
      stdout: result.stdout_truncated,
      stderr: result.stderr_truncated,
      time: status === 'timeout' || status === 'cpu_limit',
      value_size: end?.value_cut === true,
    },
    warnings,
    untraced_reason: untracedReason,
    provenance: ctx.provenance,
  };
}

function refineStatus(result: ExecutorResult, exception: TraceException | null, end: EndRecord | null): { status: Status; detail: string | null } {
  if (result.status !== 'runtime_error' && result.status !== 'ok') return { status: result.status, detail: result.detail };
  if (exception && end?.phase === 'compile' && SYNTAX_ERRORS.has(exception.type)) {
    return { status: 'syntax_error', detail: `${exception.type}: ${exception.message}` };
  }
  if (exception && (exception.type === 'MemoryError' || /heap out of memory/i.test(result.stderr))) {
    return { status: 'memory_limit', detail: 'memory limit reached' };
  }
  if (result.status === 'runtime_error') {
    const detail = exception ? `${exception.type}: ${exception.message}` : `exit code ${result.exit_code}`;
    return { status: 'runtime_error', detail };
  }
  return { status: 'ok', detail: null };
}

function toException(value: unknown): TraceException | null {
  if (value === null || typeof value !== 'object') return null;
  const e = value as Record<string, unknown>;
  return {
    type: typeof e.type === 'string' ? e.type : 'Error',
    message: typeof e.message === 'string' ? e.message : '',
    line: typeof e.line === 'number' ? e.line : null,
  };
}

function isIndex(v: unknown, length: number): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < length;
}

function isValue(v: unknown): v is Value {
  return v !== null && typeof v === 'object' && typeof (v as Value).repr === 'string' && 'json' in (v as object);
}

/**
 * An event's variables; a number, boolean or null stands for the value
 * whose repr is its JSON text (tracers/README.md), and is expanded here.
 */
function isEventVariables(v: unknown): v is Variables {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const vars = v as Record<string, unknown>;
  for (const name in vars) {
    const value = vars[name];
    if (typeof value === 'number' || typeof value === 'boolean' || value === null) vars[name] = { repr: JSON.stringify(value), json: value };
    else if (!isValue(value)) return false;
  }
  return true;
}

function isVariables(v: unknown): v is Variables {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  // A parsed record: its properties are all its own (for-in allocates no list).
  for (const name in v) if (!isValue((v as Record<string, unknown>)[name])) return false;
  return true;
}
