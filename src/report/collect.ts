/**
 * Read what `build` and `trace` wrote (tasks in any export format, Trace
 * records, rejects, a --stats JSON) and count what a person wants to know
 * before training on it. Each record is classified on its own, so one
 * file may mix kinds; --stats files of several shards add up.
 */
import { readFileSync, statSync } from 'node:fs';
import { openInput, readJsonl } from '../jsonl.js';
import { InputError } from '../errors.js';
import { TRACE_FORMAT, type Trace } from '../model/trace.js';
import type { GroundTruth } from '../model/task.js';
import { parsedGroundTruth } from '../score/score.js';
import type { TokenCounter } from '../build/tokens.js';
import { Counter, distribution, type Distribution } from './distribution.js';

export interface Report {
  inputs: { file: string; kind: string; records: number }[];
  funnel: FunnelTotals | null;
  rejects: { total: number; by_reason: Record<string, number>; by_stage: Record<string, number> } | null;
  tasks: {
    total: number;
    by_kind: Record<string, number>;
    by_language: Record<string, number>;
    by_data_source: Record<string, number>;
    targets_per_task: Record<string, number>;
    target_types: Record<string, number>;
    prompt_tokens: Distribution | null;
    answer_tokens: Distribution | null;
    tokens: string;
  } | null;
  traces: {
    total: number;
    by_status: Record<string, number>;
    by_language: Record<string, number>;
    events_per_trace: Distribution | null;
    lines_per_trace: Distribution | null;
    limits_hit: Record<string, number>;
    warnings: Record<string, number>;
  } | null;
  /** Error records of `trace` (input lines that were not valid runs). */
  error_records: number;
  /** Lines that were not JSON objects of a known kind. */
  unrecognised: number;
}

export interface FunnelTotals {
  files: number;
  records: number;
  with_tasks: number;
  rejected: number;
  shard_skipped: number;
  tasks: number;
  rejected_by_reason: Record<string, number>;
  runs_by_status: Record<string, number>;
  /** Files marked interrupted (a build stopped by a signal). */
  interrupted: number;
}

export async function collect(files: string[], countTokens: TokenCounter, tokens: string): Promise<Report> {
  const c = new Collector(countTokens);
  for (const file of files) {
    const funnel = file === '-' ? null : readFunnelFile(file);
    if (funnel) {
      c.addFunnel(funnel);
      c.inputs.push({ file, kind: 'stats', records: 1 });
      continue;
    }
    const kinds = new Counter();
    let records = 0;
    for await (const line of readJsonl(openChecked(file), undefined, file === '-' ? 'standard input' : file)) {
      records++;
      kinds.add(line.ok ? c.add(line.value) : 'unrecognised');
    }
    c.inputs.push({ file, kind: Object.keys(kinds.toJSON()).join('+') || 'empty', records });
  }
  return c.report(tokens);
}

function openChecked(file: string) {
  if (file === '-') return openInput(file);
  const st = statSync(file, { throwIfNoEntry: false });
  if (!st) throw new InputError(`no such file: ${file}`);
  if (st.isDirectory()) throw new InputError(`${file} is a directory, not a file`);
  return openInput(file);
}

/** A build's --stats JSON (one pretty-printed object), or null if the file is something else. */
function readFunnelFile(file: string): Record<string, unknown> | null {
  const st = statSync(file, { throwIfNoEntry: false });
  if (!st || !st.isFile() || st.size > 16 * 1024 * 1024) return null;
  try {
    const value = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    return isFunnel(value) ? value : null;
  } catch {
    return null;
  }
}

function isFunnel(v: unknown): boolean {
  return isObject(v) && typeof v.records === 'number' && isObject(v.rejected_by_reason);
}

class Collector {
  readonly inputs: Report['inputs'] = [];
  private funnel: FunnelTotals | null = null;
  private rejects = { total: 0, byReason: new Counter(), byStage: new Counter() };
  private tasks = {
    total: 0, kind: new Counter(), language: new Counter(), source: new Counter(), targets: new Counter(), types: new Counter(),
    prompt: [] as number[], answer: [] as number[],
  };
  private traces = {
    total: 0, status: new Counter(), language: new Counter(), events: [] as number[], lines: [] as number[], limits: new Counter(), warnings: new Counter(),
  };
  private unrecognised = 0;
  private errors = 0;

  constructor(private readonly countTokens: TokenCounter) {}

  /** Count one record; returns its kind. */
  add(value: unknown): string {
    if (!isObject(value)) return this.unknown();
    if (isFunnel(value)) {
      this.addFunnel(value);
      return 'stats';
    }
    if (value.format === TRACE_FORMAT && Array.isArray(value.events)) {
      this.addTrace(value as unknown as Trace);
      return 'traces';
    }
    if (typeof value.reason === 'string' && typeof value.stage === 'string') {
      this.rejects.total++;
      this.rejects.byReason.add(`${value.stage}/${value.reason}`);
      this.rejects.byStage.add(value.stage);
      return 'rejects';
    }
    if (typeof value.error === 'string' && value.format === undefined) {
      this.errors++;
      return 'errors';
    }
    const prompt = promptOf(value);
    if (prompt !== null) {
      this.addTask(value, prompt);
      return 'tasks';
    }
    return this.unknown();
  }

