/**
 * Grade one answer against one ground truth: find the answer, read each
 * item, compare. The result is data (format verdict + one row per item);
 * rewards.ts turns it into a number.
 */
import type { Lit } from '../values/value.js';
import { findAnswer, type Answer } from './answer.js';
import { mismatch, normalizeOutput } from '../values/compare.js';
import { tryParseLiteral, type Parsed } from '../values/parse.js';
import { show } from '../values/print.js';
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
      items.push(compareItem('final_output', truth.output.value, truth.output.repr, answerValue(output, answer, truth.language), truth.language));
    }
  }
  const answered = vars?.value.t === 'dict' ? vars : null;
  for (const target of truth.variables) {
    const got = answered ? lookupVariable(answered, target.name, truth.variables.map((v) => v.name)) : undefined;
    if (got === undefined) {
      items.push({ name: target.name, ok: false, expected: target.repr, got: null, why: 'missing' });
    } else {
      items.push(compareItem(target.name, target.value, target.repr, answerValue(got, answer, truth.language), truth.language));
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

/**
 * A value in a JSON reading: a string is re-read as a literal of the
 * language, then as JSON, else it is that string. In a language reading the
 * value is already a literal.
 */
export function answerValue(p: Parsed, answer: Answer, language: Language): Lit {
  if (p.value.t !== 'str' || !answer.reading.startsWith('json')) return p.value;
  for (const dialect of [language, 'json'] as const) {
    const r = tryParseLiteral(p.value.v, dialect);
    if (r.ok) return r.value;
  }
  return p.value;
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
