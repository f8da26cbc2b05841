/** messages: chat SFT (OpenAI / LLaMA-Factory "messages"), the task's answer as the assistant turn. */
import { checker, isMessages, messages as messageList, text, userTurn, type ExportFormatSpec } from './types.js';

export const messages: ExportFormatSpec = {
  sft: true,
  record: (task) => ({ messages: [...userTurn(task), { role: 'assistant', content: task.answer }], id: task.id }),
  validate(rec) {
    const { need, problems } = checker();
    need(isMessages(rec.messages, ['user', 'assistant']), 'messages must be [user, assistant] turns with text');
    return problems;
  },
  parquet: [messageList('messages'), text('id')],
};
