/** traces: the raw Trace record of each task. */
import { checker, flag, int, json, text, type ExportFormatSpec } from './types.js';

export const traces: ExportFormatSpec = {
  sft: false,
  record: (task) => task.trace as unknown as Record<string, unknown>,
  validate(rec) {
    const { need, problems } = checker();
    need(typeof rec.format === 'string' && Array.isArray(rec.events) && typeof rec.status === 'string', 'not a Trace record');
    return problems;
  },
  parquet: [
    text('id'), text('format'), text('language'), text('status'), text('detail'), text('stdout'), text('stderr'),
    { name: 'truncated', type: 'struct', fields: [flag('stdout'), flag('stderr')] },
    int('exit_code'), text('signal'), { name: 'duration_ms', type: 'double' },
    json('events'), json('finals'), json('return'),
    { name: 'exception', type: 'struct', fields: [text('type'), text('message'), int('line')] },
    { name: 'limits', type: 'struct', fields: [flag('events'), flag('stdout'), flag('stderr'), flag('time'), flag('value_size')] },
    { name: 'warnings', type: 'list', element: text('element') },
    text('untraced_reason'),
    json('provenance'),
  ],
};
