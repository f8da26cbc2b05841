/**
 * The half of every reader that does not depend on the format: a format
 * adapter pulls a `Candidate` (response, test spec, metadata) out of its
 * record, and `finishCandidate` checks types, extracts the code, normalises
 * the tests and builds the Rollout, or says why not.
 */
import { nestingProblem } from '../model/run.js';
import { definedFunctions } from './asserts.js';
import { extractCode } from './extract.js';
import { parseTests } from './test-cases.js';
import type { Language, ReadResult, RejectReason, Rollout, Source } from './types.js';

/** What a format adapter found in one record. Values are unchecked. */
export interface Candidate {
  /** A response text, or a list of them (one rollout each). */
  response: unknown;
  /** Name of the field the response came from, for messages. */
  responseField: string;
  /** Test spec in any shape parseTests accepts; undefined when the record has none. */
  groundTruth: unknown;
  /** Why there is no ground truth, when the format knows (e.g. old verl dumps). */
  noTestsHint?: string;
  fnName?: unknown;
  entryPoint?: unknown;
  language?: unknown;
  reward?: unknown;
  passed?: unknown;
  prompt?: unknown;
  problemId?: unknown;
  dataSource?: unknown;
  step?: unknown;
  uid?: unknown;
  notes?: string[];
}

/** A reason to reject a whole record, thrown by adapters and caught by the reader. */
export class RecordError extends Error {
  constructor(readonly reason: RejectReason, detail: string) {
    super(detail);
  }
}

export interface FinishOptions {
  language?: Language;
  passThreshold: number;
}

export function keyOf(source: Source): string {
  return source.response === undefined ? `${source.file}:${source.line}` : `${source.file}:${source.line}#${source.response}`;
}

export function reject(source: Source, reason: RejectReason, detail: string): ReadResult {
  return { ok: false, reject: { key: keyOf(source), source, reason, detail } };
}

/** One result per response (a record without a response list has exactly one). */
export function finishCandidate(c: Candidate, source: Source, opts: FinishOptions): ReadResult[] {
  if (Array.isArray(c.response)) {
    if (c.response.length === 0) return [reject(source, 'no-response', `"${c.responseField}" is an empty list`)];
    return c.response.map((r, i) => finishOne({ ...c, response: r, responseField: `${c.responseField}.${i}` }, { ...source, response: i }, opts));
  }
  return [finishOne(c, source, opts)];
}

function finishOne(c: Candidate, source: Source, opts: FinishOptions): ReadResult {
  try {
    return { ok: true, rollout: build(c, source, opts) };
  } catch (err) {
    if (err instanceof RecordError) return reject(source, err.reason, err.message);
    throw err;
  }
}

function build(c: Candidate, source: Source, opts: FinishOptions): Rollout {
  if (c.response === undefined || c.response === null) throw new RecordError('missing-field', `no response field "${c.responseField}"`);
  if (typeof c.response !== 'string') throw new RecordError('wrong-type', `"${c.responseField}" must be text, got ${kindOf(c.response)}`);
  if (c.response.trim() === '') throw new RecordError('no-response', `"${c.responseField}" is empty`);

  const hint = opts.language ?? languageHint(c.language);
  const extraction = extractCode(c.response, hint);
  if (!extraction.ok) throw new RecordError(extraction.reason, extraction.detail);

  const fnName = optionalString(c.fnName, 'fn_name');
  const entryPoint = optionalString(c.entryPoint, 'entry_point');
  if (c.groundTruth === undefined || c.groundTruth === null) {
    throw new RecordError('no-tests', c.noTestsHint ?? 'the record has no test cases');
  }
  const definedNames = definedFunctions(extraction.code, extraction.language);
  const tests = parseTests(c.groundTruth, { language: extraction.language, fnName, entryPoint, definedNames });
  if (!tests.ok) throw new RecordError(tests.reason, tests.detail);
  for (const test of tests.tests) {
    const tooDeep = test.input.kind === 'fn' ? nestingProblem(test.input.args) : null;
    if (tooDeep) throw new RecordError('bad-tests', `test ${test.index}: its arguments ${tooDeep}`);
  }

  const reward = optionalNumber(c.reward, 'reward');
  const passed = verdict(c.passed, reward, opts.passThreshold);
  return {
    key: keyOf(source),
    source,
    language: extraction.language,
    code: extraction.code,
    response: c.response,
    problem_id: optionalId(c.problemId),
    data_source: optionalString(c.dataSource, 'data_source'),
    prompt: promptText(c.prompt),
    step: optionalNumber(c.step, 'step'),
    uid: optionalId(c.uid),
    reward,
    passed,
    tests: tests.tests,
    style: tests.style,
    fn_name: tests.fn_name,
    notes: [
      `code: ${extraction.codeRule}`,
      `language: ${extraction.languageRule}`,
      ...tests.notes,
      ...(c.notes ?? []),
    ],
  };
}

const LANGUAGE_NAMES: Record<string, Language> = {
  python: 'python', python3: 'python', py: 'python', py3: 'python',
  javascript: 'javascript', js: 'javascript', node: 'javascript', nodejs: 'javascript',
};

/** A language named by the record; an unsupported one is a reject, not a guess. */
function languageHint(value: unknown): Language | null {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'string') throw new RecordError('wrong-type', `"language" must be text, got ${kindOf(value)}`);
  const lang = LANGUAGE_NAMES[value.trim().toLowerCase()];
  if (!lang) throw new RecordError('unknown-language', `language ${JSON.stringify(value)} is not python or javascript`);
  return lang;
}

function verdict(passed: unknown, reward: number | null, threshold: number): boolean | null {
  if (typeof passed === 'boolean') return passed;
  if (typeof passed === 'number' && (passed === 0 || passed === 1)) return passed === 1;
  if (passed !== undefined && passed !== null) throw new RecordError('wrong-type', `"passed"/"acc" must be a boolean, got ${JSON.stringify(passed)}`);
  return reward === null ? null : reward >= threshold;
}

function optionalNumber(value: unknown, name: string): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  throw new RecordError('wrong-type', `"${name}" must be a number, got ${JSON.stringify(value)}`);
}

function optionalString(value: unknown, name: string): string | null {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'string') throw new RecordError('wrong-type', `"${name}" must be text, got ${kindOf(value)}`);
  return value;
}

function optionalId(value: unknown): string | null {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value);
}

/** A prompt as text: a string as is; chat messages -> the last user turn. */
export function promptText(prompt: unknown): string | null {
  if (typeof prompt === 'string') return prompt === '' ? null : prompt;
  if (Array.isArray(prompt)) {
    const users = prompt.filter((m) => m && typeof m === 'object' && (m as Record<string, unknown>).role === 'user');
    const last = users[users.length - 1] as Record<string, unknown> | undefined;
    if (last && typeof last.content === 'string') return last.content;
    if (last && Array.isArray(last.content)) {
      // Multi-part content: [{type: 'text', text}]
      const text = last.content.map((p) => (p && typeof p === 'object' && typeof (p as Record<string, unknown>).text === 'string' ? (p as Record<string, unknown>).text : '')).join('');
      return text === '' ? null : text;
    }
  }
  return null;
}

export function kindOf(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}
