/**
 * The report as sections of facts and charts, rendered both for the
 * terminal (summary.ts) and as HTML (html.ts): one model, so the two show
 * the same numbers.
 */
import type { Distribution } from './distribution.js';
import type { Report } from './collect.js';

export type Chart =
  | { kind: 'bars'; title: string; data: [string, number][] }
  | { kind: 'histogram'; title: string; dist: Distribution };

export interface Section {
  title: string;
  facts: [string, string][];
  charts: Chart[];
}

export const fmt = (n: number): string => n.toLocaleString('en-US');
const pct = (part: number, whole: number): string => (whole ? `${((100 * part) / whole).toFixed(1)}%` : 'n/a');
const entries = (o: Record<string, number>): [string, number][] => Object.entries(o);

export function distFacts(d: Distribution | null): string {
  if (!d) return 'none';
  return `mean ${fmt(d.mean)}, median ${fmt(d.p50)}, p90 ${fmt(d.p90)}, min ${fmt(d.min)}, max ${fmt(d.max)} (n=${fmt(d.count)})`;
}

export function sections(r: Report): Section[] {
  const out: Section[] = [];
  out.push({
    title: 'Inputs',
    facts: [...r.inputs.map((i): [string, string] => [i.file, `${i.kind}, ${fmt(i.records)} record${i.records === 1 ? '' : 's'}`]),
      ...(r.error_records ? [['trace error records', fmt(r.error_records)] as [string, string]] : []),
      ...(r.unrecognised ? [['unrecognised lines', fmt(r.unrecognised)] as [string, string]] : [])],
    charts: [],
  });
  if (r.funnel) {
    const f = r.funnel;
    out.push({
      title: 'Build funnel',
      facts: [
        ['records read', fmt(f.records)],
        ['with tasks', `${fmt(f.with_tasks)} (${pct(f.with_tasks, f.records)})`],
        ['rejected', `${fmt(f.rejected)} (${pct(f.rejected, f.records)})`],
        ...(f.shard_skipped ? [['in other shards', fmt(f.shard_skipped)] as [string, string]] : []),
        ['tasks written', fmt(f.tasks)],
        ...(f.files > 1 ? [['stats files added up', fmt(f.files)] as [string, string]] : []),
        ...(f.interrupted ? [['interrupted builds', fmt(f.interrupted)] as [string, string]] : []),
      ],
      charts: [
        { kind: 'bars', title: 'Rejected records by stage/reason', data: entries(f.rejected_by_reason).sort(([, a], [, b]) => b - a) },
        { kind: 'bars', title: 'Runs by status', data: entries(f.runs_by_status).sort(([, a], [, b]) => b - a) },
      ],
    });
  }
  if (r.rejects) {
    out.push({
      title: 'Rejects',
      facts: [['reject lines', fmt(r.rejects.total)]],
      charts: [
        { kind: 'bars', title: 'Rejects by stage/reason', data: entries(r.rejects.by_reason) },
        { kind: 'bars', title: 'Rejects by stage', data: entries(r.rejects.by_stage) },
      ],
    });
  }
  if (r.tasks) {
    const t = r.tasks;
    out.push({
      title: 'Tasks',
      facts: [
        ['tasks', fmt(t.total)],
        [`prompt tokens (${t.tokens})`, distFacts(t.prompt_tokens)],
        [`answer tokens (${t.tokens})`, distFacts(t.answer_tokens)],
      ],
      charts: [
        { kind: 'bars', title: 'Task kinds', data: entries(t.by_kind) },
        { kind: 'bars', title: 'Languages', data: entries(t.by_language) },
        { kind: 'bars', title: 'Data sources', data: entries(t.by_data_source) },
        { kind: 'bars', title: 'Targets per task', data: entries(t.targets_per_task) },
        { kind: 'bars', title: 'Target value types', data: entries(t.target_types) },
        ...(t.prompt_tokens ? [{ kind: 'histogram', title: 'Prompt length (tokens)', dist: t.prompt_tokens } as Chart] : []),
        ...(t.answer_tokens ? [{ kind: 'histogram', title: 'Answer length (tokens)', dist: t.answer_tokens } as Chart] : []),
      ],
    });
  }
  if (r.traces) {
    const t = r.traces;
    out.push({
      title: 'Traces',
      facts: [
        ['traces', fmt(t.total)],
        ['line events per trace', distFacts(t.events_per_trace)],
        ['distinct lines executed per trace', distFacts(t.lines_per_trace)],
      ],
      charts: [
        { kind: 'bars', title: 'Status', data: entries(t.by_status) },
        { kind: 'bars', title: 'Languages', data: entries(t.by_language) },
        ...(Object.keys(t.limits_hit).length ? [{ kind: 'bars', title: 'Limits hit', data: entries(t.limits_hit) } as Chart] : []),
        ...(Object.keys(t.warnings).length ? [{ kind: 'bars', title: 'Warnings', data: entries(t.warnings) } as Chart] : []),
        ...(t.events_per_trace ? [{ kind: 'histogram', title: 'Line events per trace', dist: t.events_per_trace } as Chart] : []),
        ...(t.lines_per_trace ? [{ kind: 'histogram', title: 'Distinct lines executed per trace', dist: t.lines_per_trace } as Chart] : []),
      ],
    });
  }
  return out;
}

/** A histogram bucket's label: `10-19` for whole numbers. */
export function bucketLabel(b: { from: number; to: number }): string {
  return b.to - b.from === 1 ? fmt(b.from) : `${fmt(b.from)}-${fmt(b.to - 1)}`;
}
