/**
 * The TRL reader behind the Parquet row source, through an injected source
 * that yields rows the way hyparquet does (int64 as bigint). Real Parquet
 * files are read end to end in tests/parquet/trl-input.test.ts.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ParquetRowSource } from '../../src/read/types.js';
import { readAll } from './helpers.js';

const FIX = 'fixtures/rollouts/trl';
const rows = readFileSync(`${FIX}/completions_00010.jsonl`, 'utf8').split('\n').filter((l) => l.trim() !== '')
  .map((l) => { try { return JSON.parse(l); } catch { return null; } })
  .filter((r) => r !== null && !Array.isArray(r)) as Record<string, unknown>[];

const asHyparquet: ParquetRowSource = {
  async *rows() {
    for (const r of rows) yield { ...r, step: BigInt(r.step as number) };
  },
};

describe('trl-parquet', () => {
  it('reads rows from a Parquet row source, numbered from 1, bigint as number', async () => {
    const { results } = await readAll([writeTemp()], {
      parquet: asHyparquet, dataset: `${FIX}/dataset.jsonl`,
    });
    expect(results.length).toBe(rows.length);
    const first = results[0];
    expect(first.ok && first.rollout).toMatchObject({ step: 10, reward: 1.5, passed: true, source: { line: 1 } });
    expect(results.map((r) => (r.ok ? 'ok' : r.reject.reason))).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'no-dataset-match', 'missing-field']);
  });

  it('an empty Parquet file warns; a .parquet file with another forced format is an error', async () => {
    const empty: ParquetRowSource = { async *rows() {} };
    const { results, warnings } = await readAll([writeTemp()], { parquet: empty });
    expect(results).toEqual([]);
    expect(warnings.map((w) => w.code)).toEqual(['empty-file']);
    await expect(readAll([writeTemp()], { parquet: empty, inputFormat: 'verl' })).rejects.toThrow(/only --input-format trl-parquet/);
  });

});

function writeTemp(): string {
  const file = join(mkdtempSync(join(tmpdir(), 'read-pq-')), 'completions_00010.parquet');
  writeFileSync(file, 'PAR1');
  return file;
}
