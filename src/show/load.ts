/**
 * Turn one record of a JSONL file into what `show` displays:
 * - a Trace record (`format: coderl-trace.trace/1`): shown as it is; its
 *   program comes from the record's `code` if any, else from --code;
 * - a task (verl, prompt-completion, openrlhf: a ground truth holding
 *   `code` and `input`): its program is traced again on its input, and
 *   its targets and expected values are marked;
 * - a run (`{"language","code",...}` as `trace` reads): traced.
 */
import { TRACE_FORMAT, type Trace, type Value } from '../model/trace.js';
import { parseRunRecord, type Run } from '../model/run.js';
import type { GroundTruth } from '../model/task.js';
import { parsedGroundTruth } from '../score/score.js';
import { InputError } from '../errors.js';
import type { Subject, TaskMarks } from './subject.js';

export type TraceRun = (run: Run) => Promise<Trace>;

export async function subjectOf(rec: Record<string, unknown>, fallbackId: string, trace: TraceRun, code: string | null): Promise<Subject> {
  if (rec.format === TRACE_FORMAT && Array.isArray(rec.events)) {
    const t = rec as unknown as Trace;
    return { title: t.id, trace: t, code: typeof rec.code === 'string' ? rec.code : code, input: null };
  }
  const gt = groundTruth(rec);
  if (gt !== null) {
    const run = runOfTask(gt, idOf(rec) ?? fallbackId);
    return { title: run.id, trace: await trace(run), code: gt.code, input: gt.input, task: marksOf(gt) };
  }
  if (typeof rec.code === 'string' && typeof rec.language === 'string') {
    const run = parseRunRecord(rec, fallbackId);
    const input = run.input.kind === 'stdin' ? run.input.stdin : run.input.kind === 'call' ? run.input.call : `${run.input.fn_name}(${JSON.stringify(run.input.args).slice(1, -1)})`;
    return { title: run.id, trace: await trace(run), code: run.code, input };
  }
  const keys = Object.keys(rec).slice(0, 12).join(', ');
  throw new InputError(`${fallbackId}: not a trace, a task with its ground truth, or a run (keys: ${keys || 'none'})`);
}

/** The record's id: a task's extra_info.id, else its id. */
export function idOf(rec: Record<string, unknown>): string | null {
  const info = rec.extra_info as Record<string, unknown> | undefined;
  const id = info?.id ?? rec.id;
  return typeof id === 'string' || typeof id === 'number' ? String(id) : null;
}

function groundTruth(rec: Record<string, unknown>): GroundTruth | null {
  const gt = parsedGroundTruth(rec) as Partial<GroundTruth> | null;
  if (!gt || typeof gt.code !== 'string' || typeof gt.input !== 'string') return null;
  if (gt.language !== 'python' && gt.language !== 'javascript') return null;
  return gt as GroundTruth;
}

/** A call expression (`f(1)`, `Solution().f(1)`, `new Solution().f(1)`) rather than stdin text. */
const CALL = /^(new\s+)?[A-Za-z_$][\w$]*(\(\))?(\.[A-Za-z_$][\w$]*)*\([\s\S]*\)\s*$/;

function runOfTask(gt: GroundTruth, id: string): Run {
  const isCall = gt.output ? gt.output.kind === 'return' : CALL.test(gt.input);
  return { id, language: gt.language, code: gt.code, input: isCall ? { kind: 'call', call: gt.input } : { kind: 'stdin', stdin: gt.input } };
}

function marksOf(gt: GroundTruth): TaskMarks {
  const scopes = (gt.provenance?.scopes ?? {}) as Record<string, string>;
  const targets = Object.entries(gt.variables ?? {}).map(([key, value]: [string, Value]) => {
    const scope = typeof scopes[key] === 'string' ? scopes[key] : null;
    // A qualified key is `scope.name`: the name is what the frame calls it.
    const name = scope !== null && key.startsWith(`${scope}.`) ? key.slice(scope.length + 1) : key;
    return { key, scope, name, repr: value.repr };
  });
  const expectedOutput = gt.output === null ? null : gt.output.kind === 'stdout' ? gt.output.text : gt.output.value.repr;
  return { kind: gt.task, targets, line: gt.line, hit: gt.hit, expectedOutput };
}
