/**
 * Rows in the verl / PRIME dataset shape (`data_source`, `prompt` as chat
 * messages, `ability`, `reward_model: {style, ground_truth}`, `extra_info`)
 * with the model's response(s) joined on: `response`, `responses` (a list:
 * one rollout each), `output` or `completion`.
 */
import { firstPath } from '../fields.js';
import type { Candidate } from '../rollout.js';
import { RecordError } from '../rollout.js';

export const RESPONSE_FIELDS = ['response', 'responses', 'output', 'completion'] as const;

export function verlDatasetCandidate(rec: Record<string, unknown>): Candidate {
  const response = RESPONSE_FIELDS.find((f) => rec[f] !== undefined);
  if (response === undefined) throw new RecordError('missing-field', `no response field (one of ${RESPONSE_FIELDS.join(', ')})`);
  const gt = firstPath(rec, ['reward_model.ground_truth', 'ground_truth']);
  const info = rec.extra_info !== null && typeof rec.extra_info === 'object' ? (rec.extra_info as Record<string, unknown>) : {};
  return {
    response: rec[response],
    responseField: response,
    groundTruth: gt?.value,
    noTestsHint: 'no reward_model.ground_truth in the row',
    fnName: rec.fn_name ?? info.fn_name,
    entryPoint: rec.entry_point ?? info.entry_point,
    language: rec.language ?? info.language,
    reward: rec.score ?? rec.reward,
    passed: rec.acc ?? rec.passed,
    prompt: rec.prompt,
    problemId: rec.problem_id ?? info.problem_id ?? info.index ?? info.id,
    dataSource: rec.data_source,
    step: rec.step ?? info.step,
    uid: rec.uid,
  };
}
