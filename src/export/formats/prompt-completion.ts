/** prompt-completion: TRL's conversational prompt-completion form. */
import { checker, isMessages, messages, text, userTurn, type ExportFormatSpec } from './types.js';

export const promptCompletion: ExportFormatSpec = {
  sft: true,
  record: (task) => ({
    prompt: userTurn(task),
    completion: [{ role: 'assistant', content: task.answer }],
    ground_truth: JSON.stringify(task.ground_truth),
    id: task.id,
  }),
  validate(rec) {
    const { need, problems } = checker();
    need(isMessages(rec.prompt, ['user']), 'prompt must be [{role:"user", content}]');
    need(isMessages(rec.completion, ['assistant']), 'completion must be [{role:"assistant", content}]');
    return problems;
  },
  parquet: [messages('prompt'), messages('completion'), text('ground_truth'), text('id')],
};
