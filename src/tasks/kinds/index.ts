/** The task kinds: one entry each (see ./types.ts). */
import type { TaskKind } from '../../model/task.js';
import type { TaskKindSpec } from './types.js';
import { outputVars } from './output-vars.js';
import { output } from './output.js';
import { lineState } from './line-state.js';

export const TASK_KIND_SPECS: Readonly<Record<TaskKind, TaskKindSpec>> = {
  'output-vars': outputVars,
  output,
  'line-state': lineState,
};

export type { TaskKindSpec, KindContext, Picked } from './types.js';
