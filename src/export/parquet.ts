/**
 * Parquet output (`build -o tasks.parquet`), for trainers that read Parquet
 * only (older verl) and for `datasets` / pandas users.
 *
 * Each export format has a fixed nested schema, declared with the format, so readers
 * get real types: in `verl`, `prompt` is LIST<STRUCT<role, content>> (what
 * verl's RLHFDataset hands to the chat template), `reward_model` is
 * STRUCT<style, ground_truth> and `extra_info` a struct; chat formats
 * likewise. Values that have no regular shape (a trace's events, finals,
 * return value and provenance) are stored as JSON text in UTF8 string
 * columns, listed in the file's key-value metadata under `coderl_trace`
 * (`json_columns`). Plain UTF8 rather than Parquet's JSON annotation because
 * pyarrow before 19 reads JSON-annotated columns as binary (bytes in
 * pandas / datasets). `ground_truth` stays the JSON string the reward code
 * expects, as in JSONL.
 *
 * Memory: Parquet is columnar, so records are buffered, but only one row
 * group at a time (ROW_GROUP_ROWS records or about ROW_GROUP_BYTES of
 * text, whichever comes first); each full group is encoded and appended to
 * the file, so memory stays flat however many tasks a build writes. The
 * output is deterministic (no timestamps), so equal builds give equal bytes.
 * The footer is written last: a build that dies midway leaves a file no
 * Parquet reader accepts, rather than one that silently looks complete.
 */
import { Writable } from 'node:stream';
import type { SchemaElement } from 'hyparquet';
import { ParquetWriter, fileWriter, type ColumnSource, type Writer } from 'hyparquet-writer';
import { InputError } from '../errors.js';
import { EXPORT_FORMAT_SPECS, type ExportFormat } from './formats.js';
import type { Field } from './formats/types.js';

export type { Field };

/** The columns of each export format (declared with the format, in src/export/formats/). */
export const PARQUET_SCHEMAS = Object.fromEntries(
  Object.entries(EXPORT_FORMAT_SPECS).map(([name, spec]) => [name, spec.parquet]),
) as Record<ExportFormat, Field[]>;

export const ROW_GROUP_ROWS = 10_000;
export const ROW_GROUP_BYTES = 32 * 1024 * 1024;
/** Key of the file's key-value metadata entry describing the file. */
export const METADATA_KEY = 'coderl_trace';

/** The Parquet schema (flattened, depth-first, as in the file footer) for a list of fields. */
export function parquetSchema(fields: Field[]): SchemaElement[] {
  const out: SchemaElement[] = [{ name: 'root', num_children: fields.length }];
  const add = (f: Field): void => {
    switch (f.type) {
      case 'string':
      case 'json':
        out.push({ name: f.name, type: 'BYTE_ARRAY', converted_type: 'UTF8', logical_type: { type: 'STRING' }, repetition_type: 'OPTIONAL' });
        return;
      case 'int64':
        out.push({ name: f.name, type: 'INT64', repetition_type: 'OPTIONAL' });
        return;
      case 'double':
        out.push({ name: f.name, type: 'DOUBLE', repetition_type: 'OPTIONAL' });
        return;
      case 'boolean':
        out.push({ name: f.name, type: 'BOOLEAN', repetition_type: 'OPTIONAL' });
        return;
      case 'struct':
        out.push({ name: f.name, repetition_type: 'OPTIONAL', num_children: f.fields.length });
        f.fields.forEach(add);
        return;
      case 'list':
        // The standard three-level list (what pyarrow writes): <name> (LIST) / repeated list / element.
        out.push({ name: f.name, repetition_type: 'OPTIONAL', converted_type: 'LIST', num_children: 1 });
        out.push({ name: 'list', repetition_type: 'REPEATED', num_children: 1 });
        add(f.element);
        return;
    }
  };
  fields.forEach(add);
  return out;
}

/** Names of the columns (dotted paths) that hold JSON text. */
export function jsonColumns(fields: Field[], prefix = ''): string[] {
  return fields.flatMap((f) => {
    const path = prefix + f.name;
    if (f.type === 'json') return [path];
    if (f.type === 'struct') return jsonColumns(f.fields, `${path}.`);
    if (f.type === 'list') return jsonColumns([f.element], `${path}.`);
    return [];
  });
}

/**
 * Writes export records of one format to one Parquet file, one row group
 * at a time. A record that does not fit the format's schema (an unknown
 * field, a wrong type) is an Error: the schema and formats.ts disagree,
 * and silently dropping a field would be worse.
 */
