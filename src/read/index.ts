/**
 * The readers' single entry point: stream Rollouts (or Rejects) out of
 * rollout files of any supported format, in input order.
 *
 *     for await (const r of readRollouts(['dumps/'], { inputFormat: 'auto' })) ...
 *
 * Files are read line by line (JSONL) or row group by row group (Parquet),
 * never whole. The format is chosen per file (`--input-format`, or detected
 * from the extension and the first JSON object record, see detect.ts). Every
 * record yields at least one result; missing files, a format that cannot be
 * detected, and a Parquet file without the Parquet library are InputErrors
 * (the whole input is unusable, so the command should stop).
 */
import { statSync } from 'node:fs';
import { InputError } from '../errors.js';
import { DEFAULT_MAX_LINE_BYTES, openInput, readJsonl, type JsonlLine } from '../jsonl.js';
import { loadDataset, type DatasetIndex } from './dataset.js';
import { detectFormat } from './detect.js';
import { genericCandidate } from './formats/generic.js';
import { trlCandidate } from './formats/trl.js';
import { verlDatasetCandidate } from './formats/verl-dataset.js';
import { verlCandidate } from './formats/verl.js';
import { hyparquetRows, isParquetPath } from './parquet.js';
import { expandPaths } from './paths.js';
import { finishCandidate, RecordError, reject, type Candidate, type FinishOptions } from './rollout.js';
import { withPythonCalls } from './call-input.js';
import type { InputFormat, ReadOptions, ReadResult, ReadWarning, Source } from './types.js';
import type { Readable } from 'node:stream';

export * from './types.js';
export { extractCode, guessLanguage } from './extract.js';
export { parseFieldSpecs, getPath } from './fields.js';
export { parseTests } from './test-cases.js';
export { expandPaths } from './paths.js';

interface Context {
  options: ReadOptions;
  finish: FinishOptions;
  dataset: DatasetIndex | null;
  warn: (w: ReadWarning) => void;
}

export async function* readRollouts(paths: readonly string[], options: ReadOptions = {}): AsyncGenerator<ReadResult> {
  const files = expandPaths(paths);
  if (files.filter((f) => f === '-').length > 1) throw new InputError('stdin (-) can be read only once');
  const ctx = await makeContext(options);
  for (const file of files) {
    const forced = options.inputFormat && options.inputFormat !== 'auto' ? options.inputFormat : null;
    if (isParquetPath(file)) {
      if (forced !== null && forced !== 'trl-parquet') throw new InputError(`${file} is Parquet, which only --input-format trl-parquet reads`);
      yield* runnableCalls(readParquet(file, ctx));
    } else {
      yield* runnableCalls(readJsonlFile(file, forced, ctx));
    }
  }
}

/**
 * Already-decoded records (e.g. the rows of a `serve` request), read as the
 * lines of a file named `label` would be: the same format detection, the
 * same rollouts and rejects; only the provenance says `label` and the row.
 */
export function readRecords(records: Iterable<unknown>, label: string, options: ReadOptions = {}): AsyncGenerator<ReadResult> {
  return runnableCalls(decodedRecords(records, label, options));
}

async function* decodedRecords(records: Iterable<unknown>, label: string, options: ReadOptions): AsyncGenerator<ReadResult> {
  const ctx = await makeContext(options);
  const rows = [...records];
  let format = options.inputFormat && options.inputFormat !== 'auto' ? options.inputFormat : null;
  const first = rows.find(isObject);
  if (format === null && first !== undefined) {
    const detection = detectFormat(label, first, options.fields);
    if (detection.format === null) throw new InputError(detection.detail);
    format = detection.format;
  }
  for (let i = 0; i < rows.length; i++) {
    yield* fromLine(label, { ok: true, lineNo: i + 1, value: rows[i], bytes: 0 }, format, ctx);
  }
}

async function makeContext(options: ReadOptions): Promise<Context> {
  const warn = options.onWarning ?? ((w: ReadWarning) => process.stderr.write(`coderl-trace: warning: ${w.file}: ${w.message}\n`));
  return {
    options,
    finish: { language: options.language, passThreshold: options.passThreshold ?? 1 },
    dataset: options.dataset ? await loadDataset(options.dataset, warn) : null,
    warn,
  };
}

