/**
 * One canonical task record, built from a rollout, one of its tests and the
 * trace of that test. Exporters (src/export) turn it into trainer formats.
 * What differs between kinds lives in ./kinds/; this file is the same for all.
 */
import type { Rollout, TestCase } from '../read/types.js';
import type { Trace } from '../model/trace.js';
import { GROUND_TRUTH_FORMAT, TASK_KIND_RULES, toReferenceJson, type GroundTruth, type TaskKind } from '../model/task.js';
import type { TargetPolicy } from './targets.js';
import { inputText, renderAnswer, renderPrompt, type PromptParts, type ReplyStyle } from './render.js';
import { TASK_KIND_SPECS } from './kinds/index.js';
import { traceRationale } from './rationale.js';
import { referencePrompt, referenceTargets } from './compat.js';
import { Random } from './random.js';
import { tryParseLiteral } from '../values/parse.js';
import { fromTaggedJson } from '../values/typed.js';
import { mismatch } from '../values/compare.js';

export interface Task {
  id: string;
  kind: TaskKind;
  language: Trace['language'];
  data_source: string;
  prompt: string;
  /** The ideal reply: the answer line, after a rationale with --rationale trace (the assistant turn of SFT formats). */
  answer: string;
  ground_truth: GroundTruth;
  trace: Trace;
}

export interface TaskOptions {
  kind: TaskKind;
  policy: TargetPolicy;
  targets: number;
  seed: string;
  template?: string;
  /** What the reply holds (see ReplyStyle); `rationale` also writes one from the trace. */
  reply: ReplyStyle;
  /** With no target worth asking: make an `output` task instead, or reject (`no-targets`). */
  ifNoTargets: 'output' | 'reject';
  /** `scope\0name` of variables whose value changed under another hash seed. */
  unstable?: ReadonlySet<string>;
  /** `coderl`: the reference recipe's targets and prompt (./compat.ts). */
  compat?: 'coderl' | null;
  provenance: Record<string, unknown>;
}

export type TaskResult = { ok: true; task: Task } | { ok: false; reason: string; detail: string };

export function makeTask(rollout: Rollout, test: TestCase, trace: Trace, options: TaskOptions): TaskResult {
  const random = new Random(`${options.seed}\0${rollout.key}\0${test.index}`);
  const output = expectedOutput(trace, test);
  if (output.kind === 'return' && !readableReturn(output.value, rollout.language)) {
    return { ok: false, reason: 'unanswerable-output', detail: `the returned value ${output.value.repr.slice(0, 80)} cannot be written as a literal that score reads back exactly` };
  }
  let kind: TaskKind = options.compat === 'coderl' ? 'output-vars' : options.kind;
  const request = { policy: options.policy, k: options.targets, random, unstable: options.unstable };
  let picked = options.compat === 'coderl'
    ? { targets: referenceTargets(trace, options.unstable) }
    : TASK_KIND_SPECS[kind].pick({ trace, code: rollout.code, input: test.input, targets: request });
  if ('none' in picked) {
    if (options.ifNoTargets === 'reject') return { ok: false, reason: 'no-targets', detail: picked.none };
    kind = 'output';
    picked = { targets: [] };
  }
  const parts: PromptParts = {
    language: rollout.language, code: rollout.code, input: test.input, kind, ...picked,
    output: output.kind, reply: options.reply,
  };
  const printed = output.kind === 'stdout' ? output.text : output.value.repr;
  const groundTruth: GroundTruth = {
    input: inputText(test.input, rollout.language, rollout.code),
    expected_output: output.kind === 'stdout' ? output.text.trim() : output.value.repr,
    expected_local_variable: Object.fromEntries(parts.targets.map((t) => [t.key, toReferenceJson(t.value.json)])),
    code: rollout.code,
    problem_id: rollout.problem_id ?? rollout.key,
    format: GROUND_TRUTH_FORMAT,
    task: kind,
    language: rollout.language,
    output: TASK_KIND_RULES[kind].output ? output : null,
    variables: Object.fromEntries(parts.targets.map((t) => [t.key, t.value])),
    ...(parts.line !== undefined ? { line: parts.line, hit: parts.hit } : {}),
    provenance: {
      ...options.provenance,
      rollout: rollout.key,
      source: rollout.source,
      step: rollout.step,
      uid: rollout.uid,
      test_index: test.index,
      input_kind: test.input.kind,
      scopes: Object.fromEntries(parts.targets.map((t) => [t.key, t.scope])),
      ...(kind !== options.kind ? { fallback: `${options.kind} -> ${kind}: no variable worth asking` } : {}),
      ...trace.provenance,
    },
  };
  const answer = renderAnswer(parts, TASK_KIND_RULES[kind].output ? printed : null);
  const rationale = options.reply === 'rationale'
    ? traceRationale(trace, { targets: parts.targets, line: parts.line, hit: parts.hit, output: !TASK_KIND_RULES[kind].output ? null : output.kind === 'stdout' ? output : { kind: 'return', repr: output.value.repr } })
    : null;
  return {
    ok: true,
    task: {
      id: `${rollout.key}#${test.index}`,
      kind,
      language: rollout.language,
      data_source: `coderl-trace/${kind}`,
      prompt: options.compat === 'coderl' ? referencePrompt(rollout.code, test.input, rollout.language, parts.targets) : renderPrompt(parts, options.template),
      answer: rationale ? `${rationale}\n${answer}` : answer,
      ground_truth: groundTruth,
      trace,
    },
  };
}

function expectedOutput(trace: Trace, test: TestCase): GroundTruth['output'] & object {
  if (test.input.kind === 'stdin' || trace.return === null) return { kind: 'stdout', text: trace.stdout };
  return { kind: 'return', value: trace.return };
}

/** A returned value is asked as its repr: it must read back as exactly the recorded value (no complex, no caps). */
function readableReturn(value: Trace['return'] & object, language: Trace['language']): boolean {
  const expected = fromTaggedJson(value.json);
  const parsed = tryParseLiteral(value.repr, language);
  return parsed.ok && !containsOpaque(expected) && mismatch(expected, parsed.value, language) === null;
}

function containsOpaque(v: ReturnType<typeof fromTaggedJson>): boolean {
  switch (v.t) {
    case 'other': return true;
    case 'list': case 'tuple': case 'set': return v.items.some(containsOpaque);
    case 'dict': case 'map': return v.entries.some(([k, x]) => containsOpaque(k) || containsOpaque(x));
    default: return false;
  }
}
