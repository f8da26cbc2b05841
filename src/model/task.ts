/**
 * The ground truth of one alignment task and the answer format the model is
 * asked to produce. This is a public contract: `build` writes the ground truth
 * (as a JSON string, in `reward_model.ground_truth`), the task renderer asks
 * for the answer format below, and `score` reads both. Bump
 * GROUND_TRUTH_FORMAT on any incompatible change.
 *
 * ## Answer format (coderl-trace.ground_truth/2)
 *
 * The model ends its answer with ONE line holding a JSON object:
 *
 *     {"final_output": "<text>", "variables": {"<target>": <value>, ...}}
 *
 * The keys are the ones the CodeRL+ reference reward reads, and every task's
 * own answer scores 1.0 under both `score` and `score --compat coderl`.
 * - `final_output` is always a JSON string: for a stdin program the exact
 *   text it prints; for a call, the returned value as the language prints it
 *   (Python `repr`: `"[1, 2]"`, `"'ab'"`, `"(1, 'a')"`, `"None"`), read back
 *   as a literal of the language.
 * - each variable's value is written in its JSON form (src/values/json-form.ts):
 *   `3`, `2.0`, `"ab"`, `[1, 2]`, `{"a": 1}`, `true`, `null`; a tuple as an
 *   array, a set as a sorted array, dict keys as strings. A JSON string is
 *   always the string itself.
 * `output` is accepted as an alias of `final_output`. The line may also be
 * inside a ```json fence, or follow reasoning text on the same line; text up
 * to the last `</think>` is ignored (see src/score/answer.ts for every rule).
 *
 * Ground truths of format /1 (values as literals inside JSON strings, see
 * git history) are still scored by their own rules.
 */
import type { Language, Value } from './trace.js';
import { jsonForm, toPlain } from '../values/json-form.js';
import { fromTaggedJson } from '../values/typed.js';

export const GROUND_TRUTH_FORMAT = 'coderl-trace.ground_truth/2';
/** The earlier format: values as language literals inside JSON strings. */
export const GROUND_TRUTH_FORMAT_V1 = 'coderl-trace.ground_truth/1';

/**
 * - `output-vars`: predict the output and the final values of some variables
 *   (the CodeRL+ task);
 * - `output`: predict the output only (CRUXEval-O style);
 * - `line-state`: predict the values of some variables right after a given line ran.
 */
export type TaskKind = 'output-vars' | 'output' | 'line-state';

export const TASK_KINDS: readonly TaskKind[] = ['output-vars', 'output', 'line-state'];

/**
 * What each kind asks, read by the renderer and the scorer alike; a kind's
 * targets and wording live in src/tasks/kinds/. `reference`: the CodeRL+
 * reference reward has a rule for it (else `--compat coderl` scores it by
 * coderl-trace's rules and says so); its answers then always hold the
 * `variables` key the reference requires (`{}` for an output task).
 */
export const TASK_KIND_RULES: Readonly<Record<TaskKind, { output: boolean; variables: boolean; reference: boolean }>> = {
  'output-vars': { output: true, variables: true, reference: true },
  output: { output: true, variables: false, reference: true },
  'line-state': { output: false, variables: true, reference: false },
};

/** What the program produced: printed text (stdin programs) or a returned value (call-style runs). */
export type ExpectedOutput =
  | { kind: 'stdout'; text: string }
  | { kind: 'return'; value: Value };

export interface GroundTruth {
  // --- keys read by the CodeRL+ reference reward (kept so its code works unchanged) ---
  /** The test input: stdin text, or the call expression / arguments as text. */
  input: string;
  /** stdout stripped (stdin programs) or the `repr` of the returned value (call-style). */
  expected_output: string;
  /**
   * Target name -> plain JSON value, as the reference builds it with
   * `json.dumps` (tuples and sets become lists, dict keys become strings,
   * see toReferenceJson). Only what the reference can compare.
   */
  expected_local_variable: Record<string, unknown>;
  code: string;
  problem_id: string;

  // --- coderl-trace typed extras ---
  format: typeof GROUND_TRUTH_FORMAT | typeof GROUND_TRUTH_FORMAT_V1;
  task: TaskKind;
  language: Language;
  /** Null for `line-state` tasks (no output asked). */
  output: ExpectedOutput | null;
  /**
   * Target name -> exact value. Names are plain (`total`) or scope-qualified
   * (`solve.total`, `Solution.twoSum.seen`) when two scopes share a name; the
   * answer must use the same key (a qualified target may also be answered by
   * its bare name when that bare name is not shared by another target).
   */
  variables: Record<string, Value>;
  /** For `line-state`: the 1-based line in the original source after which the state is asked. */
  line?: number;
  /** For `line-state`: which execution of that line (1 = first). */
  hit?: number;
  /** Free-form: rollout id, test index, trace id, tool version, ... */
  provenance: Record<string, unknown>;
}

/**
 * The plain-JSON value the reference reward compares a variable against:
 * the JSON form of src/values/json-form.ts (tuples and sets as arrays, sets
 * sorted, dict keys as strings). Undefined for values with no JSON form,
 * which are never targets.
 */
export function toReferenceJson(json: unknown): unknown {
  const form = jsonForm(fromTaggedJson(json));
  return form === null ? undefined : toPlain(form);
}
