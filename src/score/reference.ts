/**
 * `--compat coderl`: the CodeRL+ reference reward for execution-semantics
 * alignment tasks, reproduced from its rules (jiangxxxue/CODERLPLUS,
 * recipe/reward/reward_function_coderlplus.py,
 * compute_exec_semantics_align_score and check_value_equality):
 *
 * - the ground truth string is JSON-decoded; if it is not JSON, it is itself
 *   the expected output (no variables);
 * - the answer is the LAST line of the stripped response, decoded as JSON
 *   (Python json.loads: NaN and Infinity allowed); anything else scores 0;
 * - the object must have both keys `final_output` and `variables`;
 * - items: the output plus each expected variable; a missing variable is wrong;
 * - score = 0.1 + 0.9 * correct / items;
 * - a Python exception anywhere (non-object `variables`, non-dict expected
 *   variables, int too large for float) makes the whole score 0.
 *
 * check_value_equality(p, e) is lenient, in this order: Python `p == e`
 * (so True == 1 == 1.0); then on `str(x).strip()`: both in {None, none,
 * null, Null, NULL}; both in {True, true, TRUE, 1}; both in {False, false,
 * FALSE, 0}; then both convertible by float() (bools excluded) and closer
 * than 1e-9; then lists item by item (so sets, sent as lists, compare in
 * order) and dicts with equal key sets value by value; finally
 * `str(p).strip() == str(e).strip()`.
 */
import type { Lit } from '../values/value.js';
import { tryParseLiteral } from '../values/parse.js';
import { parsePythonFloatText } from '../values/scan.js';
import { pyRepr, pyStr } from '../values/print.js';
import { fromTaggedJson } from '../values/typed.js';
import { lastField } from './truth.js';
import type { ItemResult, Graded } from './grade.js';

class PythonException extends Error {}

export function referenceGrade(groundTruth: unknown, response: string): Graded {
  try {
    return grade(groundTruth, response);
  } catch (err) {
    if (err instanceof PythonException) {
      return { formatOk: false, reason: `the reference reward raises ${err.message} (score 0)`, items: [], answerPath: null };
    }
    throw err;
  }
}

function grade(groundTruth: unknown, response: string): Graded {
  const gt = decodeGroundTruth(groundTruth);
  if (gt.t !== 'dict') throw new PythonException(`AttributeError: ground truth is a ${pyType(gt)}, not a dict`);
  const expectedOutput = lastField(dedupe(gt.entries), 'expected_output') ?? { t: 'str', v: '' };
  const expectedVars = lastField(dedupe(gt.entries), 'expected_local_variable') ?? { t: 'dict', entries: [] };

  const lines = pyStrip(response).split('\n');
  const lastLine = pyStrip(lines[lines.length - 1]);
  const parsed = tryParseLiteral(lastLine, 'json', { nonFinite: true });
  const fail = (reason: string): Graded => ({ formatOk: false, reason, items: [], answerPath: null });
  if (!parsed.ok) return fail(`last line is not valid JSON (${parsed.error})`);
  const answer = parsed.value;
  if (answer.t !== 'dict') {
    if (answer.t === 'list' || answer.t === 'str') return fail(`last line is a JSON ${pyType(answer)} without the keys final_output and variables`);
    return fail(`last line is a JSON ${pyType(answer)} (TypeError in the reference)`);
  }
  const fields = dedupe(answer.entries);
  const got = (name: string): Lit | undefined => lastField(fields, name);
  if (got('final_output') === undefined || got('variables') === undefined) {
    return fail('answer object lacks the keys final_output and variables');
  }
  if (expectedVars.t === 'int' || expectedVars.t === 'float' || expectedVars.t === 'bool' || expectedVars.t === 'none') {
    throw new PythonException(`TypeError: len() of expected_local_variable (${pyType(expectedVars)})`);
  }
  if (expectedVars.t !== 'dict') throw new PythonException(`AttributeError: expected_local_variable is a ${pyType(expectedVars)}`);

  const items: ItemResult[] = [];
  const predictedOutput = got('final_output')!;
  items.push(item('final_output', expectedOutput, predictedOutput, checkValueEquality(predictedOutput, expectedOutput)));
  const predictedVars = got('variables')!;
  for (const [k, expected] of dedupe(expectedVars.entries)) {
    const name = (k as { v: string }).v;
    const predicted = lookup(predictedVars, name);
    if (predicted === undefined) items.push({ name, ok: false, expected: pyRepr(expected), got: null, why: 'missing' });
    else items.push(item(name, expected, predicted, checkValueEquality(predicted, expected)));
  }
  return { formatOk: true, reason: null, items, answerPath: 'last-line' };
}

function item(name: string, expected: Lit, got: Lit, ok: boolean): ItemResult {
  return { name, ok, expected: pyRepr(expected), got: pyRepr(got), ...(ok ? {} : { why: 'not equal under the reference rules' }) };
}

/** `name in predicted_variables` then `predicted_variables[name]`, with Python's behaviour on non-dicts. */
function lookup(vars: Lit, name: string): Lit | undefined {
  if (vars.t === 'dict') return lastField(vars.entries, name);
  if (vars.t === 'list') {
    if (vars.items.some((x) => x.t === 'str' && x.v === name)) throw new PythonException('TypeError: list indices must be integers');
    return undefined;
  }
  if (vars.t === 'str') {
    if (vars.v.includes(name)) throw new PythonException('TypeError: string indices must be integers');
    return undefined;
  }
  throw new PythonException(`TypeError: argument of type '${pyType(vars)}' is not iterable`);
}

