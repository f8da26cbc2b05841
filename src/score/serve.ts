/**
 * `score --serve`: a long-running verifier for training loops. One JSON
 * request per line on stdin, one JSON answer per line on stdout, in order:
 *
 *   request:  {"id"?: any, "response": str, "ground_truth": str|object,
 *              "reward"?: "coderl"|"strict"|"items", "compat"?: "coderl"|null}
 *             (`solution_str` is accepted for `response`, as verl names it)
 *   answer:   {"id": same, "score": number, "format_ok", "reason", "items", ...}
 *
 * A bad request gets {"id", "score": 0, "error": "..."} and the loop goes on;
 * one without a ground truth gets "score": null (no reward can be computed,
 * and a 0 would train the model against a missing label).
 */
import type { Readable, Writable } from 'node:stream';
import { readJsonl, writeJsonl } from '../jsonl.js';
import { REWARD_SCHEMES, scoreResponse, type RewardScheme, type ScoreOptions } from './score.js';

export async function serve(input: Readable, output: Writable, defaults: ScoreOptions): Promise<number> {
  let served = 0;
  for await (const line of readJsonl(input)) {
    served++;
    if (!line.ok) {
      await writeJsonl(output, { id: null, score: 0, error: `line ${line.lineNo}: ${line.error}` });
      continue;
    }
    const req = line.value as Record<string, unknown> | null;
    if (req === null || typeof req !== 'object' || Array.isArray(req)) {
      await writeJsonl(output, { id: null, score: 0, error: 'request is not a JSON object' });
      continue;
    }
    const id = req.id ?? null;
    const options = requestOptions(req, defaults);
    if (typeof options === 'string') {
      await writeJsonl(output, { id, score: 0, error: options });
      continue;
    }
    if (req.ground_truth === undefined || req.ground_truth === null) {
      await writeJsonl(output, { id, score: null, error: 'the request has no "ground_truth" field' });
      continue;
    }
    const response = req.response ?? req.solution_str;
    await writeJsonl(output, { id, ...scoreResponse(req.ground_truth, response, options) });
  }
  return served;
}

function requestOptions(req: Record<string, unknown>, defaults: ScoreOptions): ScoreOptions | string {
  const reward = req.reward ?? defaults.reward;
  if (!REWARD_SCHEMES.includes(reward as RewardScheme)) return `"reward" must be one of ${REWARD_SCHEMES.join(', ')}`;
  const compat = req.compat === undefined ? defaults.compat : req.compat;
  if (compat !== null && compat !== 'coderl') return '"compat" must be "coderl" or null';
  return { reward: reward as RewardScheme, compat };
}
