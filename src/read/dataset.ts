/**
 * The training dataset, indexed by prompt, for joining TRL completions back
 * to their test cases. TRL logs the prompt after the chat template, while
 * the dataset holds the raw prompt (a string or chat messages), so a row
 * matches when its prompt text equals the logged prompt or is contained in
 * it; the longest such prompt wins. Lookups are cached per logged prompt
 * (GRPO logs each prompt once per generation). The dataset is held in
 * memory: it is the training set, not the rollouts.
 */
import { firstPath } from './fields.js';
import { openInput, readJsonl } from '../jsonl.js';
import { promptText } from './rollout.js';
import type { ReadWarning } from './types.js';

export interface DatasetMatch {
  line: number;
  groundTruth: unknown;
  fnName: unknown;
  entryPoint: unknown;
  language: unknown;
  problemId: unknown;
  dataSource: unknown;
}

export interface DatasetIndex {
  path: string;
  lookup(prompt: unknown): DatasetMatch | null;
}

export async function loadDataset(path: string, warn: (w: ReadWarning) => void): Promise<DatasetIndex> {
  const byPrompt = new Map<string, DatasetMatch>();
  let skipped = 0;
  for await (const line of readJsonl(openInput(path))) {
    if (!line.ok || line.value === null || typeof line.value !== 'object') {
      skipped++;
      continue;
    }
    const rec = line.value as Record<string, unknown>;
    const text = promptText(rec.prompt ?? rec.question ?? rec.problem);
    if (text === null) {
      skipped++;
      continue;
    }
    const key = text.trim();
    if (byPrompt.has(key)) {
      warn({ file: path, code: 'dataset-duplicate-prompt', message: `line ${line.lineNo} repeats the prompt of line ${byPrompt.get(key)!.line}; the first is used` });
      continue;
    }
    const info = (rec.extra_info ?? {}) as Record<string, unknown>;
    byPrompt.set(key, {
      line: line.lineNo,
      groundTruth: firstPath(rec, ['reward_model.ground_truth', 'ground_truth', 'input_output', 'test_cases', 'tests', 'test', 'test_list'])?.value,
      fnName: rec.fn_name ?? info.fn_name,
      entryPoint: rec.entry_point ?? info.entry_point,
      language: rec.language ?? info.language,
      problemId: rec.problem_id ?? info.problem_id ?? info.index ?? rec.id,
      dataSource: rec.data_source,
    });
  }
  if (skipped > 0) warn({ file: path, code: 'dataset-rows-skipped', message: `${skipped} dataset rows have no usable prompt and cannot be joined` });
  const keys = [...byPrompt.keys()].sort((a, b) => b.length - a.length);
  const cache = new Map<string, DatasetMatch | null>();
  return {
    path,
    lookup(prompt: unknown): DatasetMatch | null {
      const text = promptText(prompt)?.trim();
      if (!text) return null;
      const exact = byPrompt.get(text);
      if (exact) return exact;
      if (!cache.has(text)) {
        const key = keys.find((k) => text.includes(k));
        cache.set(text, key === undefined ? null : byPrompt.get(key)!);
      }
      return cache.get(text)!;
    },
  };
}
