/**
 * Of the rollouts a judge passed, which did `build` reject at the run stage
 * although they run fine under plain python3? (Issue 14's check on the
 * LiveCodeBench verl dump.)
 *
 *   python3 tests/read/lcb_to_verl.py CORPUS dump.jsonl
 *   coderl-trace build dump.jsonl --keep all --rejects rejects.jsonl -o tasks.jsonl
 *   node dist/tests/bench/judge-rejects.js CORPUS rejects.jsonl
 *
 * Prints the count, then one line per such rollout. "Runs fine plain": exit
 * status 0 and some output (stdout, or a return value) on the same first
 * test under tests/bench/plain_run.py, with the same prelude.
 */
import { readFileSync } from 'node:fs';
import { orderedMap } from '../../src/run/pool.js';
import { plainOutcome, runOf, THREADED, type LcbRecord } from './real-rollouts.js';

const [corpusFile, rejectsFile] = process.argv.slice(2);
const records = readFileSync(corpusFile, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as LcbRecord);
const rejects = readFileSync(rejectsFile, 'utf8').split('\n').filter((l) => l.trim())
  .map((l) => JSON.parse(l) as { key: string; stage: string; reason: string; detail: string; source: { line: number } })
  .filter((r) => r.stage === 'run');
const candidates = rejects.filter((r) => records[r.source.line - 1]?.passed === true);
const fine: string[] = [];
for await (const line of orderedMap(candidates, 2, async (r) => {
  const record = records[r.source.line - 1];
  const run = await runOf(record);
  if (!run) return null;
  const plain = await plainOutcome(run);
  const ok = plain.success && (plain.stdout.trim() !== '' || plain.return !== null);
  return ok ? `${record.id}${THREADED.test(run.code) ? ' [threading]' : ''}${run.prelude ? ' [prelude]' : ''}: ${r.reason} (${r.detail.slice(0, 80)})` : null;
})) if (line) fine.push(line);
console.log(`${rejects.length} run-stage rejects, ${candidates.length} of them judge-passed, ${fine.length} of those run fine plain`);
for (const line of fine) console.log(`  ${line}`);
