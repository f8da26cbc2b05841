/**
 * Which variables a task asks about.
 *
 * Candidates are the variables in the finals of every traced scope whose
 * value a model can write down: no functions, classes, modules, opaque
 * objects or values cut by a cap. Policies:
 * - `last-defined` (the CodeRL+ reference): the K variables bound last,
 *   in order of first appearance in the trace;
 * - `most-changed`: the K variables whose value changed most often, which
 *   favours loop state over constants (ties: bound later first);
 * - `random`: K variables drawn with the build's seed.
 * A name bound in two scopes is qualified (`solve.total`) everywhere.
 * A target's repr must also parse as a literal of the language, so that a
 * model can write the answer and `score` can read it (this rules out
 * `defaultdict(<function ...>)` and other reprs that are not literals),
 * and have a plain-JSON form for the reference reward's
 * `expected_local_variable` (no bytes, no NaN).
 */
import type { Trace, Value } from '../model/trace.js';
import { Random } from './random.js';
import { tryParseLiteral } from '../values/parse.js';
import { toReferenceJson } from '../model/task.js';

export const TARGET_POLICIES = ['last-defined', 'most-changed', 'random'] as const;
export type TargetPolicy = (typeof TARGET_POLICIES)[number];

export interface Target {
  /** The name the task uses: bare, or `scope.name` when the bare name is ambiguous. */
  key: string;
  scope: string;
  name: string;
  value: Value;
}

interface Candidate extends Target {
  firstSeen: number;
  changes: number;
}

const UNWRITABLE = new Set(['function', 'class', 'module', 'generator', 'opaque', 'more', 'depth', 'cycle', 'str', 'proxy', 'getter', 'symbol']);

/** True when a value can be written down exactly in an answer. */
export function isWritable(json: unknown): boolean {
  if (json === null || typeof json !== 'object') return true;
  if (Array.isArray(json)) return json.every(isWritable);
  const rec = json as Record<string, unknown>;
  if (typeof rec.$type === 'string') {
    if (UNWRITABLE.has(rec.$type)) return false;
    if (rec.$type === 'object') return false;
    return Object.values(rec).every(isWritable);
  }
  return Object.values(rec).every(isWritable);
}

export function isTargetable(value: Value, language: Trace['language']): boolean {
  return isWritable(value.json) && toReferenceJson(value.json) !== undefined && tryParseLiteral(value.repr, language).ok;
}

export function candidateTargets(trace: Trace): Candidate[] {
  const firstSeen = new Map<string, number>();
  const changes = new Map<string, number>();
  trace.events.forEach((event, i) => {
    for (const name of Object.keys(event.vars)) {
      const id = `${event.scope}\0${name}`;
      if (!firstSeen.has(id)) firstSeen.set(id, i);
      changes.set(id, (changes.get(id) ?? 0) + 1);
    }
  });
  const found: Candidate[] = [];
  for (const [scope, vars] of Object.entries(trace.finals)) {
    for (const [name, value] of Object.entries(vars)) {
      if (!isTargetable(value, trace.language)) continue;
      const id = `${scope}\0${name}`;
      found.push({ key: name, scope, name, value, firstSeen: firstSeen.get(id) ?? Number.MAX_SAFE_INTEGER, changes: changes.get(id) ?? 0 });
    }
  }
  const scopesOf = new Map<string, number>();
  for (const c of found) scopesOf.set(c.name, (scopesOf.get(c.name) ?? 0) + 1);
  for (const c of found) if ((scopesOf.get(c.name) ?? 0) > 1) c.key = `${c.scope}.${c.name}`;
  // A stable base order: first appearance, then scope and name.
  return found.sort((a, b) => a.firstSeen - b.firstSeen || cmp(a.scope, b.scope) || cmp(a.name, b.name));
}

export function chooseTargets(trace: Trace, policy: TargetPolicy, k: number, random: Random): Target[] {
  const all = candidateTargets(trace);
  let chosen: Candidate[];
  switch (policy) {
    case 'last-defined':
      chosen = all.slice(-k);
      break;
    case 'most-changed':
      chosen = [...all].sort((a, b) => b.changes - a.changes || b.firstSeen - a.firstSeen).slice(0, k);
      break;
    case 'random':
      chosen = random.sample(all, k);
      break;
  }
  // Present targets in the order the program binds them.
  return chosen
    .sort((a, b) => a.firstSeen - b.firstSeen || cmp(a.key, b.key))
    .map(({ key, scope, name, value }) => ({ key, scope, name, value }));
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