/** Call tests in LeetCode notation become Python (see call-input.ts). */
async function* runnableCalls(results: AsyncGenerator<ReadResult>): AsyncGenerator<ReadResult> {
  for await (const r of results) yield r.ok ? { ok: true, rollout: await withPythonCalls(r.rollout) } : r;
}

async function* readJsonlFile(file: string, forced: InputFormat | null, ctx: Context): AsyncGenerator<ReadResult> {
  const input = (file === '-' ? ctx.options.stdin ?? process.stdin : openInput(file)) as Readable;
  const lines = readJsonl(input, ctx.options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES, file === '-' ? 'standard input' : file);
  try {
    // Hold back lines until the first JSON object decides the format.
    const held: JsonlLine[] = [];
    let format = forced;
    while (format === null) {
      const next = await lines.next();
      if (next.done) break;
      held.push(next.value);
      if (next.value.ok && isObject(next.value.value)) {
        const detection = detectFormat(file, next.value.value, ctx.options.fields);
        if (detection.format === null) throw new InputError(detection.detail);
        format = detection.format;
      }
    }
    let count = 0;
    for (const line of held) {
      count++;
      ctx.options.onRead?.(line.bytes + 1);
      yield* fromLine(file, line, format, ctx);
    }
    for await (const line of lines) {
      count++;
      ctx.options.onRead?.(line.bytes + 1);
      yield* fromLine(file, line, format, ctx);
    }
    if (count === 0) ctx.warn({ file, code: 'empty-file', message: 'no records (empty file)' });
  } finally {
    await lines.return(undefined);
    if (file !== '-') input.destroy();
  }
}

function* fromLine(file: string, line: JsonlLine, format: InputFormat | null, ctx: Context): Generator<ReadResult> {
  const source: Source = { file, line: line.lineNo };
  if (!line.ok) {
    const tooLong = line.bytes > (ctx.options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES);
    yield reject(source, tooLong ? 'line-too-long' : 'invalid-json', line.error);
    return;
  }
  if (!isObject(line.value)) {
    yield reject(source, 'not-an-object', `the record is ${Array.isArray(line.value) ? 'a list' : JSON.stringify(line.value).slice(0, 40)}, not a JSON object`);
    return;
  }
  // format is null only when no line of the file was an object, and this one is.
  yield* fromRecord(line.value, source, format ?? 'generic', ctx);
}

function* fromRecord(rec: Record<string, unknown>, source: Source, format: InputFormat, ctx: Context): Generator<ReadResult> {
  let candidate: Candidate;
  try {
    candidate = adapt(rec, format, ctx);
  } catch (err) {
    if (!(err instanceof RecordError)) throw err;
    yield reject(source, err.reason, err.message);
    return;
  }
  yield* finishCandidate(candidate, source, ctx.finish);
}

function adapt(rec: Record<string, unknown>, format: InputFormat, ctx: Context): Candidate {
  switch (format) {
    case 'verl':
      return verlCandidate(rec);
    case 'verl-dataset':
      return verlDatasetCandidate(rec);
    case 'generic':
      return genericCandidate(rec, ctx.options.fields ?? {});
    case 'trl-parquet':
      return trlCandidate(rec, ctx.dataset);
  }
}

async function* readParquet(file: string, ctx: Context): AsyncGenerator<ReadResult> {
  const source = ctx.options.parquet ?? hyparquetRows;
  let row = 0;
  try {
    for await (const value of source.rows(file)) {
      row++;
      yield* fromRecord(plain(value) as Record<string, unknown>, { file, line: row }, 'trl-parquet', ctx);
    }
  } catch (err) {
    if (err instanceof InputError) throw err;
    // A corrupt file cannot be split into records, so nothing can be counted per record.
    throw new InputError(`cannot read Parquet file ${file} after ${row} rows: ${(err as Error).message}`);
  }
  if (row === 0) ctx.warn({ file, code: 'empty-file', message: 'no rows (empty Parquet file)' });
  ctx.options.onRead?.(statSync(file).size);
}

/** Parquet gives int64 as bigint; the rest of the tool speaks JSON. */
function plain(value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (Array.isArray(value)) return value.map(plain);
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  }
  return value;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
