/** openrlhf: `input`, `label` (the ground truth JSON string), `datasource`. */
import { checker, isGroundTruth, text, type ExportFormatSpec } from './types.js';

export const openrlhf: ExportFormatSpec = {
  sft: false,
  record: (task) => ({ input: task.prompt, label: JSON.stringify(task.ground_truth), datasource: task.data_source, id: task.id }),
  validate(rec) {
    const { need, problems } = checker();
    need(typeof rec.input === 'string' && rec.input.length > 0, 'input must be a non-empty string');
    need(isGroundTruth(rec.label), 'label must be the ground truth JSON string');
    need(typeof rec.datasource === 'string', 'datasource must be a string');
    return problems;
  },
  parquet: [text('input'), text('label'), text('datasource'), text('id')],
};
