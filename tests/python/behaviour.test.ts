/**
 * HumanEval and MBPP canonical solutions with their tests, run as stdin-style
 * programs: the traced program must behave exactly as a plain
 * `python3 main.py` run of the same text (same stdout, same stderr apart from
 * the run-directory path, same exit status), and must really be traced
 * (no `uninstrumented` fallback, events recorded); and per line, each
 * variable's values must include those the settrace oracle saw on the
 * original program (tests/python/oracle.py, run in one process).
 *
 * A plain run costs ~70 ms of interpreter start-up here, so by default the
 * suite takes all of HumanEval and every third MBPP problem; set
 * CODERL_TRACE_FULL=1 to run all 973 MBPP problems (about a minute more).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Trace } from '../../src/model/trace.js';
import { full, note } from '../corpora.js';
import { CORPORA, normalizePaths, runPlainAsync, traceRuns, type PlainResult } from './helpers.js';
// @ts-expect-error plain ESM script without type declarations
import { compareFrames, runOracleBatch } from './cruxeval.mjs';

interface Program {
  id: string;
  code: string;
}

/** MBPP/123 sums amicable numbers below 10 000 for ~20 s: too slow for the suite. */
const TOO_SLOW = new Set(['MBPP/123']);
const TIMEOUT_MS = 20_000;

function jsonl(file: string): Record<string, unknown>[] {
  note(file);
  return readFileSync(path.join(CORPORA, file), 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
}

function humanEval(): Program[] {
  return jsonl('humaneval.jsonl').map((r) => ({ id: String(r.id), code: `${r.solution}\n${r.tests}\n` }));
}

const RANDOM = /\bimport random\b|\bfrom random import\b/;
const FULL = process.env.CODERL_TRACE_FULL === '1';

/** Solution, then setup code, then each assert (the corpus' documented order). */
function mbpp(): Program[] {
  return jsonl('mbpp.jsonl')
    .filter((r, i) => !TOO_SLOW.has(String(r.id)) && (FULL || i % 3 === 0))
    .map((r) => ({ id: String(r.id), code: [r.solution, r.test_setup_code, ...(r.tests as string[])].join('\n') + '\n' }));
}

async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: limit }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  }));
  return out;
}

/** HumanEval/160's solution calls eval(): a lookup by computed text, flagged dynamic-access (tracers/README.md). */
const FLAGGED_BY_DESIGN = new Set(['HumanEval/160']);

function differences(programs: Program[], traces: Trace[], plains: PlainResult[]): string[] {
  const problems: string[] = [];
  programs.forEach((p, i) => {
    const t = traces[i];
    const plain = plains[i];
    if (t.id !== p.id) problems.push(`${p.id}: trace out of order (${t.id})`);
    const warnings = FLAGGED_BY_DESIGN.has(p.id) ? ['tracer-access'] : [];
    if (t.warnings.join(',') !== warnings.join(',')) problems.push(`${p.id}: warnings ${t.warnings.join(',')}`);
    if (t.events.length === 0) problems.push(`${p.id}: no events`);
    if (t.stdout !== plain.stdout) problems.push(`${p.id}: stdout ${JSON.stringify(t.stdout.slice(0, 200))} != ${JSON.stringify(plain.stdout.slice(0, 200))}`);
    if (t.exit_code !== plain.status) problems.push(`${p.id}: exit ${t.exit_code} (${t.status}) != ${plain.status}`);
    if (normalizePaths(t.stderr) !== normalizePaths(plain.stderr)) problems.push(`${p.id}: stderr ${JSON.stringify(t.stderr.slice(-300))} != ${JSON.stringify(plain.stderr.slice(-300))}`);
  });
  return problems;
}

const MBPP_COUNT = full(FULL ? 974 - TOO_SLOW.size : 325, 20);
for (const [name, load, total] of [['HumanEval', humanEval, full(164, 40)], ['MBPP', mbpp, MBPP_COUNT]] as const) {
  describe(`${name} canonical solutions: traced behaves as plain`, () => {
    const programs = load();
    let traces: Trace[];
    let plains: PlainResult[];
    beforeAll(async () => {
      const runs = programs.map((p) => ({ id: p.id, language: 'python', code: p.code, stdin: '' }));
      const plainRuns = mapLimit(programs, 2, (p) => runPlainAsync(p.code, '', TIMEOUT_MS));
      traces = await traceRuns(runs, ['--jobs', '2', '--timeout', String(TIMEOUT_MS)]);
      plains = await plainRuns;
    }, 300_000);

    it(`all ${total} problems: same stdout, stderr and exit status, really traced`, () => {
      expect(programs.length).toBe(total);
      const problems = differences(programs, traces, plains);
      console.log(`${name}: ${total - new Set(problems.map((p) => p.split(':')[0])).size}/${total} identical`);
      expect(problems).toEqual([]);
    });

    it(`all ${total} problems: per-line values include the settrace oracle's`, () => {
      const oracle = runOracleBatch(programs.map((p) => ({ id: p.id, code: p.code, call: null }))) as Map<string, { frames: unknown[]; capped: boolean }>;
      const problems: string[] = [];
      let compared = 0;
      programs.forEach((p, i) => {
        if (traces[i].limits.events) return; // a capped trace is a prefix: nothing to pair frames with
        if (RANDOM.test(p.code)) return; // the oracle's run draws other numbers
        compared++;
        const o = oracle.get(p.id);
        for (const problem of compareFrames(o?.frames ?? [], traces[i].events, o?.capped) as string[]) problems.push(`${p.id}: ${problem}`);
      });
      console.log(`${name}: per-line checked on ${compared}/${total} (the rest hit the event cap or use random)`);
      expect(problems.slice(0, 20)).toEqual([]);
      expect(compared).toBeGreaterThan(total * 0.8);
    });
  });
}