  private unknown(): string {
    this.unrecognised++;
    return 'unrecognised';
  }

  addFunnel(f: Record<string, unknown>): void {
    const t = (this.funnel ??= { files: 0, records: 0, with_tasks: 0, rejected: 0, shard_skipped: 0, tasks: 0, rejected_by_reason: {}, runs_by_status: {}, interrupted: 0 });
    t.files++;
    for (const k of ['records', 'with_tasks', 'rejected', 'shard_skipped', 'tasks'] as const) t[k] += num(f[k]);
    addInto(t.rejected_by_reason, f.rejected_by_reason);
    addInto(t.runs_by_status, f.runs_by_status);
    if (f.interrupted) t.interrupted++;
  }

  private addTrace(trace: Trace): void {
    const t = this.traces;
    t.total++;
    t.status.add(String(trace.status));
    t.language.add(String(trace.language));
    t.events.push(trace.events.length);
    t.lines.push(new Set(trace.events.map((e) => e.line)).size);
    for (const [k, hit] of Object.entries(trace.limits ?? {})) if (hit) t.limits.add(k);
    for (const w of trace.warnings ?? []) t.warnings.add(w);
  }

  private addTask(rec: Record<string, unknown>, prompt: string): void {
    const t = this.tasks;
    t.total++;
    const gt = groundTruth(rec);
    t.kind.add(gt?.task ?? 'unknown');
    t.language.add(gt?.language ?? 'unknown');
    t.source.add(String(rec.data_source ?? rec.datasource ?? 'unknown'));
    if (gt) {
      const vars = Object.values(gt.variables ?? {});
      t.targets.add(String(vars.length));
      for (const v of vars) t.types.add(valueType(v?.json, gt.language));
    }
    t.prompt.push(this.countTokens(prompt));
    const answer = answerOf(rec);
    if (answer !== null) t.answer.push(this.countTokens(answer));
  }

  report(tokens: string): Report {
    const { tasks: t, traces: r, rejects } = this;
    return {
      inputs: this.inputs,
      funnel: this.funnel,
      rejects: rejects.total ? { total: rejects.total, by_reason: rejects.byReason.toJSON(), by_stage: rejects.byStage.toJSON() } : null,
      tasks: t.total ? {
        total: t.total, by_kind: t.kind.toJSON(), by_language: t.language.toJSON(), by_data_source: t.source.toJSON(),
        targets_per_task: sortedNumeric(t.targets.toJSON()), target_types: t.types.toJSON(),
        prompt_tokens: distribution(t.prompt), answer_tokens: distribution(t.answer), tokens,
      } : null,
      traces: r.total ? {
        total: r.total, by_status: r.status.toJSON(), by_language: r.language.toJSON(),
        events_per_trace: distribution(r.events), lines_per_trace: distribution(r.lines),
        limits_hit: r.limits.toJSON(), warnings: r.warnings.toJSON(),
      } : null,
      error_records: this.errors,
      unrecognised: this.unrecognised,
    };
  }
}

/** The prompt text of a task record in any export format, or null if it is not one. */
function promptOf(rec: Record<string, unknown>): string | null {
  const text = (m: unknown) => (Array.isArray(m) ? m.filter((x) => isObject(x) && x.role !== 'assistant').map((x) => String((x as { content?: unknown }).content ?? '')).join('\n') : null);
  if (Array.isArray(rec.prompt)) return text(rec.prompt); // verl, prompt-completion
  if (Array.isArray(rec.messages)) return text(rec.messages); // messages
  if (typeof rec.input === 'string' && typeof rec.label === 'string') return rec.input; // openrlhf
  return null;
}

function answerOf(rec: Record<string, unknown>): string | null {
  const info = rec.extra_info as Record<string, unknown> | undefined;
  if (typeof info?.answer === 'string') return info.answer;
  const turns = Array.isArray(rec.completion) ? rec.completion : Array.isArray(rec.messages) ? rec.messages : [];
  const last = [...turns].reverse().find((m) => isObject(m) && m.role === 'assistant') as { content?: unknown } | undefined;
  return typeof last?.content === 'string' ? last.content : null;
}

function groundTruth(rec: Record<string, unknown>): GroundTruth | null {
  return parsedGroundTruth(rec) as GroundTruth | null;
}

/** The language's own name for a recorded value's type (from its JSON projection). */
export function valueType(json: unknown, language: string): string {
  const py = language === 'python';
  if (json === null) return py ? 'None' : 'null';
  if (typeof json === 'boolean') return py ? 'bool' : 'boolean';
  if (typeof json === 'number') return py ? (Number.isInteger(json) ? 'int' : 'float') : 'number';
  if (typeof json === 'string') return py ? 'str' : 'string';
  if (Array.isArray(json)) return py ? 'list' : 'Array';
  if (isObject(json) && typeof json.$type === 'string') return json.$type;
  return py ? 'dict' : 'Object';
}

function addInto(into: Record<string, number>, from: unknown): void {
  if (!isObject(from)) return;
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + num(v);
}

function sortedNumeric(obj: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(obj).sort(([a], [b]) => Number(a) - Number(b)));
}

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
