/**
 * TRL completions as real Parquet: the fixture's rows written to
 * completions_00010.parquet with hyparquet-writer (int64 step, double
 * rewards, UTF8 text, LIST<UTF8> extra columns, several row groups), read
 * by the real reader and by the real CLI, must give what the JSONL log of
 * the same rows gives, and what the fixture's hand-written expectations say.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readRollouts } from '../../src/read/index.js';
import type { ReadResult } from '../../src/read/types.js';
import { TRL, assertBuilt, cli, jsonLines, objectLines, readParquet, writeTrlParquet } from './helpers.js';

const JSONL = `${TRL}/completions_00010.jsonl`;
const DATASET = `${TRL}/dataset.jsonl`;
const dir = mkdtempSync(join(tmpdir(), 'pq-trl-'));
const PARQUET = join(dir, 'completions_00010.parquet');
const objects = objectLines(JSONL);

async function read(path: string): Promise<ReadResult[]> {
  const out: ReadResult[] = [];
  for await (const r of readRollouts([path], { dataset: DATASET })) out.push(r);
  return out;
}

/** A read result with the file name taken out, so the two variants compare. */
function anonymous(value: unknown, file: string): unknown {
  return JSON.parse(JSON.stringify(value).split(JSON.stringify(file).slice(1, -1)).join('<FILE>'));
}

beforeAll(() => {
  // The fixture's JSON-object lines are rows 1.. of the log (its two bad lines come last).
  expect(objects.map((o) => o.line)).toEqual(objects.map((_, i) => i + 1));
  writeTrlParquet(objects.map((o) => o.row), PARQUET, 3);
});

describe('TRL completions Parquet input', () => {
  it('the file is laid out as TRL logs it: int64 step (bigint), double rewards, several row groups', async () => {
    const { metadata, rows } = await readParquet(PARQUET);
    expect(metadata.row_groups.map((g) => Number(g.num_rows))).toEqual([3, 3, 2]);
    const byName = Object.fromEntries(metadata.schema.map((e) => [e.name, e]));
    expect(byName.step).toMatchObject({ type: 'INT64' });
    expect(byName.code_reward).toMatchObject({ type: 'DOUBLE' });
    expect(byName.advantage).toMatchObject({ type: 'DOUBLE' });
    expect(byName.prompt).toMatchObject({ type: 'BYTE_ARRAY', converted_type: 'UTF8' });
    expect(byName.inputs).toMatchObject({ converted_type: 'LIST' });
    expect(rows.length).toBe(8);
    expect(rows[0].step).toBe(10n);
    expect(rows[7].completion).toBeNull(); // row 8 has no completion in the log
  });

  it('reads the same rollouts and rejects as the JSONL log of the same rows', async () => {
    const fromParquet = await read(PARQUET);
    const fromJsonl = await read(JSONL);
    expect(fromParquet.length).toBe(objects.length);
    expect(fromParquet.map((r) => anonymous(r, PARQUET))).toEqual(fromJsonl.slice(0, objects.length).map((r) => anonymous(r, JSONL)));
  });

  it('matches the fixture expectations written by hand', async () => {
    const expected = (await import(`${TRL}/completions_00010.expected.json`, { with: { type: 'json' } })).default as
      { line: number; results: ({ ok: true; language: string; style: string; tests: number; passed: boolean } | { ok: false; reason: string })[] }[];
    const results = await read(PARQUET);
    const got = results.map((r) => (r.ok
      ? { ok: true, language: r.rollout.language, style: r.rollout.style, tests: r.rollout.tests.length, passed: r.rollout.passed }
      : { ok: false, reason: r.reject.reason }));
    expect(got).toEqual(expected.filter((e) => e.line <= objects.length).flatMap((e) => e.results));
    const first = results[0];
    expect(first.ok && first.rollout).toMatchObject({ step: 10, reward: 1.5, source: { file: PARQUET, line: 1 } });
  });

  it('the CLI builds the same tasks and read rejects from the Parquet file as from the JSONL log', async () => {
    assertBuilt();
    const run = async (input: string, tag: string) => {
      const out = join(dir, `${tag}.jsonl`);
      const rejects = join(dir, `${tag}.rejects.jsonl`);
      const stats = join(dir, `${tag}.stats.json`);
      const r = await cli(['build', input, '--dataset', DATASET, '--keep', 'all', '-o', out, '--rejects', rejects, '--stats', stats, '--jobs', '2']);
      expect(r.code, r.stderr).toBe(0);
      return { tasks: jsonLines(out).map((t) => anonymous(t, input)), rejects: jsonLines(rejects).map((t) => anonymous(t, input)), stats: JSON.parse(readFileSync(stats, 'utf8')) as { records: number; balanced: boolean } };
    };
    const [pq, jl] = await Promise.all([run(PARQUET, 'from-parquet'), run(JSONL, 'from-jsonl')]);
    expect(pq.tasks.length).toBeGreaterThan(0);
    expect(pq.tasks).toEqual(jl.tasks);
    // The JSONL log has two more lines (malformed JSON, a non-object) that no Parquet file can hold.
    const lineOf = (r: unknown) => (r as { source: { line: number } }).source.line;
    expect(pq.rejects).toEqual(jl.rejects.filter((r) => lineOf(r) <= objects.length));
    expect(jl.rejects.filter((r) => lineOf(r) > objects.length).map((r) => (r as { reason: string }).reason)).toEqual(['invalid-json', 'not-an-object']);

    // And the read-stage rejects are exactly what the reader says about the JSONL rows.
    const readRejects = (await read(JSONL)).slice(0, objects.length).flatMap((r) => (r.ok ? [] : [{ line: r.reject.source.line, reason: r.reject.reason }]));
    expect(pq.rejects.filter((r) => (r as { stage: string }).stage === 'read').map((r) => ({ line: lineOf(r), reason: (r as { reason: string }).reason }))).toEqual(readRejects);
    expect(pq.stats).toMatchObject({ records: objects.length, balanced: true });
  });
});
