/**
 * `line-state`: the values of some variables right after the k-th run of a
 * line. Lines it may ask about hold one simple statement that runs to
 * completion: each run of such a line is exactly one event, so "the k-th
 * time it ran" means the same to the model and to the trace. Headers (`if`,
 * `while`, `for`, ...) are recorded only when their body is entered, lines
 * leaving the block have no "after", and `a = 1; b = 2` is two events.
 */
import type { Value, Variables } from '../../model/trace.js';
import { bindings, classify, isTargetable, type Target } from '../targets.js';
import type { TaskKindSpec } from './types.js';

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

export const lineState: TaskKindSpec = {
  /**
   * An executed line and which run of it, and the state of its frame right
   * after: the variables that line changed first, then others the run
   * computed in that frame; never an unchanged parameter, a constant or a
   * copy of the whole input (src/tasks/targets.ts).
   */
  pick({ trace, code, input, targets: request }) {
    const lines = code.split('\n');
    const b = bindings(trace);
    const informative = (scope: string, name: string, value: Value | undefined): value is Value =>
      isTargetable(value, trace.language) && !request.unstable?.has(`${scope}\0${name}`) &&
      (request.policy === 'last-defined' || classify(`${scope}\0${name}`, name, value, b, lines, input) !== 'echo');
    const hits = new Map<number, number>();
    const states = new Map<number, Variables>();
    const candidates: { line: number; scope: string; hit: number; state: Variables; changed: string[] }[] = [];
    for (const event of trace.events) {
      const hit = (hits.get(event.line) ?? 0) + 1;
      hits.set(event.line, hit);
      const state = { ...(states.get(event.frame) ?? {}), ...event.vars };
      states.set(event.frame, state);
      if (!isAskableLine(lines[event.line - 1] ?? '')) continue;
      const changed = Object.keys(event.vars).filter((name) => informative(event.scope, name, state[name]));
      if (changed.length > 0) candidates.push({ line: event.line, scope: event.scope, hit, state, changed });
    }
    if (candidates.length === 0) return { none: 'no executed line changes a variable worth asking' };
    const pick = candidates[request.random.int(candidates.length)];
    const others = Object.keys(pick.state).filter((n) => !pick.changed.includes(n) && informative(pick.scope, n, pick.state[n]));
    const targets: Target[] = [...pick.changed, ...others].slice(0, request.k)
      .map((name) => ({ key: name, scope: pick.scope, name, value: pick.state[name] }));
    return { targets, line: pick.line, hit: pick.hit };
  },
  question: (q) => `Predict the values of ${q.names} right after line ${q.line} has run for the ${ordinal(q.hit ?? 1)} time (lines are numbered from 1).`,
};

function ordinal(n: number): string {
  const suffix = n % 100 >= 11 && n % 100 <= 13 ? 'th' : ['th', 'st', 'nd', 'rd'][n % 10] ?? 'th';
  return `${n}${suffix}`;
}
