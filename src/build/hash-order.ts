/**
 * Values that hang on Python's hash seed. Iterating a set of strings (or of
 * tuples holding strings) visits them in an order fixed by PYTHONHASHSEED:
 * the runs use seed 0, but a model reading the program cannot know that
 * order, so a value built from it is not answerable. The test runs again
 * under two other seeds (like --check-determinism's second run); output
 * that differs rejects the test, variables that differ are never targets.
 *
 * `auto` runs the second seed only for Python programs that may iterate a
 * set: the source names set/frozenset/hash or a set operation, or a set of
 * strings is among the traced values. `all` runs it for every Python test.
 */
import type { Rollout } from '../read/types.js';
import type { Trace, Value } from '../model/trace.js';

export const HASH_CHECKS = ['auto', 'all', 'off'] as const;
/** The runs use seed 0; these are the others tried. */
export const OTHER_HASH_SEEDS = [1, 2] as const;
export type HashCheck = (typeof HASH_CHECKS)[number];

const MAY_ITERATE_A_SET = /\b(set|frozenset|hash|union|intersection|difference|symmetric_difference)\b|\.keys\(\)\s*[-&|^]|\{[^{}:]*\bfor\b[^{}:]*\}/;

export function needsHashCheck(check: HashCheck, rollout: Rollout, trace: Trace): boolean {
  if (check === 'off' || rollout.language !== 'python' || trace.status !== 'ok') return false;
  return check === 'all' || MAY_ITERATE_A_SET.test(rollout.code) || tracedStringSet(trace);
}

function tracedStringSet(trace: Trace): boolean {
  const has = (v: Value) => hasStringSet(v.json);
  return trace.events.some((e) => Object.values(e.vars).some(has)) || Object.values(trace.finals).some((vars) => Object.values(vars).some(has));
}

function hasStringSet(json: unknown): boolean {
  if (json === null || typeof json !== 'object') return false;
  if (Array.isArray(json)) return json.some(hasStringSet);
  const rec = json as Record<string, unknown>;
  // Sets of numbers iterate in an order the seed does not change.
  if ((rec.$type === 'set' || rec.$type === 'frozenset') && Array.isArray(rec.items) && rec.items.length > 1) {
    if (rec.items.some((x) => typeof x !== 'number' && typeof x !== 'boolean')) return true;
  }
  return Object.values(rec).some(hasStringSet);
}

/**
 * `scope\0name` of every variable whose value differs between the run and another:
 * in the finals, and at any event when both runs took the same steps (when
 * they did not, every variable of the events is suspect).
 */
export function unstableVariables(a: Trace, others: Trace[]): Set<string> {
  const out = new Set<string>();
  for (const b of others) addUnstable(a, b, out);
  return out;
}

function addUnstable(a: Trace, b: Trace, out: Set<string>): void {
  const scopes = new Set([...Object.keys(a.finals), ...Object.keys(b.finals)]);
  for (const scope of scopes) {
    const x = a.finals[scope] ?? {};
    const y = b.finals[scope] ?? {};
    for (const name of new Set([...Object.keys(x), ...Object.keys(y)])) {
      if (x[name]?.repr !== y[name]?.repr) out.add(`${scope}\0${name}`);
    }
  }
  const sameSteps = a.events.length === b.events.length && a.events.every((e, i) => e.line === b.events[i].line && e.scope === b.events[i].scope);
  a.events.forEach((e, i) => {
    for (const [name, v] of Object.entries(e.vars)) {
      if (!sameSteps || b.events[i].vars[name]?.repr !== v.repr) out.add(`${e.scope}\0${name}`);
    }
  });
}
