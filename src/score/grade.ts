/**
 * Grade one answer against one ground truth: find the answer, read each
 * item, compare. The result is data (format verdict + one row per item);
 * score.ts turns it into a number.
 *
 * Format /2 (`answerForm: 'json'`): a variable is compared in its JSON form
 * (src/values/json-form.ts) on both sides, so `[1, 2]` answers the tuple
 * (1, 2) and `["a", "b"]` the set {'b', 'a'}, and a JSON string is always a
 * string; a returned value is a JSON string holding a literal of the
 * language (a bare JSON number, array, true or null is read as itself).
 */
import type { Lit } from '../values/value.js';
import { findAnswer, type Answer } from './answer.js';
import { mismatch, normalizeOutput } from '../values/compare.js';
import { tryParseLiteral, type Parsed } from '../values/parse.js';
import { show } from '../values/print.js';
import { jsonForm, printJson } from '../values/json-form.js';
import type { Truth } from './truth.js';
import type { Language } from '../model/trace.js';

export interface ItemResult {
  /** `final_output` or the target variable name. */
  name: string;
  ok: boolean;
  expected: string;
  /** What the answer said (as the language prints it), null when missing. */
  got: string | null;
  why?: string;
}

export interface Graded {
  formatOk: boolean;
  /** Why the format is not ok (null when it is). */
  reason: string | null;
  items: ItemResult[];
  answerPath: string | null;
}

export function grade(truth: Truth, response: string): Graded {
  const found = findAnswer(response, truth.language);
  if (!found.ok) return { formatOk: false, reason: found.reason, items: [], answerPath: null };
  const answer = found.answer;
  const output = answer.fields.get('final_output') ?? answer.fields.get('output');
  const vars = answer.fields.get('variables');

  if (truth.output && !output) return formatError(answer, 'answer object has no "final_output" key');
  if (truth.variables.length && !vars) return formatError(answer, 'answer object has no "variables" key');
  if (vars && vars.value.t !== 'dict' && truth.variables.length) {
    return formatError(answer, `"variables" must be an object of name -> value, got ${show(vars.value, truth.language)}`);
  }

  const items: ItemResult[] = [];
  if (truth.output && output) {
    if (truth.output.kind === 'stdout') {
      const got = answerText(output, answer);
      const ok = normalizeOutput(got) === normalizeOutput(truth.output.text);
      items.push({ name: 'final_output', ok, expected: truth.output.text, got, ...(ok ? {} : { why: 'printed text differs (after whitespace normalisation)' }) });
    } else {
      items.push(compareItem('final_output', truth.output.value, truth.output.repr, answerValue(output, answer, truth.language, truth.answerForm === 'json'), truth.language));
    }
  }
  const answered = vars?.value.t === 'dict' ? vars : null;
  for (const target of truth.variables) {
    const got = answered ? lookupVariable(answered, target.name, truth.variables.map((v) => v.name)) : undefined;
    if (got === undefined) {
      items.push({ name: target.name, ok: false, expected: target.repr, got: null, why: 'missing' });
    } else {
      items.push(truth.answerForm === 'json'
        ? compareJsonForms(target.name, target.value, target.repr, got.value, truth.language)
        : compareItem(target.name, target.value, target.repr, answerValue(got, answer, truth.language), truth.language));
    }
  }
  return { formatOk: true, reason: null, items, answerPath: answer.path };
}

function formatError(answer: Answer, reason: string): Graded {
  return { formatOk: false, reason: `${reason} (answer found at ${answer.path})`, items: [], answerPath: answer.path };
}

function compareItem(name: string, expected: Lit, repr: string, got: Lit, language: Language): ItemResult {
  const why = mismatch(expected, got, language);
  return { name, ok: why === null, expected: repr, got: show(got, language), ...(why ? { why } : {}) };
}

/** Both sides in their JSON form; a value with none (never a target) is compared as it is. */
function compareJsonForms(name: string, expected: Lit, repr: string, got: Lit, language: Language): ItemResult {
  const e = jsonForm(expected) ?? expected;
  const g = jsonForm(got) ?? got;
  const why = mismatch(e, g, language);
  return { name, ok: why === null, expected: printable(e, repr), got: printable(g, show(got, language)), ...(why ? { why: `${why} (values compared in their JSON form)` } : {}) };
}

const printable = (v: Lit, fallback: string): string => {
  try {
    return printJson(v);
  } catch {
    return fallback;
  }
};

/**
 * A value in a JSON reading: a string is re-read as a literal of the
 * language, then as JSON, else (format /1 only) it is that string. In a
 * language reading the value is already a literal.
 */
export function answerValue(p: Parsed, answer: Answer, language: Language, strict = false): Lit {
  if (p.value.t !== 'str' || !answer.reading.startsWith('json')) return p.value;
  for (const dialect of [language, 'json'] as const) {
    const r = tryParseLiteral(p.value.v, dialect);
    if (r.ok) return r.value;
  }
  // Under format /2 a returned value is a literal: text that is none stays opaque, so it matches nothing.
  return strict ? { t: 'other', json: { unreadable: p.value.v } } : p.value;
}

/** A stdout answer: a string is the text; anything else is the text it was written as. */
function answerText(p: Parsed, answer: Answer): string {
  return p.value.t === 'str' ? p.value.v : answer.source.slice(p.start, p.end);
}

/** Exact key first; a qualified target (`solve.total`) may be answered by its bare name if no other target shares it. */
function lookupVariable(vars: Parsed, name: string, allNames: string[]): Parsed | undefined {
  const entries = (vars.value as { entries: [Lit, Lit][] }).entries;
  const find = (key: string): Parsed | undefined => {
    let hit: [Lit, Lit] | undefined;
    for (const e of entries) if (e[0].t === 'str' && e[0].v === key) hit = e;
    return hit ? { value: hit[1], start: -1, end: -1 } : undefined;
  };
  const exact = find(name);
  if (exact || !name.includes('.')) return exact;
  const bare = name.slice(name.lastIndexOf('.') + 1);
  const shared = allNames.filter((n) => n === bare || n.endsWith(`.${bare}`)).length > 1;
  return shared ? undefined : find(bare);
}
