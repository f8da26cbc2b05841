/**
 * The shard part: what `build --shard i/n --part` writes and `merge` reads.
 * JSON Lines, format `coderl-trace.part/1`, in three kinds of line:
 *
 *   header  {"format": "coderl-trace.part/1", "shard": {"index", "count"}, "options": {...}}
 *   unit    {"position", "key", "source", "reject"?, "tests": [{"task": Task} | {"reject": RejectRecord}]}
 *   end     {"end": {"records", "units", "runs_by_status"}}
 *
 * One unit line per input record of this shard, in input order. `position`
 * is the record's 0-based place in the whole input (all files, in the
 * order build reads them), which is how `merge` puts the shards back in
 * order. A unit stopped before tracing has `reject`; otherwise `tests`
 * holds, per traced test, the canonical task (merge makes any final format
 * from it) or the reason the test gave none. Tasks are not yet
 * deduplicated on (input, output): that is merge's job, over all shards,
 * with the key build uses, sha256 of (language, ground_truth.input,
 * ground_truth.expected_output, kind). The (program, input) key needs no
 * merging: every copy of a program is in one shard (src/build/shard.ts).
 * `options` are the build options that shape the tasks, so merge can refuse
 * parts built differently; the end line says the part is complete and how
 * many records the whole input had.
 */
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import type { BuildOptions, UnitOutcome } from '../build/pipeline.js';
import type { Shard } from '../build/shard.js';
import { InputError } from '../errors.js';
import { openInput, readJsonl } from '../jsonl.js';
import { VERSION } from '../version.js';

export const PART_FORMAT = 'coderl-trace.part/1';
/** `-o` names that ask for a part without `--part`. */
export const PART_SUFFIX = '.part.jsonl';

export interface PartHeader {
  format: typeof PART_FORMAT;
  shard: Shard;
  options: Record<string, unknown>;
}

export interface PartUnit extends UnitOutcome {
  position: number;
}

export interface PartEnd {
  /** Records in the whole input, this shard's and the others'. */
  records: number;
  /** Unit lines in this part. */
  units: number;
  runs_by_status: Record<string, number>;
}

/** The build options that decide which tasks and rejects come out (not --jobs, not the output). */
export function partOptions(options: BuildOptions, tokenizer: string | undefined): Record<string, unknown> {
  const { inputFormat, fields, dataset, language } = options.read;
  return {
    tool: VERSION,
    paths: options.paths,
    read: { inputFormat, fields: fields ?? null, dataset: dataset ?? null, language: language ?? null },
    keep: options.keep,
    testsPerProgram: options.testsPerProgram,
    keepErrors: options.keepErrors,
    keepEmpty: options.keepEmpty,
    checkDeterminism: options.checkDeterminism,
    minEvents: options.minEvents,
    maxEvents: Number.isFinite(options.maxEvents) ? options.maxEvents : null,
    task: options.task,
    policy: options.policy,
    targets: options.targets,
    seed: options.seed,
    template: options.template === undefined ? null : createHash('sha256').update(options.template).digest('hex'),
    maxPromptTokens: options.maxPromptTokens,
    tokenizer: tokenizer ?? null,
    limits: options.limits,
  };
}

export function unitLine(unit: UnitOutcome, position: number): PartUnit {
  return { position, key: unit.key, source: unit.source, ...(unit.reject ? { reject: unit.reject } : {}), tests: unit.tests };
}

/** A part being read: its header now, its units as a stream, its end line once the stream is done. */
export interface PartReader {
  path: string;
  header: PartHeader;
  units: AsyncGenerator<PartUnit>;
  /** Set when the units stream reached the end line. */
  end: PartEnd | null;
}

export async function openPart(path: string): Promise<PartReader> {
  // Parts are this tool's own output: no line-length cap.
  const lines = readJsonl(openInput(path), Infinity);
  const first = await lines.next();
  const header = first.done ? null : first.value;
  if (!header?.ok || !isHeader(header.value)) {
    await lines.return(undefined);
    throw new InputError(`${path} is not a ${PART_FORMAT} file (write parts with build --shard i/n --part)`);
  }
  const reader: PartReader = { path, header: header.value, units: unitsOf(), end: null };
  async function* unitsOf(): AsyncGenerator<PartUnit> {
    let last = -1;
    for await (const line of lines) {
      const where = `${path}:${line.lineNo}`;
      if (reader.end) throw new InputError(`${where}: a line after the end line`);
      if (!line.ok) throw new InputError(`${where}: ${line.error}`);
      const value = line.value as Partial<PartUnit> & { end?: PartEnd };
      if (value.end !== undefined) {
        reader.end = value.end;
        continue;
      }
      if (typeof value.position !== 'number' || value.position <= last || !Array.isArray(value.tests)) {
        throw new InputError(`${where}: not a unit line in input order`);
      }
      last = value.position;
      yield value as PartUnit;
    }
  }
  return reader;
}

/**
 * The header and end line of a part file, read from its first and last
 * bytes: header null when it is not a part, end null when the part is
 * unfinished (its shard has to be built again); null when there is no file.
 */
export async function partEnds(path: string): Promise<{ header: PartHeader | null; end: PartEnd | null } | null> {
  let file;
  try {
    file = await open(path, 'r');
  } catch {
    return null;
  }
  try {
    const size = (await file.stat()).size;
    const headText = await readSlice(file, 0, Math.min(size, 1 << 20));
    const tailText = await readSlice(file, Math.max(0, size - 4096), Math.min(size, 4096));
    const header = parse(headText.slice(0, headText.indexOf('\n')));
    const end = (parse(tailText.trimEnd().split('\n').pop() ?? '') as { end?: PartEnd } | null)?.end ?? null;
    return isHeader(header) ? { header, end } : { header: null, end: null };
  } finally {
    await file.close();
  }
}

async function readSlice(file: Awaited<ReturnType<typeof open>>, position: number, length: number): Promise<string> {
  const buffer = Buffer.alloc(length);
  const { bytesRead } = await file.read(buffer, 0, length, position);
  return buffer.toString('utf8', 0, bytesRead);
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function isHeader(value: unknown): value is PartHeader {
  const h = value as Partial<PartHeader> | null;
  return !!h && h.format === PART_FORMAT && typeof h.shard?.index === 'number' && typeof h.shard.count === 'number' && !!h.options;
}
