/**
 * Which variables a task asks about: what the program computed.
 *
 * A candidate is a variable in the finals of a traced scope whose value an
 * answer can write exactly (src/values/json-form.ts: no functions, classes,
 * modules, opaque objects, capped values, bytes, NaN, ...) and that did not
 * change under another hash seed (`unstable`, see src/build/pipeline.ts).
 *
 * Each candidate is also classed by what the trace says about it:
 * - `echo`: copied, not computed: a parameter its function never rebinds or
 *   mutates (the prompt shows it), a name bound once to a constant
 *   (`MOD = 10**9 + 7`), a name bound by an import, a name bound once to
 *   the value of one of its function's arguments (`a, b = x, y`), or the
 *   program's whole input read into a variable (`data = sys.stdin.read().split()`,
 *   `args = json.loads(sys.stdin.read())`);
 * - `changing`: rebound or mutated after its first binding (loop state,
 *   accumulators);
 * - `computed`: bound once to something the run computed (results);
 * - `parsed`: bound once to a piece of the input read as it is (`n =
 *   int(input())`, one line's numbers): answerable, but little to compute.
 *
 * Policies (`--policy`), and what each optimises:
 * - `computed` (default): informative targets: `changing` first (most
 *   changes first), then `computed`, then `parsed`, bound later first;
 *   never an `echo`;
 * - `most-changed`: the K candidates that changed most often, echoes
 *   excluded (ties: bound later first);
 * - `random`: K non-echo candidates drawn with the build's seed (an
 *   unbiased sample, e.g. for evaluation sets);
 * - `last-defined`: the CodeRL+ reference behaviour, the K candidates bound
 *   last, echoes included.
 * A name bound in two scopes is qualified (`solve.total`) everywhere.
 */
import type { Language, Trace, Value } from '../model/trace.js';
import { tryParseLiteral } from '../values/parse.js';
import type { RunInput } from '../model/run.js';
import { Random } from './random.js';
import { jsonForm } from '../values/json-form.js';
import { fromTaggedJson } from '../values/typed.js';

export const TARGET_POLICIES = ['computed', 'most-changed', 'random', 'last-defined'] as const;
export type TargetPolicy = (typeof TARGET_POLICIES)[number];

export interface Target {
  /** The name the task uses: bare, or `scope.name` when the bare name is ambiguous. */
  key: string;
  scope: string;
  name: string;
  value: Value;
}

export type TargetClass = 'echo' | 'changing' | 'computed' | 'parsed';

interface Candidate extends Target {
  firstSeen: number;
  changes: number;
  kind: TargetClass;
}

/**
 * True when an answer can write the value exactly and the reference reward
 * can compare it. Its repr must also be a literal of the language, which
 * rules out subclasses that print otherwise (`defaultdict(<function ...>,
 * {...})`, `Counter({...})`): the reference recipe skips them too.
 */
export function isTargetable(value: Value | undefined, language: Language): value is Value {
  return value !== undefined && jsonForm(fromTaggedJson(value.json)) !== null && tryParseLiteral(value.repr, language).ok;
}

/** What the trace says about each (scope, name): how often it was bound, and where first. */
export interface Bindings {
  /** `scope\0name` -> events that bound or changed it, frame entries excluded. */
  changes: Map<string, number>;
  /** The same, in the one frame where it changed most (a local bound once per call is bound once). */
  perFrame: Map<string, number>;
  /** `scope\0name` -> the line of its first binding (0 for a parameter). */
  firstLine: Map<string, number>;
  firstSeen: Map<string, number>;
  params: Set<string>;
  /** scope -> the reprs its arguments had on entry. */
  arguments: Map<string, Set<string>>;
}

export function bindings(trace: Trace): Bindings {
  const b: Bindings = { changes: new Map(), perFrame: new Map(), firstLine: new Map(), firstSeen: new Map(), params: new Set(), arguments: new Map() };
  const framesSeen = new Set<number>();
  const inFrame = new Map<string, number>();
  trace.events.forEach((event, i) => {
    // A function frame's first event is its entry: the variables it holds are the arguments.
    const entry = !framesSeen.has(event.frame) && event.scope !== '<module>';
    framesSeen.add(event.frame);
    for (const name of Object.keys(event.vars)) {
      const id = `${event.scope}\0${name}`;
      if (!b.firstSeen.has(id)) {
        b.firstSeen.set(id, i);
        b.firstLine.set(id, entry ? 0 : event.line);
      }
      if (entry) {
        b.params.add(id);
        const seen = b.arguments.get(event.scope) ?? b.arguments.set(event.scope, new Set()).get(event.scope)!;
        seen.add(event.vars[name].repr);
      }
      else {
        b.changes.set(id, (b.changes.get(id) ?? 0) + 1);
        const key = `${event.frame}\0${name}`;
        inFrame.set(key, (inFrame.get(key) ?? 0) + 1);
        b.perFrame.set(id, Math.max(b.perFrame.get(id) ?? 0, inFrame.get(key)!));
      }
    }
  });
  return b;
}

/** Classify one variable. `lines`: the program's source lines. */
export function classify(id: string, name: string, value: Value, b: Bindings, lines: string[], input: RunInput): TargetClass {
  const changes = b.perFrame.get(id) ?? 0;
  if (b.params.has(id)) return changes === 0 ? 'echo' : 'changing';
  if (changes > 1) return 'changing';
  const line = lines[(b.firstLine.get(id) ?? 0) - 1] ?? '';
  const scope = id.slice(0, id.indexOf('\0'));
  const copiesArgument = b.arguments.get(scope)?.has(value.repr) ?? false;
  if (isImport(line) || boundToConstant(line, name) || copiesInput(value, input) || copiesArgument) return 'echo';
  return parsesInput(value, input) ? 'parsed' : 'computed';
}

