/**
 * TRL GRPO completion logs: with `log_completions=True` GRPOTrainer writes
 * `OUTPUT_DIR/completions/completions_{step:05d}.parquet` (newer TRL:
 * `completions/{mode}/...`), built in `GRPOTrainer.log` from a pandas frame
 * with columns `step`, `prompt` (text after the chat template),
 * `completion`, one column per reward function, any extra logged columns,
 * `advantage` (and `mode` in newer versions). The same rows exported to
 * JSONL are read the same way.
 *
 * Test cases are only there if they were logged as extra columns;
 * otherwise each row is joined back to the training dataset by prompt
 * (`--dataset FILE`, see dataset.ts).
 */
import { firstPath } from '../fields.js';
import type { DatasetIndex } from '../dataset.js';
import type { Candidate } from '../rollout.js';
import { RecordError } from '../rollout.js';

/** Columns TRL writes that are neither rewards nor test data. */
const BOOKKEEPING = new Set(['step', 'prompt', 'completion', 'advantage', 'mode', 'image', 'images']);
/** Columns that may carry test data, in the order they are tried. */
export const TEST_COLUMNS = ['ground_truth', 'reward_model.ground_truth', 'input_output', 'test_cases', 'tests', 'test', 'test_list'] as const;
const NOT_REWARDS = new Set(['ground_truth', 'reward_model', 'input_output', 'test_cases', 'tests', 'test', 'test_list', 'inputs', 'outputs',
  'fn_name', 'entry_point', 'language', 'passed', 'acc', 'problem_id', 'data_source', 'uid', 'extra_info']);

export function trlCandidate(row: Record<string, unknown>, dataset: DatasetIndex | null): Candidate {
  if (!('completion' in row)) throw new RecordError('missing-field', 'TRL completions row has no "completion"');
  const notes: string[] = [];

  let groundTruth: unknown;
  let fnName: unknown = row.fn_name;
  let entryPoint: unknown = row.entry_point;
  let language: unknown = row.language;
  let problemId: unknown = row.problem_id;
  let dataSource: unknown = row.data_source;
  if (row.inputs !== undefined && row.inputs !== null) {
    groundTruth = { inputs: row.inputs, outputs: row.outputs, fn_name: row.fn_name ?? undefined };
  } else {
    groundTruth = firstPath(row, TEST_COLUMNS)?.value;
  }
  if ((groundTruth === undefined || groundTruth === null) && dataset !== null) {
    const match = dataset.lookup(row.prompt);
    if (match === null) throw new RecordError('no-dataset-match', `the prompt matches no row of ${dataset.path}`);
    groundTruth = match.groundTruth;
    fnName ??= match.fnName;
    entryPoint ??= match.entryPoint;
    language ??= match.language;
    problemId ??= match.problemId;
    dataSource ??= match.dataSource;
    notes.push(`tests: joined to ${dataset.path}:${match.line} by prompt`);
  }

  // GRPO's reward is the weighted sum of the reward functions; the weights
  // are not logged, so this is the unweighted sum (TRL's default weights are 1).
  const rewardColumns = Object.keys(row).filter((k) => !BOOKKEEPING.has(k) && !NOT_REWARDS.has(k) && isNumeric(row[k]));
  let reward: number | null = null;
  if (rewardColumns.length > 0) {
    reward = rewardColumns.reduce((sum, k) => sum + Number(row[k]), 0);
    notes.push(`reward: sum of ${rewardColumns.join(', ')}`);
  }
  return {
    response: row.completion,
    responseField: 'completion',
    groundTruth,
    noTestsHint: 'TRL completions carry no test cases: log them as extra columns, or pass --dataset FILE to join by prompt',
    fnName,
    entryPoint,
    language,
    reward,
    passed: row.passed ?? row.acc,
    prompt: row.prompt,
    problemId,
    dataSource,
    step: row.step,
    uid: row.uid,
    notes,
  };
}

function isNumeric(v: unknown): boolean {
  return (typeof v === 'number' && Number.isFinite(v)) || typeof v === 'bigint';
}
