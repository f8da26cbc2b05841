/**
 * Score one record: pick the ground truth and the response out of it, grade,
 * apply the reward scheme. Never throws on bad data: a record that cannot be
 * scored gets score 0 and a reason.
 *
 * Reward schemes (items = the output, if asked, plus each target variable):
 * - `coderl`: 0.1 for a well-formed answer + 0.9 x (correct items / items)
 *   (the CodeRL+ reference formula);
 * - `strict`: 1 when the answer is well-formed and every item is right, else 0;
 * - `items`: correct items / items (0 when the answer is not well-formed).
 */
import { grade, type Graded, type ItemResult } from './grade.js';
import { referenceGrade } from './reference.js';
import { readTruth } from './truth.js';
import { TASK_KIND_RULES, type TaskKind } from '../model/task.js';

export type RewardScheme = 'coderl' | 'strict' | 'items';
export const REWARD_SCHEMES: readonly RewardScheme[] = ['coderl', 'strict', 'items'];
export type Compat = 'coderl' | null;

export interface ScoreOptions {
  reward: RewardScheme;
  compat: Compat;
  /** Field holding the response; default: response, output, completion. */
  responseField?: string;
}

export interface ScoreResult {
  score: number;
  format_ok: boolean;
  /** Why the score is 0 because of the record or the answer format; null otherwise. */
  reason: string | null;
  task: TaskKind | null;
  answer_path: string | null;
  correct: number;
  total: number;
  items: ItemResult[];
  /**
   * Whose rules gave the score: `coderl-trace`, or `coderl` (--compat coderl).
   * Under --compat coderl a kind the reference has no rule for (line-state,
   * output) is scored by coderl-trace's rules, and `note` says so.
   */
  rules: 'coderl-trace' | 'coderl';
  note?: string;
}

export function reward(g: Graded, scheme: RewardScheme): number {
  if (!g.formatOk) return 0;
  const correct = g.items.filter((i) => i.ok).length;
  const total = g.items.length;
  const accuracy = total === 0 ? 1 : correct / total;
  if (scheme === 'strict') return correct === total ? 1 : 0;
  if (scheme === 'items') return accuracy;
  return 0.1 + accuracy * 0.9; // same float operations as the reference
}

/** Grade a response against a ground truth (a JSON string or an object). */
export function scoreResponse(groundTruth: unknown, response: unknown, options: ScoreOptions): ScoreResult {
  const truth = readTruth(groundTruth);
  const task = truth.ok ? truth.truth.task : null;
  const text = responseText(response);
  if (text === null) return failed(`response is ${describeType(response)}, not text`, task);
  let graded: Graded;
  // A kind the reference reward has no rule for is scored by ours, not failed for its format.
  const reference = options.compat === 'coderl' && (!truth.ok || TASK_KIND_RULES[truth.truth.task].reference);
  if (reference) {
    graded = referenceGrade(groundTruth, text);
  } else {
    if (!truth.ok) return failed(truth.reason, null);
    graded = grade(truth.truth, text);
  }
  return {
    rules: reference ? 'coderl' : 'coderl-trace',
    ...(options.compat === 'coderl' && !reference ? { note: `the CodeRL+ reference reward has no rule for ${task} tasks: scored by coderl-trace's rules` } : {}),
    score: reward(graded, options.reward),
    format_ok: graded.formatOk,
    reason: graded.reason,
    task,
    answer_path: graded.answerPath,
    correct: graded.items.filter((i) => i.ok).length,
    total: graded.items.length,
    items: graded.items,
  };
}

/** Score one input record (a task record with a response, or a verl dump line). */
export function scoreRecord(record: unknown, options: ScoreOptions): ScoreResult {
  if (record === null || typeof record !== 'object' || Array.isArray(record)) return failed('record is not a JSON object', null);
  const rec = record as Record<string, unknown>;
  const response = options.responseField !== undefined
    ? getPath(rec, options.responseField)
    : rec.response ?? rec.output ?? rec.completion;
  if (response === undefined) {
    return failed(`no response field (${options.responseField ?? 'response, output or completion'})`, null);
  }
  return scoreResponse(groundTruthOf(rec), response, options);
}

export function groundTruthOf(rec: Record<string, unknown>): unknown {
  const rm = rec.reward_model as Record<string, unknown> | undefined;
  if (rm && typeof rm === 'object' && rm.ground_truth !== undefined) return rm.ground_truth;
  return rec.gts ?? rec.ground_truth;
}

/** A record's ground truth (or OpenRLHF `label`) as an object, decoded when it is JSON text; else null. */
export function parsedGroundTruth(rec: Record<string, unknown>): Record<string, unknown> | null {
  let raw = groundTruthOf(rec) ?? rec.label;
  if (typeof raw === 'string') {
    try {
      raw = JSON.parse(raw);
    } catch {
      return null;
    }
  }
  return raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>) : null;
}

/** A string, or a chat completion (list of messages / one message): the last message's content. */
function responseText(response: unknown): string | null {
  if (typeof response === 'string') return response;
  if (Array.isArray(response) && response.length > 0) return responseText(response[response.length - 1]);
  if (response && typeof response === 'object' && typeof (response as { content?: unknown }).content === 'string') {
    return (response as { content: string }).content;
  }
  return null;
}

function getPath(rec: Record<string, unknown>, path: string): unknown {
  let cur: unknown = rec;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

function failed(reason: string, task: TaskKind | null): ScoreResult {
  return { score: 0, format_ok: false, reason, task, answer_path: null, correct: 0, total: 0, items: [], rules: 'coderl-trace' };
}

function describeType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an empty list';
  return `a ${typeof v}`;
}
