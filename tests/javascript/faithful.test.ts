/**
 * Faithfulness: the instrumented program behaves exactly like the plain one
 * (same stdout, same exit status, same uncaught exception type and line) on
 * the whole HumanEval-X JavaScript corpus and on hand-picked tricky programs.
 * Every program runs in its own process, a few at a time.
 */
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { full, note, readCorpus } from '../corpora.js';
import { endRecord, runJs } from './harness.js';

const TRICKY_DIR = resolve(import.meta.dirname, '../../fixtures/javascript/tricky');
const PARALLEL = 2; // programs at a time; each runs plain and traced side by side

interface Program { id: string; source: string }

async function compareAll(programs: Program[]): Promise<string[]> {
  const problems: string[] = [];
  const queue = [...programs];
  const worker = async () => {
    for (let p = queue.shift(); p; p = queue.shift()) {
      const [plain, traced] = await Promise.all([runJs(p.source, { mode: 'plain' }), runJs(p.source)]);
      const plainEnd = endRecord(plain);
      const tracedEnd = endRecord(traced);
      const exc = (e: typeof plainEnd) => (e?.exception ? `${e.exception.type}@${e.exception.line}` : null);
      if (traced.instrumented?.problem) problems.push(`${p.id}: not instrumented: ${traced.instrumented.problem}`);
      else if (plain.stdout !== traced.stdout) problems.push(`${p.id}: stdout differs`);
      else if (plain.exitCode !== traced.exitCode) problems.push(`${p.id}: exit ${plain.exitCode} vs ${traced.exitCode}`);
      else if (exc(plainEnd) !== exc(tracedEnd)) problems.push(`${p.id}: exception ${exc(plainEnd)} vs ${exc(tracedEnd)}`);
      else if (!tracedEnd || tracedEnd.events === 0) problems.push(`${p.id}: no trace`);
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));
  return problems;
}

describe('instrumented JavaScript behaves like the original', () => {
  it('on all HumanEval-X JavaScript problems (164; 40 in the slice)', async () => {
    note('humanevalx_js.jsonl');
    const records = readCorpus<{ id: string; solution: string; tests: string }>('humanevalx_js.jsonl');
    expect(records.length).toBe(full(164, 40));
    const problems = await compareAll(records.map((r) => ({ id: r.id, source: `${r.solution}\n${r.tests}` })));
    expect(problems).toEqual([]);
  }, 300_000);

  it('on tricky programs (ASI, classes, labels, recursion, getters, destructuring, with)', async () => {
    const files = readdirSync(TRICKY_DIR).filter((f) => f.endsWith('.js'));
    expect(files.length).toBeGreaterThanOrEqual(6);
    const problems = await compareAll(files.map((f) => ({ id: f, source: readFileSync(join(TRICKY_DIR, f), 'utf8') })));
    expect(problems).toEqual([]);
  });

  it('the getters program: tracing reads no getter and no proxy trap', async () => {
    const source = readFileSync(join(TRICKY_DIR, 'getters.js'), 'utf8');
    const traced = await runJs(source);
    expect(traced.stdout).toBe('0 42 1 hello 2 1 3\n');
  });
});
