/**
 * What `show` displays: a trace, the source it ran (when known) and, for a
 * task, its targets and expected values.
 */
import type { Trace, Value } from '../model/trace.js';

export interface TaskMarks {
  kind: string;
  /** Target key (maybe scope-qualified), its scope when known, bare name, expected value. */
  targets: { key: string; scope: string | null; name: string; repr: string }[];
  /** line-state: the line and which run of it. */
  line?: number;
  hit?: number;
  expectedOutput: string | null;
}

export interface Subject {
  title: string;
  trace: Trace;
  /** Null when the trace record came without its program (give --code). */
  code: string | null;
  /** The test input as text (stdin, or the call). */
  input: string | null;
  task?: TaskMarks;
}

/** Per source line: how often it ran, and the first and last value of each variable set there. */
export interface LineFacts {
  hits: number;
  vars: Map<string, { first: Value; last: Value; times: number }>;
}

export function factsByLine(trace: Trace): Map<number, LineFacts> {
  const facts = new Map<number, LineFacts>();
  for (const event of trace.events) {
    let f = facts.get(event.line);
    if (!f) facts.set(event.line, (f = { hits: 0, vars: new Map() }));
    f.hits++;
    for (const [name, value] of Object.entries(event.vars)) {
      const seen = f.vars.get(name);
      if (seen) {
        seen.last = value;
        seen.times++;
      } else f.vars.set(name, { first: value, last: value, times: 1 });
    }
  }
  return facts;
}

/** The line the entry call returned from: the last event of a top-level call (depth 1). */
export function returnLine(trace: Trace): number | null {
  if (trace.return === null) return null;
  for (let i = trace.events.length - 1; i >= 0; i--) if (trace.events[i].depth === 1) return trace.events[i].line;
  return null;
}

/**
 * Where a target got its final value: the last event of its scope that
 * set it (for line-state, the asked line itself).
 */
export function targetLines(trace: Trace, marks: TaskMarks): Map<number, TaskMarks['targets']> {
  const at = new Map<number, TaskMarks['targets']>();
  const add = (line: number, t: TaskMarks['targets'][number]) => at.set(line, [...(at.get(line) ?? []), t]);
  for (const target of marks.targets) {
    if (marks.line !== undefined) {
      add(marks.line, target);
      continue;
    }
    let line: number | null = null;
    for (const e of trace.events) {
      if ((target.scope === null || e.scope === target.scope) && target.name in e.vars) line = e.line;
    }
    if (line !== null) add(line, target);
  }
  return at;
}
