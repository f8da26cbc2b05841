/**
 * Real model answers: 8,000 CodeLlama-7B predictions of CRUXEval outputs,
 * scored against `output` ground truth built from cruxeval.jsonl, must get
 * the same pass/fail as CRUXEval's own check (`eval(expected) ==
 * eval(prediction)`, the `passed` field).
 *
 * The typed expected value is built by our Python-literal parser from the
 * expected repr; real python3 checks that parse (ast.literal_eval + an
 * encoder of the tracers/README.md value table, and repr round trip).
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { parseLiteral, tryParseLiteral } from '../../src/values/parse.js';
import { toTaggedJson } from '../../src/values/typed.js';
import { pyRepr } from '../../src/values/print.js';
import { scoreResponse } from '../../src/score/score.js';
import { GROUND_TRUTH_FORMAT, type GroundTruth } from '../../src/model/task.js';
import { runPython } from './python.js';
import { full, note, readCorpus } from '../corpora.js';

interface Problem { id: string; code: string; input_call: string; expected_output: string }
interface Prediction { id: string; problem_id: string; prediction: string; passed: boolean }

const readJsonl = <T>(name: string): T[] => { note(name); return readCorpus<T>(name); };

function groundTruth(p: Problem): GroundTruth {
  return {
    input: p.input_call, expected_output: p.expected_output, expected_local_variable: {}, code: p.code, problem_id: p.id,
    format: GROUND_TRUTH_FORMAT, task: 'output', language: 'python',
    output: { kind: 'return', value: { repr: p.expected_output, json: toTaggedJson(parseLiteral(p.expected_output, 'python')) } },
    variables: {}, provenance: { source: 'cruxeval' },
  };
}

/** The value table of tracers/README.md, in Python, for the types CRUXEval returns. */
const PY_ENCODER = String.raw`
import ast, json, sys
SAFE = 2**53 - 1
def enc(v):
    if v is None or isinstance(v, bool) or isinstance(v, str): return v
    if isinstance(v, int): return v if -SAFE <= v <= SAFE else {"$type": "int", "value": str(v)}
    if isinstance(v, float):
        return v if v == v and v not in (float('inf'), float('-inf')) and not v.is_integer() else {"$type": "float", "value": repr(v)}
    if isinstance(v, list): return [enc(x) for x in v]
    if isinstance(v, tuple): return {"$type": "tuple", "items": [enc(x) for x in v]}
    if isinstance(v, (set, frozenset)):
        return {"$type": "frozenset" if isinstance(v, frozenset) else "set", "items": [enc(x) for x in sorted(v, key=repr)]}
    if isinstance(v, dict):
        if all(isinstance(k, str) and k != "$type" for k in v): return {k: enc(x) for k, x in v.items()}
        return {"$type": "dict", "entries": [[enc(k), enc(x)] for k, x in v.items()]}
    if isinstance(v, bytes): return {"$type": "bytes", "repr": repr(v)}
    raise TypeError(type(v))
out = []
for text in json.load(sys.stdin):
    try:
        v = ast.literal_eval(text)
        out.append({"json": enc(v), "repr": repr(v)})
    except Exception as e:
        out.append({"error": type(e).__name__})
print(json.dumps(out))
`;

/** CRUXEval's check, rerun for the predictions our parser does not read: is eval(prediction) a non-literal that passes? */
const PY_EVAL = String.raw`
import json, sys
out = []
for expected, prediction in json.load(sys.stdin):
    try:
        out.append(eval(expected) == eval(prediction))
    except Exception as e:
        out.append(type(e).__name__)
print(json.dumps(out))
`;

describe('CRUXEval output predictions (CodeLlama-7B, 8,000 answers)', () => {
  let problems: Map<string, Problem>;
  let predictions: Prediction[];
  beforeAll(() => {
    problems = new Map(readJsonl<Problem>('cruxeval.jsonl').map((p) => [p.id, p]));
    predictions = readJsonl<Prediction>('cruxeval_codellama7b_output_predictions.jsonl');
  });

  test('our Python-literal parser agrees with real python3 on every expected output', () => {
    const texts = [...problems.values()].map((p) => p.expected_output);
    const py = runPython(PY_ENCODER, texts) as { json?: unknown; repr?: string; error?: string }[];
    const diffs: string[] = [];
    texts.forEach((t, i) => {
      const ours = parseLiteral(t, 'python');
      if (py[i].error) diffs.push(`${t}: python says ${py[i].error}`);
      else if (JSON.stringify(toTaggedJson(ours)) !== JSON.stringify(py[i].json)) diffs.push(`${t}: json differs`);
      else if (pyRepr(ours) !== py[i].repr) diffs.push(`${t}: repr ${pyRepr(ours)} vs ${py[i].repr}`);
    });
    expect(texts.length).toBe(full(800, 60));
    expect(diffs).toEqual([]);
  });

  test('pass/fail equals CRUXEval `passed` on every prediction both can read', () => {
    const truths = new Map([...problems.values()].map((p) => [p.id, JSON.stringify(groundTruth(p))]));
    const disagreements: string[] = [];
    const unreadable: Prediction[] = [];
    let passed = 0;
    for (const p of predictions) {
      if (!tryParseLiteral(p.prediction, 'python').ok) unreadable.push(p);
      const response = JSON.stringify({ final_output: p.prediction });
      const r = scoreResponse(truths.get(p.problem_id), response, { reward: 'strict', compat: null });
      expect(r.format_ok).toBe(true);
      if ((r.score === 1) !== p.passed) disagreements.push(`${p.id}: ours ${r.score}, CRUXEval ${p.passed}, ${p.prediction}`);
      if (r.score === 1) passed++;
    }
    expect(predictions.length).toBe(full(8000, 600));
    expect(disagreements).toEqual([]);
    expect(passed).toBe(predictions.filter((p) => p.passed).length);

    // Predictions that are not literals (our parser reads them as plain strings):
    // CRUXEval evaluates them as Python expressions; none of them passes there
    // either, so the verdicts agree. Checked here with real python3 eval.
    const evals = runPython(PY_EVAL, unreadable.map((p) => [problems.get(p.problem_id)!.expected_output, p.prediction])) as (boolean | string)[];
    expect(evals.filter((e) => e === true)).toEqual([]);
    expect(unreadable.every((p) => !p.passed)).toBe(true);
    console.log(`CRUXEval: ${predictions.length} predictions, ${passed} pass, ${unreadable.length} not literals ` +
      `(python eval: ${evals.filter((e) => e === false).length} unequal, ${evals.filter((e) => typeof e === 'string').length} raise)`);
  });

  test('the lenient reference matcher would pass answers CRUXEval fails (why compat is opt-in)', () => {
    // expected False; the reference treats "0" as False and 0 == False
    const p = [...problems.values()].find((x) => x.expected_output === 'False')!;
    const gt = JSON.stringify(groundTruth(p));
    expect(scoreResponse(gt, JSON.stringify({ final_output: '0' }), { reward: 'strict', compat: null }).score).toBe(0);
    expect(scoreResponse(gt, JSON.stringify({ final_output: '0', variables: {} }), { reward: 'strict', compat: 'coderl' }).score).toBe(1);
  });
});
