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
  const id = rec.id === undefined ? fallbackId : String(rec.id);
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
    return { kind: 'fn', fn_name: rec.fn_name, args: rec.args };
  }
  if (rec.stdin !== undefined && rec.stdin !== null && typeof rec.stdin !== 'string') {
    throw new RunRecordError('"stdin" must be a string');
  }
  return { kind: 'stdin', stdin: typeof rec.stdin === 'string' ? rec.stdin : '' };
}
