/** `output`: predict the output only (CRUXEval-O style). */
import type { TaskKindSpec } from './types.js';

export const output: TaskKindSpec = {
  pick: () => ({ targets: [] }),
  question: (q) => `Predict ${q.output}.`,
};
