/**
 * verl: the RL dataset row verl's RLHFDataset reads (`data_source`, `prompt`
 * as chat messages, `ability`, `reward_model {style, ground_truth}`,
 * `extra_info`); ground_truth is a JSON string.
 */
import { checker, int, isGroundTruth, isMessages, messages, text, userTurn, type ExportFormatSpec } from './types.js';

export const verl: ExportFormatSpec = {
  sft: false,
  record: (task, index) => ({
    data_source: task.data_source,
    prompt: userTurn(task),
    ability: 'code-reasoning',
    reward_model: { style: 'rule', ground_truth: JSON.stringify(task.ground_truth) },
    extra_info: { index, id: task.id, task: task.kind, language: task.language, answer: task.answer },
  }),
  validate(rec) {
    const { need, problems } = checker();
    need(typeof rec.data_source === 'string', 'data_source must be a string');
    need(isMessages(rec.prompt, ['user']), 'prompt must be [{role:"user", content}]');
    need(typeof rec.ability === 'string', 'ability must be a string');
    const rm = rec.reward_model as Record<string, unknown> | undefined;
    need(!!rm && rm.style === 'rule' && isGroundTruth(rm.ground_truth), 'reward_model must be {style:"rule", ground_truth: JSON string with the reference keys}');
    need(!!rec.extra_info && typeof rec.extra_info === 'object', 'extra_info must be an object');
    return problems;
  },
  parquet: [
    text('data_source'),
    messages('prompt'),
    text('ability'),
    { name: 'reward_model', type: 'struct', fields: [text('style'), text('ground_truth')] },
    { name: 'extra_info', type: 'struct', fields: [int('index'), text('id'), text('task'), text('language'), text('answer')] },
  ],
};
