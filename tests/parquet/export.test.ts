/**
 * Parquet output: `build -o tasks.parquet` through the real CLI, read back
 * with hyparquet and compared with the JSONL output of the same build; the
 * schema the file declares checked against hand-written expectations
 * (LIST<STRUCT<role, content>> for chat messages, the verl structs); row
 * groups, streaming to disk, determinism and bad records in process.
 */
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parquetSchema, type FileMetaData, type SchemaTree } from 'hyparquet';
import { beforeAll, describe, expect, it } from 'vitest';
import { EXPORT_FORMATS, type ExportFormat } from '../../src/export/formats.js';
import { ParquetRecordWriter, PARQUET_SCHEMAS, parquetOutputStream } from '../../src/export/parquet.js';
import { InputError } from '../../src/errors.js';
import { TRL, assertBuilt, cli, jsonLines, plain, readExport, readParquet, withColumns } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'pq-export-'));
const INPUT = `${TRL}/completions_00010.jsonl`;
const jsonl: Partial<Record<ExportFormat, Record<string, unknown>[]>> = {};

async function build(format: ExportFormat, output: string, jobs = 1): Promise<void> {
  const r = await cli(['build', INPUT, '--dataset', `${TRL}/dataset.jsonl`, '--keep', 'all', '-f', format, '-o', output, '--jobs', String(jobs)]);
  expect(r.code, r.stderr).toBe(0);
}

/** The type a Parquet schema node declares, read per the Parquet spec (three-level LIST, groups as structs). */
function describeType(node: SchemaTree): string {
  const e = node.element;
  if (e.converted_type === 'LIST') {
    expect(node.children).toHaveLength(1);
    const repeated = node.children[0];
    expect(repeated.element.repetition_type).toBe('REPEATED');
    expect(repeated.children).toHaveLength(1);
    return `LIST<${describeType(repeated.children[0])}>`;
  }
  if (node.children.length > 0) return `STRUCT<${node.children.map((c) => `${c.element.name}: ${describeType(c)}`).join(', ')}>`;
  if (e.type === 'BYTE_ARRAY' && e.converted_type === 'UTF8') {
    expect(e.logical_type).toEqual({ type: 'STRING' });
    return 'STRING';
  }
  return String(e.type);
}

function columnTypes(metadata: FileMetaData): Record<string, string> {
  return Object.fromEntries(parquetSchema(metadata).children.map((c) => [c.element.name, describeType(c)]));
}

const MESSAGES = 'LIST<STRUCT<role: STRING, content: STRING>>';

beforeAll(async () => {
  assertBuilt();
  // Two builds at a time: each traces a handful of programs.
  for (let i = 0; i < EXPORT_FORMATS.length; i += 2) {
    await Promise.all(EXPORT_FORMATS.slice(i, i + 2).map(async (format) => {
      const out = join(dir, `${format}.jsonl`);
      await build(format, out);
      jsonl[format] = jsonLines(out);
    }));
  }
  for (const format of EXPORT_FORMATS) expect(jsonl[format]!.length, format).toBeGreaterThan(0);
});

