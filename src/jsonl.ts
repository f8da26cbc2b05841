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
import { InputError } from './errors.js';

export type JsonlLine =
  | { lineNo: number; ok: true; value: unknown; bytes: number }
  | { lineNo: number; ok: false; error: string; bytes: number; text?: string };

/** Lines longer than this are reported as errors without being parsed. */
export const DEFAULT_MAX_LINE_BYTES = 16 * 1024 * 1024;

export function openInput(path: string): Readable {
  return path === '-' ? process.stdin : createReadStream(path);
}

/** openInput, once the file is open: an unreadable file is an InputError (exit 3) before any line is read. */
export async function openInputChecked(path: string): Promise<Readable> {
  const input = openInput(path);
  if (path !== '-') {
    await new Promise<void>((resolve, reject) => {
      input.once('open', () => resolve());
      input.once('error', (err: NodeJS.ErrnoException) => reject(new InputError(`cannot read ${path}: ${err.code ?? err.message}`)));
    });
  }
  return input;
}

/** Lines looked at before deciding that a file is not JSON lines at all. */
export const SNIFF_LINES = 5;

/**
 * Parse a stream of JSON lines; blank lines are skipped. With `file` (a
 * name for messages), a file whose first SNIFF_LINES non-blank lines (or
 * all of them, if fewer) are none of them JSON is not JSON lines at all
 * (a binary file, a text file): that is an InputError naming the reason,
 * not hundreds of per-line errors. The lines are held back until decided.
 */
export async function* readJsonl(
  input: Readable,
  maxLineBytes = DEFAULT_MAX_LINE_BYTES,
  file?: string,
): AsyncGenerator<JsonlLine> {
  const held: JsonlLine[] = [];
  let sniffing = file !== undefined;
  for await (const line of parseLines(input, maxLineBytes)) {
    if (!sniffing) {
      yield line;
      continue;
    }
    held.push(line);
    if (line.ok) sniffing = false;
    else if (held.length >= SNIFF_LINES) throw notJsonLines(file!, held);
    if (!sniffing) yield* held.splice(0);
  }
  if (held.length > 0) throw notJsonLines(file!, held);
}

function notJsonLines(file: string, held: JsonlLine[]): InputError {
  const first = held[0] as { lineNo: number; error: string };
  const binary = held.some((l) => !l.ok && l.text !== undefined && /[\u0000\ufffd]/.test(l.text));
  const what = binary ? 'binary data' : 'text';
  return new InputError(`${file} is not JSON lines: it holds ${what}, and none of its first ${held.length} non-blank lines is JSON (line ${first.lineNo}: ${first.error})`);
}

async function* parseLines(input: Readable, maxLineBytes: number): AsyncGenerator<JsonlLine> {
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
      yield { lineNo, ok: false, error: `invalid JSON: ${shorten((err as Error).message)}`, bytes, text: line.slice(0, 512) };
    }
  }
}

/** JSON.parse quotes the line in its message: keep it short, and printable for binary input. */
function shorten(message: string): string {
  const text = message.length > 200 ? `${message.slice(0, 200)}...` : message;
  return text.replace(/[\u0000-\u001f\u007f-\u009f\ufffd]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Write one record per line, respecting back-pressure. */
export async function writeJsonl(out: Writable, record: unknown): Promise<void> {
  if (!out.write(JSON.stringify(record) + '\n')) {
    await new Promise<void>((resolve) => out.once('drain', resolve));
  }
}
