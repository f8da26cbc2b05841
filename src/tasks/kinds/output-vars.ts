/** `output-vars`: the output and the final values of some variables (the CodeRL+ task). */
import { chooseTargets } from '../targets.js';
import type { TaskKindSpec } from './types.js';

export const outputVars: TaskKindSpec = {
  pick(ctx) {
    const targets = chooseTargets(ctx.trace, ctx.code, ctx.input, ctx.targets);
    return targets.length > 0 ? { targets } : { none: `no variable worth asking under --policy ${ctx.targets.policy} (computed, writable, stable under another hash seed)` };
  },
  question: (q) =>
    `Predict two things: ${q.output} ("final_output"), and the final value of each of these variables (when its function last returned, or at the end of the program): ${q.names} ("variables").`,
};