const IMPORT = /^\s*(import\s|from\s+\S+\s+import\s)|\brequire\s*\(/;
const isImport = (line: string): boolean => IMPORT.test(line);

const CONSTANT_NAMES = new Set(['True', 'False', 'None', 'true', 'false', 'null', 'undefined', 'NaN', 'Infinity', 'float', 'inf', 'nan', 'e', 'E', 'j', 'x', 'o', 'b', 'n']);

/** `name = <expression of literals only>` (`MOD = 10**9 + 7`, `seen = []`, `const N = 5;`). */
function boundToConstant(line: string, name: string): boolean {
  const escaped = name.replace(/[$]/g, '\\$');
  const m = new RegExp(`^\\s*(?:(?:const|let|var)\\s+)?${escaped}\\s*(?::[^=]+)?=(?!=)(.*)$`).exec(line);
  if (!m) return false;
  const rhs = m[1].replace(/(["'`])(?:\\.|(?!\1).)*\1/g, '0').replace(/(#|\/\/).*$/, '').replace(/;\s*$/, '').trim();
  if (rhs === '') return false;
  const words = rhs.match(/[A-Za-z_$][\w$]*/g) ?? [];
  // float('inf') and 10**9 + 7 are constants; len(a) or a + 1 are not.
  return words.every((w) => CONSTANT_NAMES.has(w)) && !/[A-Za-z_$][\w$]*\s*\(/.test(rhs.replace(/\bfloat\s*\(/g, ''));
}

/** The whole input in a variable: the text, its stripped form, its lines or its tokens. */
function copiesInput(value: Value, input: RunInput): boolean {
  if (input.kind !== 'stdin') return false;
  const json = value.json;
  const text = input.stdin;
  if (typeof json === 'string') return json.length > 0 && (json === text || json === text.trim());
  if (sameJson(json, parsedInput(text))) return true;
  if (!Array.isArray(json) || json.length < 2 || !json.every((x) => typeof x === 'string')) return false;
  const same = (xs: string[]) => xs.length === json.length && xs.every((x, i) => x === json[i]);
  return same(text.split(/\s+/).filter(Boolean)) || same(text.trim().split('\n')) || same(text.split('\n'));
}

/** The input read as one JSON value (`json.loads(sys.stdin.read())`), or undefined. */
function parsedInput(text: string): unknown {
  try {
    return text.trim().startsWith('[') || text.trim().startsWith('{') ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}

const sameJson = (a: unknown, b: unknown): boolean => b !== undefined && JSON.stringify(a) === JSON.stringify(b);

/** One token of the input, or one line's tokens, as read (`int(...)` or not). */
function parsesInput(value: Value, input: RunInput): boolean {
  if (input.kind !== 'stdin') return false;
  const text = (x: unknown): string | null => (typeof x === 'string' ? x : typeof x === 'number' ? String(x) : null);
  const tokens = new Set(input.stdin.split(/\s+/).filter(Boolean));
  const json = value.json;
  const one = text(json);
  if (one !== null) return tokens.has(one);
  if (!Array.isArray(json) || json.length === 0) return false;
  const items = json.map(text);
  return items.every((x) => x !== null) && input.stdin.split('\n').some((line) => line.trim() === items.join(' '));
}

export function candidateTargets(trace: Trace, code: string, input: RunInput, unstable: ReadonlySet<string> = new Set()): Candidate[] {
  const b = bindings(trace);
  const lines = code.split('\n');
  const found: Candidate[] = [];
  for (const [scope, vars] of Object.entries(trace.finals)) {
    for (const [name, value] of Object.entries(vars)) {
      const id = `${scope}\0${name}`;
      if (!isTargetable(value, trace.language) || unstable.has(id)) continue;
      found.push({
        key: name, scope, name, value,
        firstSeen: b.firstSeen.get(id) ?? Number.MAX_SAFE_INTEGER,
        changes: b.changes.get(id) ?? 0,
        kind: classify(id, name, value, b, lines, input),
      });
    }
  }
  const scopesOf = new Map<string, number>();
  for (const c of found) scopesOf.set(c.name, (scopesOf.get(c.name) ?? 0) + 1);
  for (const c of found) if ((scopesOf.get(c.name) ?? 0) > 1) c.key = `${c.scope}.${c.name}`;
  // A stable base order: first appearance, then scope and name.
  return found.sort((a, b) => a.firstSeen - b.firstSeen || cmp(a.scope, b.scope) || cmp(a.name, b.name));
}

export interface TargetRequest {
  policy: TargetPolicy;
  k: number;
  random: Random;
  /** `scope\0name` of variables whose value changed under another hash seed. */
  unstable?: ReadonlySet<string>;
}

export function chooseTargets(trace: Trace, code: string, input: RunInput, request: TargetRequest): Target[] {
  const all = candidateTargets(trace, code, input, request.unstable);
  const informative = all.filter((c) => c.kind !== 'echo');
  const laterFirst = (a: Candidate, b: Candidate) => b.firstSeen - a.firstSeen;
  const { k } = request;
  let chosen: Candidate[];
  switch (request.policy) {
    case 'computed':
      chosen = [
        ...informative.filter((c) => c.kind === 'changing').sort((a, b) => b.changes - a.changes || laterFirst(a, b)),
        ...informative.filter((c) => c.kind === 'computed').sort(laterFirst),
        ...informative.filter((c) => c.kind === 'parsed').sort(laterFirst),
      ].slice(0, k);
      break;
    case 'most-changed':
      chosen = [...informative].sort((a, b) => b.changes - a.changes || laterFirst(a, b)).slice(0, k);
      break;
    case 'random':
      chosen = request.random.sample(informative, k);
      break;
    case 'last-defined':
      chosen = all.slice(-k);
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
