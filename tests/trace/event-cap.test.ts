/**
 * The event cap only stops recording: past it, probes take cheaper paths
 * (Python: a builtin flag; JavaScript: values kept unencoded until a frame's
 * finals are needed), and the program's output, return value and finals
 * must stay exactly those of a run with no cap. Checked on real corpora
 * against uncapped runs of the same programs.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Tracer } from '../../src/trace/tracer.js';
import { DEFAULT_LIMITS } from '../../src/run/limits.js';
import type { Run } from '../../src/model/run.js';
import type { Trace } from '../../src/model/trace.js';

import { full, note, readCorpus } from '../corpora.js';

const corpus = (name: string) => { note(name); return readCorpus(name); };

const uncapped = new Tracer({ jobs: 2, limits: { ...DEFAULT_LIMITS, max_events: 1_000_000 } });
const capped = new Tracer({ jobs: 2, limits: { ...DEFAULT_LIMITS, max_events: 5 } });
afterAll(() => { uncapped.close(); capped.close(); });

const outcome = (t: Trace) => JSON.stringify({ stdout: t.stdout, status: t.status, return: t.return, finals: t.finals });

async function compare(runs: Run[]): Promise<{ compared: number; differing: string[] }> {
  const differing: string[] = [];
  let compared = 0;
  const queue = [...runs];
  const worker = async () => {
    for (let run = queue.shift(); run; run = queue.shift()) {
      const [full, cut] = await Promise.all([uncapped.trace(run), capped.trace(run)]);
      if (full.status !== 'ok' || full.limits.events) continue; // too long to trace whole: nothing to compare with
      if (!cut.limits.events) continue; // a run this short never reached the cap
      compared++;
      if (outcome(full) !== outcome(cut)) differing.push(run.id);
    }
  };
  await Promise.all([worker(), worker()]);
  return { compared, differing };
}

describe('a run past the event cap keeps the output, return and finals of an uncapped run', () => {
  it('Python: CRUXEval', async () => {
    const runs: Run[] = corpus('cruxeval.jsonl').filter((_, i) => i % 2 === 0)
      .map((p) => ({ id: p.id, language: 'python', code: p.code, input: { kind: 'call', call: p.input_call } }));
    const { compared, differing } = await compare(runs);
    expect(compared).toBeGreaterThanOrEqual(full(200, 15)); // 244 of the 400 run past 5 events (slice: 30)
    expect(differing).toEqual([]);
  }, 300_000);

  it('JavaScript: HumanEval-X (programs without Math.random)', async () => {
    const runs: Run[] = corpus('humanevalx_js.jsonl').filter((p) => !/Math\.random/.test(p.solution + p.tests))
      .map((p) => ({ id: p.id, language: 'javascript', code: `${p.solution}\n${p.tests}`, input: { kind: 'stdin', stdin: '' } }));
    const { compared, differing } = await compare(runs);
    expect(compared).toBeGreaterThanOrEqual(full(150, 35));
    expect(differing).toEqual([]);
  }, 300_000);

  // Objects a function changed, changed again by its caller after the
  // function's last exit: its finals must show them as they were at that exit.
  const MUTATED_AFTER_EXIT = {
    python: [
      'def g(xs, o):',
      '    xs.append(len(xs))',
      '    o["n"] += 1',
      '    for i in range(2):',
      '        tag = "k" + str(i)',
      '    return len(xs)',
      'a = []',
      'box = {"n": 0}',
      'for k in range(30):',
      '    g(a, box)',
      'a.append(99)',
      'box["n"] = -1',
      'print(len(a), box["n"])',
    ].join('\n'),
    javascript: [
      'function g(xs, o) {',
      '  xs.push(xs.length);',
      '  o.n += 1;',
      '  for (let i = 0; i < 2; i++) { const tag = "k" + i; }',
      '  return xs.length;',
      '}',
      'const a = [];',
      'const box = { n: 0 };',
      'for (let k = 0; k < 30; k++) g(a, box);',
      'a.push(99);',
      'box.n = -1;',
      'console.log(a.length, box.n);',
    ].join('\n'),
  };

  it.each(['python', 'javascript'] as const)('%s: objects changed after a frame\'s last exit keep their state at that exit', async (language) => {
    const run: Run = { id: language, language, code: MUTATED_AFTER_EXIT[language], input: { kind: 'stdin', stdin: '' } };
    const [full, cut] = await Promise.all([uncapped.trace(run), capped.trace(run)]);
    expect(cut.limits.events).toBe(true);
    expect(cut.stdout).toBe('31 -1\n');
    const xs = Array.from({ length: 30 }, (_, i) => i);
    expect(cut.finals.g.xs.json).toEqual(xs);
    expect(cut.finals.g.o.repr).toBe(language === 'python' ? "{'n': 30}" : '{ n: 30 }');
    expect(outcome(cut)).toBe(outcome(full));
  });
});