function decodeGroundTruth(raw: unknown): Lit {
  if (typeof raw !== 'string') return fromTaggedJson(raw);
  const r = tryParseLiteral(raw, 'json', { nonFinite: true });
  return r.ok ? r.value : { t: 'dict', entries: [[{ t: 'str', v: 'expected_output' }, { t: 'str', v: raw }]] };
}

/** A Python dict from decoded JSON: one entry per key, first position, last value. */
function dedupe(entries: [Lit, Lit][]): [Lit, Lit][] {
  const out: [Lit, Lit][] = [];
  const index = new Map<string, number>();
  for (const [k, v] of entries) {
    const key = (k as { v: string }).v;
    const i = index.get(key);
    if (i === undefined) { index.set(key, out.length); out.push([k, v]); } else out[i] = [out[i][0], v];
  }
  return out;
}

const NONE_WORDS = new Set(['None', 'none', 'null', 'Null', 'NULL']);
const TRUE_WORDS = new Set(['True', 'true', 'TRUE', '1']);
const FALSE_WORDS = new Set(['False', 'false', 'FALSE', '0']);

export function checkValueEquality(p: Lit, e: Lit): boolean {
  if (pyEq(p, e, false)) return true;
  const ps = pyStrip(pyStr(p));
  const es = pyStrip(pyStr(e));
  if (NONE_WORDS.has(ps) && NONE_WORDS.has(es)) return true;
  if (TRUE_WORDS.has(ps) && TRUE_WORDS.has(es)) return true;
  if (FALSE_WORDS.has(ps) && FALSE_WORDS.has(es)) return true;
  const pn = p.t === 'bool' ? null : pyFloat(p);
  if (pn !== undefined) {
    const en = e.t === 'bool' ? null : pyFloat(e);
    if (en !== undefined && pn !== null && en !== null && Math.abs(pn - en) < 1e-9) return true;
  }
  if (p.t === 'list' && e.t === 'list') {
    if (p.items.length !== e.items.length) return false;
    return p.items.every((x, i) => checkValueEquality(x, e.items[i]));
  }
  if (p.t === 'dict' && e.t === 'dict') {
    const pd = dedupe(p.entries);
    const ed = dedupe(e.entries);
    const keys = new Set(pd.map(([k]) => (k as { v: string }).v));
    if (keys.size !== ed.length || !ed.every(([k]) => keys.has((k as { v: string }).v))) return false;
    return pd.every(([k, v]) => checkValueEquality(v, lastField(ed, (k as { v: string }).v)!));
  }
  return ps === es;
}

/**
 * Python float(x): a number, undefined for ValueError/TypeError (caught by
 * the reference), and a PythonException for OverflowError (not caught).
 */
function pyFloat(v: Lit): number | undefined {
  if (v.t === 'int') {
    const f = Number(v.v);
    if (!Number.isFinite(f)) throw new PythonException('OverflowError: int too large to convert to float');
    return f;
  }
  if (v.t === 'float') return v.v;
  if (v.t === 'str') return parsePythonFloatText(v.v) ?? undefined;
  return undefined;
}

/** Python `==` on values decoded from JSON. `inContainer`: identity makes a shared NaN equal to itself there. */
function pyEq(a: Lit, b: Lit, inContainer: boolean): boolean {
  const num = (v: Lit): number | bigint | null => (v.t === 'bool' ? (v.v ? 1n : 0n) : v.t === 'int' ? v.v : v.t === 'float' ? v.v : null);
  const x = num(a);
  const y = num(b);
  if (x !== null && y !== null) {
    if (typeof x === 'bigint' && typeof y === 'bigint') return x === y;
    if (typeof x === 'number' && typeof y === 'number') return x === y || (inContainer && Number.isNaN(x) && Number.isNaN(y));
    const [i, f] = typeof x === 'bigint' ? [x, y as number] : [y as bigint, x as number];
    return Number.isInteger(f) && BigInt(f) === i;
  }
  if (a.t !== b.t) return false;
  switch (a.t) {
    case 'none': return true;
    case 'str': return a.v === (b as typeof a).v;
    case 'list': {
      const bi = (b as typeof a).items;
      return a.items.length === bi.length && a.items.every((v, i) => pyEq(v, bi[i], true));
    }
    case 'dict': {
      const ad = dedupe(a.entries);
      const bd = dedupe((b as typeof a).entries);
      if (ad.length !== bd.length) return false;
      return ad.every(([k, v]) => {
        const w = lastField(bd, (k as { v: string }).v);
        return w !== undefined && pyEq(v, w, true);
      });
    }
    default: return false;
  }
}

const PY_SPACE = '\t\n\v\f\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000';

/** Python str.strip(): its whitespace set differs from JavaScript's trim(). */
export function pyStrip(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && PY_SPACE.includes(s[a])) a++;
  while (b > a && PY_SPACE.includes(s[b - 1])) b--;
  return s.slice(a, b);
}

function pyType(v: Lit): string {
  const names: Partial<Record<Lit['t'], string>> = { none: 'NoneType', str: 'str', int: 'int', float: 'float', bool: 'bool', list: 'list', dict: 'dict' };
  return names[v.t] ?? v.t;
}
