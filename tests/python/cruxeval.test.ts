/**
 * The whole CRUXEval corpus (800 calls) through one `coderl-trace trace`
 * process: return reprs must equal the corpus' expected outputs, and finals
 * of `f` and per-line values must match the settrace oracle (see cruxeval.mjs).
 */
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM script without type declarations
import { runCruxEval } from './cruxeval.mjs';
import { ensureBuilt } from './helpers.js';
import { full, note } from '../corpora.js';

describe('CRUXEval', () => {
  it('all 800 calls (60 in the slice): exact return repr and finals of f', () => {
    ensureBuilt();
    note('cruxeval.jsonl');
    const result = runCruxEval({ jobs: 2 }) as { total: number; returns: number; finals: number; lines: number; failures: string[] };
    console.log(`CRUXEval: return ${result.returns}/${result.total}, finals ${result.finals}/${result.total}, per-line ${result.lines}/${result.total}`);
    expect(result.failures.slice(0, 20)).toEqual([]);
    const total = full(800, 60);
    expect(result.total).toBe(total);
    expect(result.returns).toBe(total);
    expect(result.finals).toBe(total);
    expect(result.lines).toBe(total);
  });
});
