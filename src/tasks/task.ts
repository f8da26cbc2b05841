/**
 * One canonical task record, built from a rollout, one of its tests and the
 * trace of that test. Exporters (src/export) turn it into trainer formats.
 */
import type { Rollout, TestCase } from '../read/types.js';
import type { Trace, Value, Variables } from '../model/trace.js';
import { GROUND_TRUTH_FORMAT, toReferenceJson, type GroundTruth, type TaskKind } from '../model/task.js';
import { chooseTargets, isTargetable, type Target, type TargetPolicy } from './targets.js';
import { inputText, renderAnswer, renderPrompt, type PromptParts } from './render.js';
import { Random } from './random.js';

export interface Task {
  id: string;
  kind: TaskKind;
  language: Trace['language'];
  data_source: string;
  prompt: string;
  /** The ideal final answer line (the assistant turn for SFT formats). */
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
  provenance: Record<string, unknown>;
}

export type TaskResult = { ok: true; task: Task } | { ok: false; reason: string; detail: string };

/**
 * Lines a line-state task may ask about: one simple statement that runs to
 * completion. Each run of such a line is exactly one event, so "the k-th
 * time it ran" means the same to the model and to the trace. Headers
 * (`if`, `while`, `for`, ...) are recorded only when their body is entered,
 * lines leaving the block have no "after", and `a = 1; b = 2` is two events.
 */
const UNASKABLE_LINE = /^\s*(return|raise|break|continue|throw|if|elif|else|while|for|try|except|finally|with|def|class|match|case|async|function|switch|do|import|from|export|yield|await|@|\}|\{)\b|^\s*(\}|\{|@)/;

function isAskableLine(text: string): boolean {
  if (text.trim() === '' || UNASKABLE_LINE.test(text)) return false;
  // One statement: no `;` left once strings, a trailing comment and a final `;` are gone.
  const code = text.replace(/(["'`])(?:\\.|(?!\1).)*\1/g, '""').replace(/(#|\/\/).*$/, '').trimEnd().replace(/;$/, '');
  if (code.includes(';') || code.endsWith('\\')) return false;
  // Whole on this line: a statement continued on the next lines is not asked.
  let depth = 0;
  for (const ch of code) depth += '([{'.includes(ch) ? 1 : ')]}'.includes(ch) ? -1 : 0;
  return depth === 0;
}

export function makeTask(rollout: Rollout, test: TestCase, trace: Trace, options: TaskOptions): TaskResult {
  const random = new Random(`${options.seed}\0${rollout.key}\0${test.index}`);
  const output = expectedOutput(trace, test);
  const base = { language: rollout.language, code: rollout.code, input: test.input, kind: options.kind };
  let parts: PromptParts;
  if (options.kind === 'line-state') {
    const picked = pickLineState(trace, rollout.code, options, random);
    if (!picked) return { ok: false, reason: 'no-targets', detail: 'no line event with writable variables' };
    parts = { ...base, ...picked };
  } else {
    const targets = options.kind === 'output' ? [] : chooseTargets(trace, options.policy, options.targets, random);
    if (options.kind === 'output-vars' && targets.length === 0) {
      return { ok: false, reason: 'no-targets', detail: 'no variable with a writable final value' };
    }
    parts = { ...base, targets };
  }
  const printed = output.kind === 'stdout' ? output.text : output.value.repr;
  const groundTruth: GroundTruth = {
    input: inputText(test.input, rollout.language, rollout.code),
    expected_output: output.kind === 'stdout' ? output.text.trim() : output.value.repr,
    expected_local_variable: Object.fromEntries(parts.targets.map((t) => [t.key, toReferenceJson(t.value.json)])),
    code: rollout.code,
    problem_id: rollout.problem_id ?? rollout.key,
    format: GROUND_TRUTH_FORMAT,
    task: options.kind,
    language: rollout.language,
    output: options.kind === 'line-state' ? null : output,
    variables: Object.fromEntries(parts.targets.map((t) => [t.key, t.value])),
    ...(parts.line !== undefined ? { line: parts.line, hit: parts.hit } : {}),
    provenance: {
      ...options.provenance,
      rollout: rollout.key,
      source: rollout.source,
      step: rollout.step,
      uid: rollout.uid,
      test_index: test.index,
      scopes: Object.fromEntries(parts.targets.map((t) => [t.key, t.scope])),
      ...trace.provenance,
    },
  };
  return {
    ok: true,
    task: {
      id: `${rollout.key}#${test.index}`,
      kind: options.kind,
      language: rollout.language,
      data_source: `coderl-trace/${options.kind}`,
      prompt: renderPrompt(parts, options.template),
      answer: renderAnswer(parts, printed),
      ground_truth: groundTruth,
      trace,
    },
  };
}

function expectedOutput(trace: Trace, test: TestCase): GroundTruth['output'] & object {
  if (test.input.kind === 'stdin' || trace.return === null) return { kind: 'stdout', text: trace.stdout };
  return { kind: 'return', value: trace.return };
}

/**
 * Pick an executed line and which run of it to ask about, and the state of
 * its frame right after. Lines that leave the block (return, break, ...)
 * are skipped: "after" them is not a point in that frame.
 */
function pickLineState(trace: Trace, code: string, options: TaskOptions, random: Random): Omit<PromptParts, 'language' | 'code' | 'input' | 'kind'> | null {
  const lines = code.split('\n');
  const hits = new Map<number, number>();
  const states = new Map<number, Variables>();
  const candidates: { line: number; scope: string; hit: number; state: Variables; changed: string[] }[] = [];
  for (const event of trace.events) {
    const hit = (hits.get(event.line) ?? 0) + 1;
    hits.set(event.line, hit);
    const state = { ...(states.get(event.frame) ?? {}), ...event.vars };
    states.set(event.frame, state);
    if (!isAskableLine(lines[event.line - 1] ?? '')) continue;
    const changed = Object.keys(event.vars).filter((name) => isTargetable(state[name], trace.language));
    if (changed.length > 0) candidates.push({ line: event.line, scope: event.scope, hit, state, changed });
  }
  if (candidates.length === 0) return null;
  const pick = candidates[random.int(candidates.length)];
  // The changed variables first, then others in the frame, up to K.
  const names = [...pick.changed, ...Object.keys(pick.state).filter((n) => !pick.changed.includes(n) && isTargetable(pick.state[n], trace.language))];
  const targets: Target[] = names.slice(0, options.targets).map((name) => ({ key: name, scope: pick.scope, name, value: pick.state[name] as Value }));
  return { targets, line: pick.line, hit: pick.hit };
}