export class ParquetRecordWriter {
  private readonly fields: Field[];
  private readonly writer: ParquetWriter;
  private rows: Record<string, unknown>[] = [];
  private bytes = 0;

  constructor(path: string, readonly format: ExportFormat, private readonly limits = { rows: ROW_GROUP_ROWS, bytes: ROW_GROUP_BYTES }) {
    this.fields = PARQUET_SCHEMAS[format];
    const about = { format, json_columns: jsonColumns(this.fields) };
    this.writer = new ParquetWriter({
      writer: openFile(path),
      schema: parquetSchema(this.fields),
      kvMetadata: [{ key: METADATA_KEY, value: JSON.stringify(about) }],
      createdBy: 'coderl-trace (hyparquet-writer)', // the tool version is in every ground truth's provenance
    });
  }

  write(record: Record<string, unknown>): void {
    const size = { bytes: 0 };
    this.rows.push(toRow(this.fields, record, '', size));
    this.bytes += size.bytes;
    if (this.rows.length >= this.limits.rows || this.bytes >= this.limits.bytes) this.flush();
  }

  /** Writes the last row group and the footer. */
  close(): void {
    this.flush();
    void this.writer.finish(); // the node file writer is synchronous
  }

  private flush(): void {
    if (this.rows.length === 0) return;
    const rows = this.rows;
    this.rows = [];
    this.bytes = 0;
    const columnData: ColumnSource[] = this.fields.map((f) => ({ name: f.name, data: rows.map((r) => r[f.name]) }));
    void this.writer.write({ columnData, rowGroupSize: rows.length });
  }
}

/**
 * The same writer behind a Writable that takes JSON Lines text (what
 * `writeJsonl` writes), so `build` can swap it in for its JSONL output
 * stream; ending the stream writes the footer.
 */
export function parquetOutputStream(path: string, format: ExportFormat): Writable {
  const out = new ParquetRecordWriter(path, format);
  let partial = '';
  const take = (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) if (line.trim() !== '') out.write(JSON.parse(line) as Record<string, unknown>);
  };
  return new Writable({
    decodeStrings: false,
    write(chunk: string | Buffer, _encoding, done) {
      try {
        take(String(chunk));
        done();
      } catch (err) {
        done(err as Error);
      }
    },
    final(done) {
      try {
        take('\n');
        out.close();
        done();
      } catch (err) {
        done(err as Error);
      }
    },
  });
}

/** Creates (truncates) the file now, so a bad path fails before the build starts. */
function openFile(path: string): Writer {
  try {
    return fileWriter(path);
  } catch (err) {
    throw new InputError(`cannot write ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/** One record as the values hyparquet-writer expects for `fields` (int64 as bigint, JSON as text). */
function toRow(fields: Field[], record: Record<string, unknown>, prefix: string, size: { bytes: number }): Record<string, unknown> {
  const known = new Set(fields.map((f) => f.name));
  for (const key of Object.keys(record)) {
    if (!known.has(key) && record[key] !== undefined) throw new Error(`Parquet output: "${prefix}${key}" has no column in the schema`);
  }
  return Object.fromEntries(fields.map((f) => [f.name, toValue(f, record[f.name], prefix + f.name, size)]));
}

function toValue(field: Field, value: unknown, path: string, size: { bytes: number }): unknown {
  if (value === undefined || value === null) return null;
  const wrong = (want: string) => new Error(`Parquet output: "${path}" should be ${want}, got ${JSON.stringify(value)?.slice(0, 80)}`);
  switch (field.type) {
    case 'string':
      if (typeof value !== 'string') throw wrong('a string');
      size.bytes += value.length;
      return value;
    case 'json': {
      const encoded = JSON.stringify(value);
      size.bytes += encoded.length;
      return encoded;
    }
    case 'int64':
      if (typeof value === 'bigint') return value;
      if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw wrong('a whole number');
      size.bytes += 8;
      return BigInt(value);
    case 'double':
      if (typeof value !== 'number') throw wrong('a number');
      size.bytes += 8;
      return value;
    case 'boolean':
      if (typeof value !== 'boolean') throw wrong('true or false');
      size.bytes += 1;
      return value;
    case 'struct':
      if (typeof value !== 'object' || Array.isArray(value)) throw wrong('an object');
      return toRow(field.fields, value as Record<string, unknown>, `${path}.`, size);
    case 'list':
      if (!Array.isArray(value)) throw wrong('a list');
      return value.map((v, i) => toValue(field.element, v, `${path}[${i}]`, size));
  }
}
