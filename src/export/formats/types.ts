/**
 * An export format: how a Task becomes one record, how such a record is
 * checked (used by tests, and by anyone validating a file), and its Parquet
 * columns. Every format is one file in this folder and one entry in
 * ../formats.ts.
 */
import type { Task } from '../../tasks/task.js';

/** A column (or nested field) of an export format's Parquet schema. */
export type Field =
  | { name: string; type: 'string' | 'int64' | 'double' | 'boolean' }
  /** Any JSON value, stored as its JSON text in a UTF8 column. */
  | { name: string; type: 'json' }
  | { name: string; type: 'struct'; fields: Field[] }
  | { name: string; type: 'list'; element: Field };

export interface ExportFormatSpec {
  /** An SFT format: the assistant turn is the task's answer, so the prompt asks for exactly that. */
  sft: boolean;
  record(task: Task, index: number): Record<string, unknown>;
  /** Problems with a record ([] when it is valid). */
  validate(rec: Record<string, unknown>): string[];
  /** Its Parquet columns, in the order `record` builds them. */
  parquet: Field[];
}

export const text = (name: string): Field => ({ name, type: 'string' });
export const json = (name: string): Field => ({ name, type: 'json' });
export const flag = (name: string): Field => ({ name, type: 'boolean' });
export const int = (name: string): Field => ({ name, type: 'int64' });
export const messages = (name: string): Field => ({ name, type: 'list', element: { name: 'element', type: 'struct', fields: [text('role'), text('content')] } });

/** A checker that collects what is wrong. */
export function checker(): { need: (ok: boolean, what: string) => void; problems: string[] } {
  const problems: string[] = [];
  return { problems, need: (ok, what) => { if (!ok) problems.push(what); } };
}

export const isMessages = (v: unknown, roles: string[]): boolean =>
  Array.isArray(v) && v.length === roles.length &&
  v.every((m, i) => m && typeof m === 'object' && (m as { role?: unknown }).role === roles[i] && typeof (m as { content?: unknown }).content === 'string' && (m as { content: string }).content.length > 0);

/** A ground truth JSON string with the keys the reference reward reads. */
export function isGroundTruth(v: unknown): boolean {
  if (typeof v !== 'string') return false;
  try {
    const gt = JSON.parse(v) as Record<string, unknown>;
    return ['input', 'expected_output', 'code', 'problem_id'].every((k) => typeof gt[k] === 'string') &&
      gt.expected_local_variable !== null && typeof gt.expected_local_variable === 'object';
  } catch {
    return false;
  }
}

export const userTurn = (task: Task) => [{ role: 'user', content: task.prompt }];
