/**
 * JSON Lines in and out with node built-ins only.
 *
 * Why not the `ndjson` package: no release since 2020, and readline +
 * JSON.parse is faster. Reading never throws on a bad line: each line comes
 * back as either a parsed value or the parse error, so callers can turn it
 * into a reject record and go on.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';

export type JsonlLine =
  | { lineNo: number; ok: true; value: unknown; bytes: number }
  | { lineNo: number; ok: false; error: string; bytes: number };

/** Lines longer than this are reported as errors without being parsed. */
export const DEFAULT_MAX_LINE_BYTES = 16 * 1024 * 1024;

export function openInput(path: string): Readable {
  return path === '-' ? process.stdin : createReadStream(path);
}

/** Parse a stream of JSON lines; blank lines are skipped. */
export async function* readJsonl(
  input: Readable,
  maxLineBytes = DEFAULT_MAX_LINE_BYTES,
): AsyncGenerator<JsonlLine> {
  const lines = createInterface({ input, crlfDelay: Infinity });
  let lineNo = 0;
  for await (const line of lines) {
    lineNo++;
    if (line.trim() === '') continue;
    const bytes = Buffer.byteLength(line);
    if (bytes > maxLineBytes) {
      yield { lineNo, ok: false, error: `line is ${bytes} bytes, over the ${maxLineBytes}-byte limit`, bytes };
      continue;
    }
    try {
      yield { lineNo, ok: true, value: JSON.parse(line), bytes };
    } catch (err) {
      yield { lineNo, ok: false, error: `invalid JSON: ${(err as Error).message}`, bytes };
    }
  }
}

/** Write one record per line, respecting back-pressure. */
export async function writeJsonl(out: Writable, record: unknown): Promise<void> {
  if (!out.write(JSON.stringify(record) + '\n')) {
    await new Promise<void>((resolve) => out.once('drain', resolve));
  }
}
