import type { Language } from './trace.js';

/** How the program receives its test input. */
export type RunInput =
  | { kind: 'stdin'; stdin: string }
  | { kind: 'call'; call: string }
  | { kind: 'fn'; fn_name: string; args: unknown[] };

/** Code a judge runs before the program, untraced, in its globals (src/run/prelude.ts). */
export interface Prelude {
  /** `livecodebench`, or the file it was read from. */
  name: string;
  source: string;
}

/** One program x one test input: the unit the runner executes. */
export interface Run {
  id: string;
  language: Language;
  code: string;
  input: RunInput;
  /** Absent or null: the program runs alone. */
  prelude?: Prelude | null;
}

export class RunRecordError extends Error {}

const LANGUAGES: readonly string[] = ['python', 'javascript'];

/**
 * Validate one line of `coderl-trace trace` input
 * (`{"id","language","code","stdin"|"call"|"fn_name"+"args"}`).
 * Throws RunRecordError with a message that names the offending field.
 */
export function parseRunRecord(value: unknown, fallbackId: string): Run {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new RunRecordError('record is not a JSON object');
  }
  const rec = value as Record<string, unknown>;
  if (rec.id !== undefined && rec.id !== null && typeof rec.id !== 'string' && typeof rec.id !== 'number') {
    throw new RunRecordError(`"id" must be a string or a number, got ${Array.isArray(rec.id) ? 'a list' : typeof rec.id}`);
  }
  const id = rec.id === undefined || rec.id === null ? fallbackId : String(rec.id);
  const language = rec.language;
  if (typeof language !== 'string' || !LANGUAGES.includes(language)) {
    throw new RunRecordError(`"language" must be "python" or "javascript", got ${JSON.stringify(language)}`);
  }
  if (typeof rec.code !== 'string') throw new RunRecordError('"code" must be a string');
  return { id, language: language as Language, code: rec.code, input: parseRunInput(rec) };
}

export function parseRunInput(rec: Record<string, unknown>): RunInput {
  const forms = ['stdin', 'call', 'fn_name'].filter((k) => rec[k] !== undefined && rec[k] !== null);
  if (forms.length > 1) throw new RunRecordError(`give one input form, got ${forms.join(' and ')}`);
  if (rec.call !== undefined && rec.call !== null) {
    if (typeof rec.call !== 'string' || rec.call.trim() === '') throw new RunRecordError('"call" must be a non-empty string');
    return { kind: 'call', call: rec.call };
  }
  if (rec.fn_name !== undefined && rec.fn_name !== null) {
    if (typeof rec.fn_name !== 'string' || !/^[\p{L}_$][\p{L}\p{N}_$]*$/u.test(rec.fn_name)) {
      throw new RunRecordError('"fn_name" must be an identifier');
    }
    if (!Array.isArray(rec.args)) throw new RunRecordError('"args" must be a JSON array when "fn_name" is given');
    const tooDeep = nestingProblem(rec.args);
    if (tooDeep) throw new RunRecordError(`"args" ${tooDeep}`);
    return { kind: 'fn', fn_name: rec.fn_name, args: rec.args };
  }
  if (rec.stdin !== undefined && rec.stdin !== null && typeof rec.stdin !== 'string') {
    throw new RunRecordError('"stdin" must be a string');
  }
  return { kind: 'stdin', stdin: typeof rec.stdin === 'string' ? rec.stdin : '' };
}

/**
 * Arguments nested deeper than this are refused before any run: the
 * executor and the tracers parse and encode values recursively, and
 * Python's recursion limit (1000) is reached well before JSON's.
 * Real test inputs are a few levels deep.
 */
export const MAX_INPUT_DEPTH = 100;

/** Why a JSON value cannot be an input (too deeply nested), or null. */
export function nestingProblem(value: unknown, limit = MAX_INPUT_DEPTH): string | null {
  // Iterative, so that the check itself cannot overflow the stack.
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth > limit) return `is nested more than ${limit} levels deep`;
    for (const child of Object.values(v)) stack.push([child, depth + 1]);
  }
  return null;
}
