/**
 * A task kind: which targets it asks about and how it says so. Every kind
 * is one file in this folder and one entry in ./index.ts; what it asks
 * (output, variables) is in TASK_KIND_RULES (src/model/task.ts), which the
 * renderer and the scorer read.
 */
import type { Trace } from '../../model/trace.js';
import type { RunInput } from '../../model/run.js';
import type { Target, TargetRequest } from '../targets.js';

export interface KindContext {
  trace: Trace;
  code: string;
  input: RunInput;
  targets: TargetRequest;
}

/** The targets of one task; `line`/`hit` for a line-state task. */
export interface Picked {
  targets: Target[];
  line?: number;
  hit?: number;
}

export interface QuestionParts {
  /** "everything the program prints ..." or "the value the call returns". */
  output: string;
  /** The targets, as the prompt names them. */
  names: string;
  line?: number;
  hit?: number;
}

export interface TaskKindSpec {
  /** The targets, or a reason there is none worth asking. */
  pick(ctx: KindContext): Picked | { none: string };
  /** What to predict, in words. */
  question(q: QuestionParts): string;
}
