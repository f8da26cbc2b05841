/**
 * `--rationale trace`: a short explanation written from the trace itself,
 * put before the JSON line of an SFT answer. It says, in the program's own
 * terms, how many steps ran, which functions were called, how each target
 * got its value (the values it took, on which line) and what came out, so
 * the assistant turn shows the reasoning its prompt asks for.
 */
import type { Trace, Value } from '../model/trace.js';
import type { Target } from './targets.js';

const SHOWN = 6;
const CLIP = 80;
const clip = (repr: string): string => (repr.length > CLIP ? `${repr.slice(0, CLIP - 3)}...` : repr);

export interface RationaleParts {
  targets: Target[];
  output: { kind: 'stdout'; text: string } | { kind: 'return'; repr: string } | null;
  /** For a line-state task: stop at this event (the k-th run of the line). */
  line?: number;
  hit?: number;
}

export function traceRationale(trace: Trace, parts: RationaleParts): string {
  const events = upTo(trace, parts.line, parts.hit);
  const calls = new Map<string, Set<number>>();
  for (const e of events) if (e.scope !== '<module>') (calls.get(e.scope) ?? calls.set(e.scope, new Set()).get(e.scope)!).add(e.frame);
  const callText = [...calls].map(([scope, frames]) => `\`${scope}\` ${frames.size === 1 ? 'once' : `${frames.size} times`}`);
  const out: string[] = [];
  out.push(`The run takes ${events.length} line step${events.length === 1 ? '' : 's'}${callText.length ? `, calling ${callText.join(', ')}` : ''}${parts.line ? ` up to run ${parts.hit} of line ${parts.line}` : ''}.`);
  for (const t of parts.targets) {
    const history: { repr: string; line: number }[] = [];
    for (const e of events) {
      const v: Value | undefined = e.scope === t.scope ? e.vars[t.name] : undefined;
      if (v && history.at(-1)?.repr !== clip(v.repr)) history.push({ repr: clip(v.repr), line: e.line });
    }
    out.push(describe(t, history));
  }
  if (parts.output?.kind === 'stdout') out.push(parts.output.text === '' ? 'It prints nothing.' : `It prints ${clip(JSON.stringify(parts.output.text))}.`);
  else if (parts.output?.kind === 'return') out.push(`The call returns ${clip(parts.output.repr)}.`);
  return out.join('\n');
}

function describe(t: Target, history: { repr: string; line: number }[]): string {
  const name = `\`${t.key}\``;
  if (history.length <= 1) return `${name} is set on line ${history[0]?.line ?? '?'} to ${clip(t.value.repr)}.`;
  const lines = [...new Set(history.slice(1).map((h) => h.line))].sort((a, b) => a - b);
  const shown = history.length <= SHOWN
    ? history.map((h) => h.repr)
    : [...history.slice(0, 3).map((h) => h.repr), '...', ...history.slice(-2).map((h) => h.repr)];
  return `${name} starts as ${history[0].repr} (line ${history[0].line}) and changes on line${lines.length > 1 ? 's' : ''} ${lines.join(', ')}: ${shown.join(' -> ')}, ${history.length - 1} change${history.length === 2 ? '' : 's'}; it ends as ${clip(t.value.repr)}.`;
}

/** Events up to and including the hit-th run of a line (all events when no line is given). */
function upTo(trace: Trace, line?: number, hit?: number): Trace['events'] {
  if (line === undefined) return trace.events;
  let seen = 0;
  const i = trace.events.findIndex((e) => e.line === line && ++seen === (hit ?? 1));
  return i < 0 ? trace.events : trace.events.slice(0, i + 1);
}
