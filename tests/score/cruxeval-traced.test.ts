/**
 * Real model answers against ground truth built by coderl-trace itself:
 * every CRUXEval call is traced (the real `trace` CLI, sandboxed), its
 * traced return value becomes an `output` task's ground truth, and the
 * 8,000 CodeLlama-7B predictions are scored with the real `score` CLI.
 * The verdict must equal CRUXEval's own exact-match `passed` on every
 * prediction.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from '../build/helpers.js';
import { full, note, readCorpus } from '../corpora.js';

const lines = (file: string) => { note(file); return readCorpus(file); };

function cli(args: string[], input: string): string {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/coderl-trace.js'), ...args], { input, encoding: 'utf8', maxBuffer: 1 << 30 });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

describe('CRUXEval predictions scored against traced ground truth', () => {
  it('agrees with CRUXEval on all 8,000 predictions (600 in the slice)', () => {
    const problems = lines('cruxeval.jsonl');
    const runs = problems.map((p) => JSON.stringify({ id: p.id, language: 'python', code: p.code, call: p.input_call })).join('\n');
    const traces = cli(['trace', '-', '--jobs', '2'], runs).trim().split('\n').map((l) => JSON.parse(l));
    const truth = new Map<string, string>();
    for (const [i, t] of traces.entries()) {
      expect(t.status, t.id).toBe('ok');
      expect(t.return.repr, t.id).toBe(problems[i].expected_output);
      truth.set(t.id, JSON.stringify({
        input: problems[i].input_call, expected_output: t.return.repr, expected_local_variable: {}, code: problems[i].code,
        problem_id: t.id, format: 'coderl-trace.ground_truth/1', task: 'output', language: 'python',
        output: { kind: 'return', value: t.return }, variables: {}, provenance: t.provenance,
      }));
    }
    const predictions = lines('cruxeval_codellama7b_output_predictions.jsonl');
    const requests = predictions.map((p) => JSON.stringify({
      id: p.id,
      reward_model: { ground_truth: truth.get(p.problem_id) },
      response: `The output is:\n${JSON.stringify({ final_output: p.prediction })}`,
    })).join('\n');
    const scored = cli(['score', '-', '--reward', 'strict'], requests).trim().split('\n').map((l) => JSON.parse(l));
    expect(scored).toHaveLength(full(8000, 600));
    const disagreements = scored.filter((s, i) => (s.score === 1) !== predictions[i].passed);
    expect(disagreements.map((d) => d.id)).toEqual([]);
    expect(scored.filter((s) => s.score === 1)).toHaveLength(predictions.filter((p) => p.passed).length);
  }, 300_000);
});
