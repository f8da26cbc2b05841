/**
 * verl rollout dumps: `trainer.rollout_data_dir=DIR` makes the trainer write
 * `DIR/{step}.jsonl`, one line per response. Shape (verl
 * trainer/ppo/ray_trainer.py `_dump_generations` / `_log_rollout_data`):
 * `input` (prompt decoded with skip_special_tokens, so after the chat
 * template), `output` (response), `gts` (`reward_model.ground_truth` of the
 * dataset row, often a JSON string; absent in dumps from older verl),
 * `score` (summed token-level score), `step`, plus each reward-extra key
 * whose list has one entry per sample (e.g. `acc`, `data_source`) and
 * sometimes `request_id` or `uid`.
 */
import type { Candidate } from '../rollout.js';
import { RecordError } from '../rollout.js';

export function verlCandidate(rec: Record<string, unknown>): Candidate {
  if (!('output' in rec)) throw new RecordError('missing-field', 'verl dump record has no "output" (the response)');
  return {
    response: rec.output,
    responseField: 'output',
    groundTruth: rec.gts,
    noTestsHint: 'no "gts" in this verl dump (verl versions before ground truth was dumped); re-dump with a newer verl, or use --input-format generic with a field map',
    fnName: rec.fn_name,
    entryPoint: rec.entry_point,
    language: rec.language,
    reward: rec.score,
    passed: rec.acc ?? rec.passed,
    prompt: rec.input,
    problemId: rec.problem_id ?? rec.index,
    dataSource: rec.data_source,
    step: rec.step,
    uid: rec.uid,
  };
}
