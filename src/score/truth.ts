/**
 * Read a ground truth (a JSON string or an object) into what the scorer
 * needs. Two kinds are accepted:
 * - coderl-trace ground truth (src/model/task.ts): typed values are used;
 * - a plain CodeRL+ reference record (`expected_output`,
 *   `expected_local_variable` only): read as an `output-vars` Python task
 *   with a stdout output and the variables' JSON values.
 * Invalid ground truth is an error with a reason, never a crash.
 */
import type { Lit } from '../values/value.js';
import { tryParseLiteral } from '../values/parse.js';
import { fromTaggedJson } from '../values/typed.js';
import { show } from '../values/print.js';
import { GROUND_TRUTH_FORMAT, GROUND_TRUTH_FORMAT_V1, TASK_KIND_RULES, TASK_KINDS, type TaskKind } from '../model/task.js';
import type { Language } from '../model/trace.js';

export type TruthOutput =
  | { kind: 'stdout'; text: string }
  | { kind: 'return'; value: Lit; repr: string };

export interface Truth {
  task: TaskKind;
  /**
   * How answer values are written: `json` (format /2: variables in their JSON
   * form, final_output as text) or `literal` (format /1 and plain CodeRL+
   * records: JSON strings re-read as literals of the language).
   */
  answerForm: 'json' | 'literal';
  language: Language;
  output: TruthOutput | null;
  variables: { name: string; value: Lit; repr: string }[];
  problemId: string | null;
}

export type TruthResult = { ok: true; truth: Truth } | { ok: false; reason: string };

/** Parse ground-truth JSON text keeping int vs float (2.0 stays a float). */
export function groundTruthObject(raw: unknown): { ok: true; value: Lit } | { ok: false; reason: string } {
  if (typeof raw === 'string') {
    const r = tryParseLiteral(raw, 'json', { nonFinite: true });
    return r.ok ? { ok: true, value: r.value } : { ok: false, reason: `ground truth is not valid JSON: ${r.error}` };
  }
  return { ok: true, value: fromTaggedJson(raw) };
}

export function readTruth(raw: unknown): TruthResult {
  if (raw === undefined || raw === null) return { ok: false, reason: 'no ground truth (reward_model.ground_truth, gts or ground_truth)' };
  let obj: unknown = raw;
  if (typeof raw === 'string') {
    try {
      obj = JSON.parse(raw);
    } catch (err) {
      return { ok: false, reason: `ground truth is not valid JSON: ${(err as Error).message}` };
    }
  }
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) return { ok: false, reason: 'ground truth is not a JSON object' };
  const gt = obj as Record<string, unknown>;
  return gt.task === undefined && gt.format === undefined ? readReference(raw) : readTyped(gt);
}

function readTyped(gt: Record<string, unknown>): TruthResult {
  const fail = (reason: string): TruthResult => ({ ok: false, reason: `ground truth: ${reason}` });
  if (gt.format !== undefined && gt.format !== GROUND_TRUTH_FORMAT && gt.format !== GROUND_TRUTH_FORMAT_V1) {
    return fail(`unknown "format" ${JSON.stringify(gt.format)} (this version reads ${GROUND_TRUTH_FORMAT} and ${GROUND_TRUTH_FORMAT_V1})`);
  }
  if (!TASK_KINDS.includes(gt.task as TaskKind)) return fail(`"task" must be one of ${TASK_KINDS.join(', ')}, got ${JSON.stringify(gt.task)}`);
  if (gt.language !== 'python' && gt.language !== 'javascript') return fail(`"language" must be "python" or "javascript", got ${JSON.stringify(gt.language)}`);
  const language = gt.language;
  let output: TruthOutput | null = null;
  const out = gt.output as Record<string, unknown> | null | undefined;
  if (out !== null && out !== undefined) {
    if (out.kind === 'stdout' && typeof out.text === 'string') output = { kind: 'stdout', text: out.text };
    else if (out.kind === 'return' && isValue(out.value)) {
      output = { kind: 'return', value: fromTaggedJson(out.value.json), repr: out.value.repr };
    } else return fail('"output" must be {"kind":"stdout","text"} or {"kind":"return","value":{repr,json}}');
  }
  const rules = TASK_KIND_RULES[gt.task as TaskKind];
  if (rules.output && output === null) return fail(`a ${gt.task} task needs "output"`);
  const vars = gt.variables ?? {};
  if (typeof vars !== 'object' || vars === null || Array.isArray(vars)) return fail('"variables" must be an object of name -> {repr, json}');
  const variables: Truth['variables'] = [];
  for (const [name, v] of Object.entries(vars)) {
    if (!isValue(v)) return fail(`variable ${JSON.stringify(name)} must be {repr, json}`);
    variables.push({ name, value: fromTaggedJson(v.json), repr: v.repr });
  }
  if (!rules.variables && variables.length) return fail(`an ${gt.task} task has no variables`);
  if (output === null && variables.length === 0) return fail('nothing to predict (no output, no variables)');
  const answerForm = gt.format === GROUND_TRUTH_FORMAT ? 'json' : 'literal';
  return { ok: true, truth: { task: gt.task as TaskKind, answerForm, language, output, variables, problemId: str(gt.problem_id) } };
}

/** A CodeRL+ record: stdout text plus plain JSON variable values. */
function readReference(raw: unknown): TruthResult {
  const parsed = groundTruthObject(raw);
  if (!parsed.ok) return parsed;
  const gt = parsed.value;
  if (gt.t !== 'dict') return { ok: false, reason: 'ground truth is not a JSON object' };
  const field = (name: string): Lit | undefined => lastField(gt.entries, name);
  const expected = field('expected_output');
  if (!expected || expected.t !== 'str') return { ok: false, reason: 'ground truth: "expected_output" must be a string' };
  const vars = field('expected_local_variable') ?? { t: 'dict', entries: [] };
  if (vars.t !== 'dict') return { ok: false, reason: 'ground truth: "expected_local_variable" must be an object' };
  const problem = field('problem_id');
  return {
    ok: true,
    truth: {
      task: 'output-vars',
      answerForm: 'literal',
      language: 'python',
      output: { kind: 'stdout', text: expected.v },
      variables: vars.entries.map(([k, v]) => ({ name: (k as { v: string }).v, value: v, repr: show(v, 'python') })),
      problemId: problem?.t === 'str' ? problem.v : null,
    },
  };
}

function isValue(v: unknown): v is { repr: string; json: unknown } {
  return v !== null && typeof v === 'object' && typeof (v as { repr?: unknown }).repr === 'string' && 'json' in v;
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** Python dict semantics for duplicate JSON keys: the last value wins. */
export function lastField(entries: [Lit, Lit][], name: string): Lit | undefined {
  let found: Lit | undefined;
  for (const [k, v] of entries) if (k.t === 'str' && k.v === name) found = v;
  return found;
}