describe('build -o tasks.parquet', () => {
  it('verl: the file holds exactly the records of the JSONL build, byte-identical at any --jobs', async () => {
    const out = join(dir, 'verl.parquet');
    await build('verl', out);
    const { records, about } = await readExport(out);
    expect(about).toMatchObject({ format: 'verl', json_columns: [] });
    expect(records).toEqual(jsonl.verl);
    // What verl's RLHFDataset needs: prompt as a list of message dicts, ground truth the JSON string the reward parses.
    for (const rec of records) {
      expect(rec.prompt).toEqual([{ role: 'user', content: expect.stringContaining('```') }]);
      expect(JSON.parse((rec.reward_model as { ground_truth: string }).ground_truth)).toHaveProperty('expected_local_variable');
    }
    const parallel = join(dir, 'verl-jobs2.parquet');
    await build('verl', parallel, 2);
    expect(readFileSync(parallel).equals(readFileSync(out)), 'same bytes at --jobs 1 and 2').toBe(true);
  });

  it('verl: the declared schema is the nested one (prompt LIST<STRUCT<role, content>>, structs for reward_model and extra_info)', async () => {
    const { metadata } = await readParquet(join(dir, 'verl.parquet'));
    expect(columnTypes(metadata)).toEqual({
      data_source: 'STRING',
      prompt: MESSAGES,
      ability: 'STRING',
      reward_model: 'STRUCT<style: STRING, ground_truth: STRING>',
      extra_info: 'STRUCT<index: INT64, id: STRING, task: STRING, language: STRING, answer: STRING>',
    });
    // The same, element by element, as the footer lists them (pyarrow's standard list naming).
    expect(metadata.schema.slice(0, 7).map(({ name, type, converted_type, repetition_type, num_children }) => ({ name, type, converted_type, repetition_type, num_children }))).toEqual([
      { name: 'root', type: undefined, converted_type: undefined, repetition_type: undefined, num_children: 5 },
      { name: 'data_source', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL', num_children: undefined },
      { name: 'prompt', type: undefined, converted_type: 'LIST', repetition_type: 'OPTIONAL', num_children: 1 },
      { name: 'list', type: undefined, converted_type: undefined, repetition_type: 'REPEATED', num_children: 1 },
      { name: 'element', type: undefined, converted_type: undefined, repetition_type: 'OPTIONAL', num_children: 2 },
      { name: 'role', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL', num_children: undefined },
      { name: 'content', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL', num_children: undefined },
    ]);
    expect(metadata.created_by).toMatch(/^coderl-trace /);
  });

  it('traces: irregular parts are JSON text columns named in the metadata; everything else is typed', async () => {
    const out = join(dir, 'traces.parquet');
    await build('traces', out);
    const { records, about, metadata } = await readExport(out);
    expect(about.json_columns).toEqual(['events', 'finals', 'return', 'provenance']);
    const types = columnTypes(metadata);
    for (const c of about.json_columns) expect(types[c]).toBe('STRING');
    expect(types).toMatchObject({ exit_code: 'INT64', duration_ms: 'DOUBLE', truncated: 'STRUCT<stdout: BOOLEAN, stderr: BOOLEAN>', warnings: 'LIST<STRING>' });
    // A second build: everything but the wall-clock time is the same.
    const columns = Object.keys(types);
    const untimed = (r: Record<string, unknown>) => ({ ...r, duration_ms: typeof r.duration_ms });
    expect(records.map(untimed)).toEqual(jsonl.traces!.map((r) => untimed(withColumns(r, columns))));
    expect(records[0].events).toEqual(expect.arrayContaining([expect.objectContaining({ line: 1, vars: expect.any(Object) })]));
  });

  it('every format round-trips through the writer, in small row groups', async () => {
    for (const format of EXPORT_FORMATS) {
      const records = jsonl[format]!;
      const out = join(dir, `small-groups-${format}.parquet`);
      const writer = new ParquetRecordWriter(out, format, { rows: 2, bytes: Infinity });
      for (const r of records) writer.write(r);
      writer.close();
      const back = await readExport(out);
      expect(back.metadata.row_groups.map((g) => Number(g.num_rows)), format).toEqual(groups(records.length, 2));
      const columns = PARQUET_SCHEMAS[format].map((f) => f.name);
      expect(back.records, format).toEqual(records.map((r) => withColumns(r, columns)));
      const types = columnTypes(back.metadata);
      if (format === 'messages') expect(types.messages).toBe(MESSAGES);
      if (format === 'prompt-completion') expect([types.prompt, types.completion]).toEqual([MESSAGES, MESSAGES]);
    }
  });
});

describe('ParquetRecordWriter', () => {
  const record = (i: number, content: string) => ({
    data_source: i % 2 ? null : 'src',
    prompt: content === '' ? [] : [{ role: 'user', content }],
    ability: 'code-reasoning',
    reward_model: { style: 'rule', ground_truth: JSON.stringify({ i }) },
    extra_info: { index: i, id: `r${i}`, task: 'output', language: 'python', answer: null },
  });

  it('keeps nulls, empty lists and non-ASCII text; cuts row groups by size', async () => {
    const out = join(dir, 'sizes.parquet');
    const writer = new ParquetRecordWriter(out, 'verl', { rows: 1000, bytes: 250_000 });
    const records = Array.from({ length: 7 }, (_, i) => record(i, i === 0 ? '' : `é€😀 ${i} `.repeat(12_000)));
    for (const r of records) writer.write(r);
    writer.close();
    const { metadata, records: back } = await readExport(out);
    // Records 1.. have 84,000 UTF-16 units of text each: rows 0-3 reach 252,000 >= 250,000 and close a group.
    expect(metadata.row_groups.map((g) => Number(g.num_rows))).toEqual([4, 3]);
    expect(back).toEqual(records);
  });

  it('writes full row groups to disk as it goes, and the same records give the same bytes', () => {
    const write = (path: string, n: number) => {
      const writer = new ParquetRecordWriter(path, 'verl', { rows: 500, bytes: Infinity });
      let sizeBeforeClose = 0;
      for (let i = 0; i < n; i++) writer.write(record(i, noise(i, 2000)));
      sizeBeforeClose = statSync(path).size;
      writer.close();
      return sizeBeforeClose;
    };
    const a = join(dir, 'stream-a.parquet');
    const b = join(dir, 'stream-b.parquet');
    // 3,000 records of 2 KB of incompressible text: the groups before the last are on disk before close().
    expect(write(a, 3000)).toBeGreaterThan(1_000_000);
    write(b, 3000);
    expect(readFileSync(a).equals(readFileSync(b))).toBe(true);
  });

  it('no records: a valid file with the schema and no rows', async () => {
    const out = join(dir, 'empty.parquet');
    new ParquetRecordWriter(out, 'messages').close();
    const { metadata, rows } = await readParquet(out);
    expect(Number(metadata.num_rows)).toBe(0);
    expect(rows).toEqual([]);
    expect(columnTypes(metadata)).toEqual({ messages: MESSAGES, id: 'STRING' });
  });

  it('a record that does not fit the schema is an error naming the field', () => {
    const writer = new ParquetRecordWriter(join(dir, 'bad.parquet'), 'verl');
    expect(() => writer.write({ ...record(1, 'x'), surprise: 1 })).toThrow(/"surprise" has no column/);
    expect(() => writer.write({ ...record(1, 'x'), extra_info: { index: 1, note: 'x' } })).toThrow(/"extra_info.note" has no column/);
    expect(() => writer.write({ ...record(1, 'x'), ability: 3 })).toThrow(/"ability" should be a string/);
    expect(() => writer.write({ ...record(1, 'x'), prompt: [{ role: 'user', content: 7 }] })).toThrow(/"prompt\[0\].content" should be a string/);
    expect(() => writer.write({ ...record(1, 'x'), extra_info: { index: 1.5 } })).toThrow(/"extra_info.index" should be a whole number/);
  });

  it('an output path that cannot be written is an InputError before anything runs', () => {
    expect(() => new ParquetRecordWriter(join(dir, 'no-such-dir', 'x.parquet'), 'verl')).toThrow(InputError);
  });

  it('the stream build writes to takes JSON Lines text in any chunking', async () => {
    const out = join(dir, 'stream.parquet');
    const records = [record(1, 'first'), record(2, 'second\nline'), record(3, '')];
    const text = records.map((r) => JSON.stringify(r) + '\n').join('');
    const stream = parquetOutputStream(out, 'verl');
    for (let i = 0; i < text.length; i += 7) stream.write(text.slice(i, i + 7));
    await new Promise<void>((resolve, reject) => stream.end((err?: Error | null) => (err ? reject(err) : resolve())));
    expect((await readExport(out)).records).toEqual(records);
  });

  it('int64 comes back as bigint from a plain hyparquet read', async () => {
    const out = join(dir, 'int64.parquet');
    const writer = new ParquetRecordWriter(out, 'verl');
    writer.write(record(2 ** 40, 'x'));
    writer.close();
    const { rows } = await readParquet(out);
    expect((rows[0].extra_info as { index: unknown }).index).toBe(2n ** 40n);
    expect(plain(rows[0])).toEqual(record(2 ** 40, 'x'));
  });
});

function groups(n: number, size: number): number[] {
  return Array.from({ length: Math.ceil(n / size) }, (_, i) => Math.min(size, n - i * size));
}

/** Deterministic text that neither snappy nor a dictionary can shrink much. */
function noise(seed: number, length: number): string {
  let x = (seed * 2654435761 + 1) >>> 0;
  let out = '';
  while (out.length < length) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    out += (x >>> 8).toString(36);
  }
  return out.slice(0, length);
}
