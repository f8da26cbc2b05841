/**
 * The ground truth of one alignment task and the answer format the model is
 * asked to produce. This is a public contract: `build` writes the ground truth
 * (as a JSON string, in `reward_model.ground_truth`), the task renderer asks
 * for the answer format below, and `score` reads both. Bump
 * GROUND_TRUTH_FORMAT on any incompatible change.
 *
 * ## Answer format
 *
 * The model ends its answer with ONE line holding a JSON object:
 *
 *     {"final_output": <value>, "variables": {"<target>": <value>, ...}}
 *
 * The key `final_output` is the one the CodeRL+ reference reward reads, so
 * tasks built by coderl-trace stay gradable by the reference code unchanged.
 * A `<value>` is either
 *   - a JSON string holding a literal of the program's language, as the
 *     language prints it: `"(1, 'a')"`, `"{1, 2}"`, `"None"`, `"[1, 2.0]"`
 *     (Python) or `"new Set([1, 2])"`, `"undefined"`, `"123n"` (JavaScript);
 *     this is the only way to write tuples, sets, int-keyed dicts, 2.0 vs 2, ...
 *   - or a plain JSON value (`3`, `[1, 2]`, `true`, `null`, `{"a": 1}`),
 *     read as the corresponding value of the language.
 * A JSON string is read as a literal of the language if it is one, else as
 * JSON (`"[true, null]"`), else as the string itself (`"hello world"`); so a string value that looks like a literal must be
 * quoted inside: `"'1'"` is the string 1, `"1"` is the integer 1.
 * For a stdin program, `final_output` is the printed text (a JSON string;
 * a bare JSON number or array is taken as the text it is written as).
 * `output` is accepted as an alias of `final_output`. The line may also be
 * inside a ```json fence, or follow reasoning text on the same line; text up
 * to the last `</think>` is ignored (see src/score/answer.ts for every rule).
 */
import type { Language, Value } from './trace.js';

export const GROUND_TRUTH_FORMAT = 'coderl-trace.ground_truth/1';

/**
 * - `output-vars`: predict the output and the final values of some variables
 *   (the CodeRL+ task);
 * - `output`: predict the output only (CRUXEval-O style);
 * - `line-state`: predict the values of some variables right after a given line ran.
 */
export type TaskKind = 'output-vars' | 'output' | 'line-state';

export const TASK_KINDS: readonly TaskKind[] = ['output-vars', 'output', 'line-state'];

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
  format: typeof GROUND_TRUTH_FORMAT;
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
 * The plain-JSON projection of a tagged Value.json that the reference reward
 * compares against (what Python `json.dumps` gives after the reference's
 * set-to-list conversion): tuples/sets -> lists, non-string dict keys ->
 * their string form, integral floats -> numbers. Values JSON cannot carry
 * (objects, functions, caps) give undefined and should not be targets.
 */
export function toReferenceJson(json: unknown): unknown {
  if (json === null || typeof json !== 'object') return json;
  if (Array.isArray(json)) {
    const items = json.map(toReferenceJson);
    return items.includes(undefined) ? undefined : items;
  }
  const rec = json as Record<string, unknown>;
  if (typeof rec.$type !== 'string') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(rec)) {
      const p = toReferenceJson(v);
      if (p === undefined) return undefined;
      out[k] = p;
    }
    return out;
  }
  switch (rec.$type) {
    case 'tuple':
    case 'set':
    case 'frozenset':
      return toReferenceJson(rec.items);
    case 'int':
    case 'float': {
      const n = Number(rec.value);
      return Number.isFinite(n) ? n : undefined;
    }
    case 'dict': {
      const out: Record<string, unknown> = {};
      for (const [k, v] of rec.entries as [unknown, unknown][]) {
        const key = referenceKey(k);
        const p = toReferenceJson(v);
        if (key === undefined || p === undefined) return undefined;
        out[key] = p;
      }
      return out;
    }
    default:
      return undefined;
  }
}

/** json.dumps turns None/True/False/int/float keys into "null"/"true"/"false"/"1"/"1.5". */
function referenceKey(k: unknown): string | undefined {
  if (typeof k === 'string') return k;
  if (k === null) return 'null';
  if (typeof k === 'boolean' || typeof k === 'number') return String(k);
  if (k !== null && typeof k === 'object' && (k as { $type?: unknown }).$type === 'int') return String((k as { value: unknown }).value);
  return undefined;
}
