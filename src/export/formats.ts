/**
 * Thin adapters from the canonical Task to trainer formats: one entry per
 * format here, one file per format in ./formats/ (its record, its check,
 * its Parquet columns).
 */
import type { Task } from '../tasks/task.js';
import type { ExportFormatSpec } from './formats/types.js';
import { verl } from './formats/verl.js';
import { messages } from './formats/messages.js';
import { promptCompletion } from './formats/prompt-completion.js';
import { openrlhf } from './formats/openrlhf.js';
import { traces } from './formats/traces.js';

export const EXPORT_FORMAT_SPECS = {
  verl,
  messages,
  'prompt-completion': promptCompletion,
  openrlhf,
  traces,
} as const satisfies Record<string, ExportFormatSpec>;

export type ExportFormat = keyof typeof EXPORT_FORMAT_SPECS;
export const EXPORT_FORMATS = Object.keys(EXPORT_FORMAT_SPECS) as ExportFormat[];

export function exportTask(task: Task, format: ExportFormat, index: number): Record<string, unknown> {
  return EXPORT_FORMAT_SPECS[format].record(task, index);
}

/** Problems with a record of the given format ([] when it is valid). */
export function validateRecord(format: ExportFormat, rec: Record<string, unknown>): string[] {
  return EXPORT_FORMAT_SPECS[format].validate(rec);
}
