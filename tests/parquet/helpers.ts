/**
 * Helpers for the Parquet tests: the real CLI (compiled), TRL-shaped
 * Parquet written with hyparquet-writer the way pandas/pyarrow lay out a
 * TRL completions frame, and reading files back with hyparquet.
 */
import { spawn } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects, type FileMetaData, type SchemaElement } from 'hyparquet';
import { ByteWriter, parquetWrite } from 'hyparquet-writer';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const TRL = `${ROOT}fixtures/rollouts/trl`;

/** The CLI runs from dist/: fail clearly when it is older than the sources under test. */
export function assertBuilt(): void {
  for (const name of ['export/parquet', 'read/parquet', 'commands/build']) {
    const src = statSync(`${ROOT}src/${name}.ts`).mtimeMs;
    let out = 0;
    try {
      out = statSync(`${ROOT}dist/src/${name}.js`).mtimeMs;
    } catch { /* missing */ }
    if (out < src) throw new Error(`dist/src/${name}.js is missing or stale: run npx tsc -p tsconfig.json (npm test does)`);
  }
}

export function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [`${ROOT}bin/coderl-trace.js`, ...args], { cwd: ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end();
  });
}

export function jsonLines(path: string): Record<string, unknown>[] {
  return readFileSync(path, 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** The JSON-object lines of a JSONL file, with their 1-based line numbers (bad lines skipped). */
export function objectLines(path: string): { line: number; row: Record<string, unknown> }[] {
  return readFileSync(path, 'utf8').split('\n').flatMap((text, i) => {
    try {
      const v: unknown = JSON.parse(text);
      return v !== null && typeof v === 'object' && !Array.isArray(v) ? [{ line: i + 1, row: v as Record<string, unknown> }] : [];
    } catch {
      return [];
    }
  });
}

const UTF8 = { type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' } as const;

/**
 * Writes rows as TRL logs them (GRPOTrainer.log -> pandas -> to_parquet):
 * `step` int64, text columns UTF8, reward and advantage columns double,
 * list-of-text extra columns as LIST<UTF8>; a key a row lacks is null.
 */
export function writeTrlParquet(rows: Record<string, unknown>[], path: string, rowGroupSize: number): string[] {
  const names = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const schema: SchemaElement[] = [{ name: 'root', num_children: names.length }];
  for (const name of names) {
    const values = rows.map((r) => r[name]).filter((v) => v !== undefined);
    if (name === 'step') schema.push({ name, type: 'INT64', repetition_type: 'OPTIONAL' });
    else if (values.every((v) => typeof v === 'number')) schema.push({ name, type: 'DOUBLE', repetition_type: 'OPTIONAL' });
    else if (values.every((v) => typeof v === 'string')) schema.push({ name, ...UTF8 });
    else if (values.every((v) => Array.isArray(v) && v.every((e) => typeof e === 'string'))) {
      schema.push({ name, converted_type: 'LIST', repetition_type: 'OPTIONAL', num_children: 1 },
        { name: 'list', repetition_type: 'REPEATED', num_children: 1 }, { name: 'element', ...UTF8 });
    } else throw new Error(`column ${name} has no TRL-like type`);
  }
  const writer = new ByteWriter();
  void parquetWrite({
    writer,
    schema,
    rowGroupSize,
    columnData: names.map((name) => ({ name, data: rows.map((r) => (r[name] === undefined ? null : name === 'step' ? BigInt(r[name] as number) : r[name])) })),
  });
  writeFileSync(path, writer.getBytes());
  return names;
}

export interface ParquetFile {
  metadata: FileMetaData;
  rows: Record<string, unknown>[];
}

export async function readParquet(path: string): Promise<ParquetFile> {
  const file = await asyncBufferFromFile(path);
  const metadata = await parquetMetadataAsync(file);
  return { metadata, rows: await parquetReadObjects({ file, metadata }) };
}

/**
 * Rows of a file our exporter wrote, back to plain JSON: int64 as numbers,
 * the JSON-text columns its metadata lists parsed.
 */
export async function readExport(path: string): Promise<{ metadata: FileMetaData; about: { format: string; json_columns: string[] }; records: Record<string, unknown>[] }> {
  const { metadata, rows } = await readParquet(path);
  const entry = metadata.key_value_metadata?.find((kv) => kv.key === 'coderl_trace');
  if (!entry?.value) throw new Error(`${path} has no coderl_trace metadata`);
  const about = JSON.parse(entry.value) as { format: string; json_columns: string[] };
  const records = rows.map((row) => {
    const rec = plain(row) as Record<string, unknown>;
    for (const column of about.json_columns) if (typeof rec[column] === 'string') rec[column] = JSON.parse(rec[column] as string);
    return rec;
  });
  return { metadata, about, records };
}

/** int64 as number; a null struct (which hyparquet returns as undefined) as null. */
export function plain(value: unknown): unknown {
  if (value === undefined) return null;
  if (typeof value === 'bigint') return Number(value);
  if (Array.isArray(value)) return value.map(plain);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  return value;
}

/** A record as a Parquet reader returns it: every schema column present, absent ones null. */
export function withColumns(rec: Record<string, unknown>, columns: string[]): Record<string, unknown> {
  return Object.fromEntries(columns.map((c) => [c, rec[c] ?? null]));
}
