/**
 * Find the answer object in what a model wrote. Rules, in order:
 *
 * 1. Everything up to the last `</think>` is reasoning and ignored. A
 *    `<think>` that is never closed means there is no answer.
 * 2. Candidates are tried in this order, first success wins:
 *    a. the last non-empty line (the format the task asks for);
 *    b. the last fenced block (```json ... ``` or any fence);
 *    c. the last `{...}` in the text that reads as an object with an answer
 *       key (`final_output`, `output` or `variables`), e.g. after reasoning
 *       text on the same line ("so the answer is {...}.").
 *    Fence and embedded search look at the last TAIL_CHARS characters only.
 * 3. A candidate is read as strict JSON; else as JSON with trailing commas
 *    dropped (unambiguous); else as an object literal of the program's
 *    language (`{'final_output': (1, 2)}` in Python, `{final_output: 3}` in
 *    JavaScript). Single quotes are never swapped for double quotes: that
 *    would change what `'1'` means. In a JSON reading, string values are
 *    re-read as literals (see src/model/task.ts); in a language reading,
 *    values are taken as written.
 * Every failure keeps the reason of each step, so a 0 score says why.
 */
import type { Dialect } from '../values/value.js';
import { parseLiteralPrefix, parseWithSpans, type Parsed } from '../values/parse.js';
import { LiteralError } from '../values/scan.js';
import type { Language } from '../model/trace.js';

export const TAIL_CHARS = 65536;
export const ANSWER_KEYS = ['final_output', 'output', 'variables'] as const;

export type AnswerPath = 'last-line' | 'fence' | 'embedded';

export interface Answer {
  path: AnswerPath;
  /** How the object was read: 'json', 'json+trailing-commas', or the language. */
  reading: 'json' | 'json+trailing-commas' | Language;
  /** Key -> value with its slice of `source` (last one wins on duplicate keys). */
  fields: Map<string, Parsed>;
  source: string;
}

export type AnswerResult = { ok: true; answer: Answer } | { ok: false; reason: string };

export function findAnswer(response: string, language: Language): AnswerResult {
  let text = response;
  const close = text.lastIndexOf('</think>');
  if (close >= 0) text = text.slice(close + '</think>'.length);
  else if (text.includes('<think>')) return { ok: false, reason: 'a <think> block is never closed, so there is no answer after it' };
  if (text.trim() === '') return { ok: false, reason: close >= 0 ? 'nothing after </think>' : 'empty response' };

  const reasons: string[] = [];
  const lastLine = text.trimEnd().split('\n').at(-1)!.trim();
  const fromLine = readCandidate(lastLine, language, 'last-line');
  if (fromLine.ok) return fromLine;
  reasons.push(`last line: ${fromLine.reason}`);

  const tail = text.slice(-TAIL_CHARS);
  const fence = lastFence(tail);
  if (fence !== null) {
    const fromFence = readCandidate(fence.trim(), language, 'fence');
    if (fromFence.ok) return fromFence;
    reasons.push(`fenced block: ${fromFence.reason}`);
  }

  const embedded = lastEmbeddedObject(tail, language);
  if (embedded) return { ok: true, answer: embedded };
  reasons.push('no {...} with a final_output/output/variables key elsewhere in the text');
  return { ok: false, reason: reasons.join('; ') };
}

/** Content of the last complete ``` fence, or null. Linear scan: no regex backtracking on huge text. */
function lastFence(text: string): string | null {
  const end = text.lastIndexOf('```');
  if (end <= 0) return null;
  const start = text.lastIndexOf('```', end - 1);
  if (start < 0) return null;
  const body = text.slice(start + 3, end);
  const nl = body.indexOf('\n');
  // the info string ("json") runs to the end of the opening line
  return nl >= 0 && /^[\w+-]*\s*$/.test(body.slice(0, nl)) ? body.slice(nl + 1) : body;
}

function readCandidate(text: string, language: Language, path: AnswerPath): AnswerResult {
  if (text === '') return { ok: false, reason: 'empty' };
  const read = readObject(text, language);
  if (!read.ok) return read;
  const keys = [...read.answer.fields.keys()];
  if (!keys.some((k) => (ANSWER_KEYS as readonly string[]).includes(k))) {
    return { ok: false, reason: `object has none of the keys final_output/output/variables (keys: ${keys.slice(0, 8).join(', ') || 'none'})` };
  }
  return { ok: true, answer: { ...read.answer, path } };
}

const READINGS: { reading: Answer['reading'] | 'language'; dialect: Dialect | 'language'; trailingCommas?: boolean }[] = [
  { reading: 'json', dialect: 'json' },
  { reading: 'json+trailing-commas', dialect: 'json', trailingCommas: true },
  { reading: 'language', dialect: 'language' },
];

/** Read `text` as an object: JSON, then JSON with trailing commas, then a language object literal. */
export function readObject(text: string, language: Language): AnswerResult {
  let jsonError = '';
  for (const r of READINGS) {
    const dialect: Dialect = r.dialect === 'language' ? language : r.dialect;
    try {
      const { value, entries } = parseWithSpans(text, dialect, { trailingCommas: r.trailingCommas });
      if (value.t !== 'dict') {
        return { ok: false, reason: `answer is ${article(value.t)}, not an object` };
      }
      const fields = new Map<string, Parsed>();
      for (const [k, v] of entries) if (k.t === 'str') fields.set(k.v, v);
      const reading = r.reading === 'language' ? language : r.reading;
      return { ok: true, answer: { path: 'last-line', reading, fields, source: text } };
    } catch (err) {
      if (!(err instanceof LiteralError)) throw err;
      if (r.reading === 'json') jsonError = err.message;
    }
  }
  return { ok: false, reason: `not JSON (${jsonError})` };
}

function article(t: string): string {
  const names: Record<string, string> = { list: 'a JSON array', str: 'a JSON string', int: 'a JSON number', float: 'a JSON number', bool: 'a JSON boolean', none: 'JSON null' };
  return names[t] ?? `a ${t}`;
}

const MAX_EMBEDDED_TRIES = 200;

/** The last `{` from which an object with an answer key can be read. */
function lastEmbeddedObject(text: string, language: Language): Answer | null {
  let tries = 0;
  for (let i = text.lastIndexOf('{'); i >= 0 && tries < MAX_EMBEDDED_TRIES; i = text.lastIndexOf('{', i - 1), tries++) {
    for (const dialect of ['json', language] as Dialect[]) {
      let end: number;
      try {
        end = parseLiteralPrefix(text, i, dialect, { trailingCommas: dialect === 'json' }).end;
      } catch (err) {
        if (!(err instanceof LiteralError)) throw err;
        continue;
      }
      const read = readCandidate(text.slice(i, end), language, 'embedded');
      if (read.ok) return read.answer;
    }
    if (i === 0) break;
  }
  return null;
}
