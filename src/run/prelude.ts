/**
 * Judge preludes: code a judge runs before the program, in the program's
 * globals. LeetCode-style answers (`class Solution` with `nums: List[int]`)
 * rely on it: LiveCodeBench grades them after a list of star imports
 * (typing, collections, heapq, ...), and without it they die with
 * `NameError: name 'List' is not defined`. The runtime runs the prelude
 * untraced and outside the program's line numbers (tracers/README.md); the
 * trace's provenance names it.
 *
 * Default: LiveCodeBench's list for Python `class Solution` programs, nothing
 * for others. `--prelude FILE` gives every Python program FILE's text;
 * `--prelude none` turns preludes off.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { InputError } from '../errors.js';
import type { Language } from '../model/trace.js';
import type { Prelude } from '../model/run.js';

export type PreludeChoice = { mode: 'default' } | { mode: 'none' } | { mode: 'file'; prelude: Prelude };

/**
 * The modules LiveCodeBench's grader star-imports and then imports, in its
 * order, followed by its recursion limit (LiveCodeBench @28fef95e,
 * lcb_runner/evaluation/testing_util.py, `import_string`).
 */
const LCB_MODULES = ['string', 're', 'datetime', 'collections', 'heapq', 'bisect', 'copy', 'math', 'random',
  'statistics', 'itertools', 'functools', 'operator', 'io', 'sys', 'json'];
export const LIVECODEBENCH_PRELUDE: Prelude = {
  name: 'livecodebench',
  source: [
    ...[...LCB_MODULES, 'builtins', 'typing'].map((m) => `from ${m} import *`),
    ...LCB_MODULES.map((m) => `import ${m}`),
    'sys.setrecursionlimit(50000)',
  ].join('\n') + '\n',
};

/**
 * Modules the executors import once, before they fork runs: the default
 * prelude then costs each run its star imports (~10 ms) instead of
 * importing typing, statistics, datetime, ... afresh (~45 ms), and a
 * program's own `import collections` is a lookup. A fresh import and the
 * forked module are in the same state (random reseeds itself in every
 * fork, as in a new process).
 */
export const PRELOAD_MODULES: readonly string[] = [...LCB_MODULES, 'typing'];

const SOLUTION_CLASS = /^class\s+Solution\b/m;

/** The prelude a program runs after, or null. */
export function preludeFor(language: Language, code: string, choice: PreludeChoice): Prelude | null {
  if (language !== 'python' || choice.mode === 'none') return null;
  if (choice.mode === 'file') return choice.prelude;
  return SOLUTION_CLASS.test(code) ? LIVECODEBENCH_PRELUDE : null;
}

/** What provenance records: which prelude, and a digest of its text. */
export function preludeProvenance(prelude: Prelude | null | undefined): { name: string; sha256: string } | null {
  if (!prelude) return null;
  return { name: prelude.name, sha256: createHash('sha256').update(prelude.source).digest('hex').slice(0, 16) };
}

export function addPreludeOption(cmd: Command): Command {
  return cmd.option('--prelude <file|none>',
    'Python source run untraced before each Python program, as a judge does (default: LiveCodeBench\'s imports for `class Solution` programs; none: no prelude)');
}

export function preludeFromFlag(value: string | undefined): PreludeChoice {
  if (value === undefined) return { mode: 'default' };
  if (value === 'none') return { mode: 'none' };
  try {
    return { mode: 'file', prelude: { name: value, source: readFileSync(value === '-' ? 0 : value, 'utf8') } };
  } catch (err) {
    throw new InputError(`cannot read --prelude ${value}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}
