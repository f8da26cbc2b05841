/**
 * Thin adapters from the canonical Task to trainer formats, and a schema
 * check for each (used by tests and by `build --validate`).
 *
 * - verl: the RL dataset row verl's RLHFDataset reads (`data_source`,
 *   `prompt` as chat messages, `ability`, `reward_model {style,
 *   ground_truth}`, `extra_info`); ground_truth is a JSON string.
 * - messages: chat SFT (OpenAI / LLaMA-Factory "messages"), the answer as
 *   the assistant turn.
 * - prompt-completion: TRL's conversational prompt-completion form.
 * - openrlhf: `input`, `label` (the ground truth JSON string), `datasource`.
 * - traces: the raw Trace record.
 */
import type { Task } from '../tasks/task.js';

export const EXPORT_FORMATS = ['verl', 'messages', 'prompt-completion', 'openrlhf', 'traces'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export function exportTask(task: Task, format: ExportFormat, index: number): Record<string, unknown> {
  const user = [{ role: 'user', content: task.prompt }];
  const groundTruth = JSON.stringify(task.ground_truth);
  switch (format) {
    case 'verl':
      return {
        data_source: task.data_source,
        prompt: user,
        ability: 'code-reasoning',
        reward_model: { style: 'rule', ground_truth: groundTruth },
        extra_info: { index, id: task.id, task: task.kind, language: task.language, answer: task.answer },
      };
    case 'messages':
      return { messages: [...user, { role: 'assistant', content: task.answer }], id: task.id };
    case 'prompt-completion':
      return { prompt: user, completion: [{ role: 'assistant', content: task.answer }], ground_truth: groundTruth, id: task.id };
    case 'openrlhf':
      return { input: task.prompt, label: groundTruth, datasource: task.data_source, id: task.id };
    case 'traces':
      return task.trace as unknown as Record<string, unknown>;
  }
}

/** Problems with a record of the given format ([] when it is valid). */
export function validateRecord(format: ExportFormat, rec: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const need = (ok: boolean, what: string) => { if (!ok) problems.push(what); };
  const isMessages = (v: unknown, roles: string[]) =>
    Array.isArray(v) && v.length === roles.length &&
    v.every((m, i) => m && typeof m === 'object' && (m as { role?: unknown }).role === roles[i] && typeof (m as { content?: unknown }).content === 'string' && (m as { content: string }).content.length > 0);
  const isGroundTruth = (v: unknown) => {
    if (typeof v !== 'string') return false;
    try {
      const gt = JSON.parse(v) as Record<string, unknown>;
      return ['input', 'expected_output', 'code', 'problem_id'].every((k) => typeof gt[k] === 'string') &&
        gt.expected_local_variable !== null && typeof gt.expected_local_variable === 'object';
    } catch {
      return false;
    }
  };
  switch (format) {
    case 'verl': {
      need(typeof rec.data_source === 'string', 'data_source must be a string');
      need(isMessages(rec.prompt, ['user']), 'prompt must be [{role:"user", content}]');
      need(typeof rec.ability === 'string', 'ability must be a string');
      const rm = rec.reward_model as Record<string, unknown> | undefined;
      need(!!rm && rm.style === 'rule' && isGroundTruth(rm.ground_truth), 'reward_model must be {style:"rule", ground_truth: JSON string with the reference keys}');
      need(!!rec.extra_info && typeof rec.extra_info === 'object', 'extra_info must be an object');
      break;
    }
    case 'messages':
      need(isMessages(rec.messages, ['user', 'assistant']), 'messages must be [user, assistant] turns with text');
      break;
    case 'prompt-completion':
      need(isMessages(rec.prompt, ['user']), 'prompt must be [{role:"user", content}]');
      need(isMessages(rec.completion, ['assistant']), 'completion must be [{role:"assistant", content}]');
      break;
    case 'openrlhf':
      need(typeof rec.input === 'string' && rec.input.length > 0, 'input must be a non-empty string');
      need(isGroundTruth(rec.label), 'label must be the ground truth JSON string');
      need(typeof rec.datasource === 'string', 'datasource must be a string');
      break;
    case 'traces':
      need(typeof rec.format === 'string' && Array.isArray(rec.events) && typeof rec.status === 'string', 'not a Trace record');
      break;
  }
  return problems;
}
