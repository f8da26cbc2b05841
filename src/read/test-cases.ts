/**
 * Normalise the test specs found in the wild into TestCase lists.
 *
 * Shapes accepted (a JSON string holding any of them is decoded first, as
 * verl stores `reward_model.ground_truth` as a string):
 *
 * - `{inputs, outputs, fn_name?}`: APPS / TACO / PRIME (Eurus-2-RL-Data) /
 *   verl code datasets (also under `input_output`). Without `fn_name` each
 *   input is stdin (a list of lines is joined with "\n", as verl
 *   prime_code/testing_util.py run_test does) and each output the expected
 *   stdout. With `fn_name` the tests are calls, in one of two encodings:
 *   - APPS/TACO: `inputs[i]` is the decoded list of arguments;
 *   - LiveCodeBench/PRIME/verl: `inputs[i]` is a string with one JSON value
 *     per line (run_test: `[json.loads(line) for line in inputs.split("\n")]`)
 *     and `outputs[i]` a JSON string.
 * - `[{input, output, testtype}]`: LiveCodeBench (`testtype` "stdin" or
 *   "functional"; functional inputs use the JSON-lines encoding) and
 *   DeepCoder-style `{type: "stdin_stdout" | "function_call", fn_name}`.
 * - Call expressions: `[{call, output?}]` (also `input_call` /
 *   `expected_output`, the LiveCodeBench corpus' names, alone or under
 *   `cases`), e.g. LeetCode's `Solution().f(nums = [1, 2])`; the output is
 *   JSON (LeetCode notation) or else a source literal.
 * - Assert programs: a string of test code (`check(candidate)` or bare
 *   asserts), a list of assert strings (MBPP `test_list`), or an object with
 *   `test` / `tests` / `test_code` / `functional` / `test_list` plus
 *   `entry_point`. Each assert's call becomes a `{kind:'call'}` input (see
 *   asserts.ts). We do not keep the whole test program as a stdin program:
 *   the tracer would then trace the checker, not one input.
 */
import type { RunInput } from '../model/run.js';
import { scanAsserts } from './asserts.js';
import type { Language, TestCase, TestStyle } from './types.js';

export interface TestContext {
  language: Language;
  /** fn_name known from elsewhere (metadata.func_name, extra_info, a field). */
  fnName?: string | null;
  entryPoint?: string | null;
  /** Functions the program defines, to recognise MBPP-style asserts without an entry point. */
  definedNames?: readonly string[];
}

export type ParsedTests =
  | { ok: true; tests: TestCase[]; style: TestStyle; fn_name: string | null; notes: string[] }
  | { ok: false; reason: 'no-tests' | 'bad-tests'; detail: string };

const IDENT = /^[\p{L}_$][\p{L}\p{N}_$]*$/u;

export function parseTests(spec: unknown, ctx: TestContext): ParsedTests {
  if (spec === undefined || spec === null || spec === '') return { ok: false, reason: 'no-tests', detail: 'no test cases in the record' };
  if (typeof spec === 'string') {
    const decoded = tryJson(spec);
    if (decoded !== undefined && typeof decoded !== 'string' && typeof decoded !== 'number') return parseTests(decoded, ctx);
    return fromAssertCode([spec], ctx.entryPoint ?? ctx.fnName ?? null, ctx);
  }
  if (Array.isArray(spec)) {
    if (spec.length === 0) return { ok: false, reason: 'no-tests', detail: 'the test list is empty' };
    if (spec.every((t) => typeof t === 'string')) return fromAssertCode(spec as string[], ctx.entryPoint ?? ctx.fnName ?? null, ctx);
    if (isCallList(spec)) return fromCallList(spec, ctx);
    if (spec.every((t) => isObject(t) && 'input' in t)) return fromCaseList(spec as Record<string, unknown>[], ctx);
    return { ok: false, reason: 'bad-tests', detail: 'a test list must hold assert strings or {input, output} objects' };
  }
  if (!isObject(spec)) return { ok: false, reason: 'bad-tests', detail: `test spec is a ${typeof spec}` };

  if (spec.input_output !== undefined) return parseTests(spec.input_output, withFn(ctx, spec));
  if (spec.inputs !== undefined || spec.outputs !== undefined) return fromInputsOutputs(spec, ctx);
  for (const key of ['test_cases', 'tests', 'public_test_cases', 'private_test_cases', 'cases']) {
    const v = spec[key];
    if (Array.isArray(v) && isCallList(v)) return fromCallList(v, withFn(ctx, spec));
    if (Array.isArray(v) && v.length > 0 && v.every((t) => isObject(t))) return fromCaseList(v as Record<string, unknown>[], withFn(ctx, spec));
  }
  for (const key of ['test', 'test_code', 'functional', 'tests', 'test_list', 'assert_case']) {
    const v = spec[key];
    const entry = str(spec.entry_point) ?? str(spec.fn_name) ?? ctx.entryPoint ?? ctx.fnName ?? null;
    if (typeof v === 'string' && v.trim() !== '') return fromAssertCode([v], entry, ctx);
    if (Array.isArray(v) && v.length > 0 && v.every((t) => typeof t === 'string')) return fromAssertCode(v as string[], entry, ctx);
  }
  return { ok: false, reason: 'bad-tests', detail: `unrecognised test spec with keys ${Object.keys(spec).join(', ') || '(none)'}` };
}

function withFn(ctx: TestContext, spec: Record<string, unknown>): TestContext {
  const fn = str(spec.fn_name) ?? str(spec.func_name) ?? str(spec.entry_point) ?? str(spec.method);
  return fn ? { ...ctx, fnName: fn } : ctx;
}

function fromInputsOutputs(spec: Record<string, unknown>, ctx: TestContext): ParsedTests {
  const { inputs, outputs } = spec;
  if (!Array.isArray(inputs)) return { ok: false, reason: 'bad-tests', detail: '"inputs" is not a list' };
  if (outputs !== undefined && outputs !== null && !Array.isArray(outputs)) return { ok: false, reason: 'bad-tests', detail: '"outputs" is not a list' };
  if (Array.isArray(outputs) && outputs.length !== inputs.length) {
    return { ok: false, reason: 'bad-tests', detail: `${inputs.length} inputs but ${outputs.length} outputs` };
  }
  if (inputs.length === 0) return { ok: false, reason: 'no-tests', detail: '"inputs" is empty' };
  const fn = str(spec.fn_name) ?? ctx.fnName ?? null;
  const outs = Array.isArray(outputs) ? outputs : inputs.map(() => undefined);
  if (fn === null) return collect(inputs.map((inp, i) => stdinCase(i, inp, outs[i])), 'stdin', null, []);
  if (!IDENT.test(fn)) return { ok: false, reason: 'bad-tests', detail: `fn_name ${JSON.stringify(fn)} is not an identifier` };
  return collect(inputs.map((inp, i) => callCase(i, fn, inp, outs[i])), 'call', fn, []);
}

function fromCaseList(cases: Record<string, unknown>[], ctx: TestContext): ParsedTests {
  const results: (TestCase | string)[] = [];
  let fnUsed: string | null = null;
  cases.forEach((c, i) => {
    const type = str(c.testtype) ?? str(c.type) ?? '';
    const fn = str(c.fn_name) ?? ctx.fnName ?? null;
    const functional = type === 'functional' || type === 'function_call' || (type === '' && fn !== null && str(c.fn_name) !== null);
    if (!functional) {
      results.push(stdinCase(i, c.input, c.output));
    } else if (fn === null || !IDENT.test(fn)) {
      results.push(`test ${i}: functional test without a usable fn_name`);
    } else {
      fnUsed = fn;
      results.push(callCase(i, fn, c.input, c.output));
    }
  });
  return collect(results, fnUsed === null ? 'stdin' : 'call', fnUsed, []);
}

function isCallList(spec: unknown[]): spec is Record<string, unknown>[] {
  return spec.length > 0 && spec.every((t) => isObject(t) && (typeof t.call === 'string' || typeof t.input_call === 'string'));
}

/** Call expressions as given (keyword arguments and all); the method called names the entry point. */
function fromCallList(cases: Record<string, unknown>[], ctx: TestContext): ParsedTests {
  const results = cases.map((c, index): TestCase | string => {
    const call = (str(c.call) ?? str(c.input_call) ?? '').trim();
    if (call === '') return `test ${index}: empty call`;
    const output = c.output !== undefined ? c.output : c.expected_output;
    const expected = typeof output === 'string' ? output : output === undefined ? null : JSON.stringify(output);
    const kind = expected === null ? null : tryJson(expected) !== undefined ? 'json' : 'literal';
    const test: TestCase = { index, input: { kind: 'call', call }, expected_output: expected, expected_kind: kind };
    encodings.set(test, 'call expressions');
    return test;
  });
  const first = results.find((r): r is TestCase => typeof r !== 'string');
  const called = first?.input.kind === 'call' ? /([\p{L}_$][\p{L}\p{N}_$]*)\s*\(/u.exec(first.input.call.replace(/^[\w$]+\(\)\./u, '')) : null;
  return collect(results, 'call', ctx.fnName ?? called?.[1] ?? null, []);
}

function stdinCase(index: number, input: unknown, output: unknown): TestCase | string {
  const stdin = Array.isArray(input) && input.every((l) => typeof l === 'string') ? input.join('\n') : input;
  if (typeof stdin !== 'string') return `test ${index}: stdin input is a ${kindOf(input)}, not text`;
  const expected = Array.isArray(output) && output.every((l) => typeof l === 'string') ? output.join('\n') : output;
  if (expected !== undefined && expected !== null && typeof expected !== 'string') return `test ${index}: expected stdout is a ${kindOf(output)}, not text`;
  return {
    index,
    input: { kind: 'stdin', stdin },
    expected_output: typeof expected === 'string' ? expected : null,
    expected_kind: typeof expected === 'string' ? 'text' : null,
  };
}

function callCase(index: number, fn: string, input: unknown, output: unknown): TestCase | string {
  let args: unknown[];
  let wrapped = false;
  if (Array.isArray(input)) {
    // APPS/TACO: decoded argument list; outputs may be wrapped in a 1-element list.
    args = input;
    wrapped = Array.isArray(output) && output.length === 1;
  } else if (typeof input === 'string') {
    // LiveCodeBench/PRIME: one JSON value per line.
    const lines = input.split('\n').filter((l) => l.trim() !== '');
    args = [];
    for (const line of lines) {
      const v = tryJson(line);
      if (v === undefined) return `test ${index}: argument line is not JSON: ${line.slice(0, 80)}`;
      args.push(v);
    }
  } else {
    return `test ${index}: call input is a ${kindOf(input)}, not an argument list or JSON lines`;
  }
  let expected: string | null = null;
  if (typeof output === 'string') {
    // JSON-lines encoding stores the value as JSON text; keep it as given when it parses.
    expected = tryJson(output) !== undefined ? output : JSON.stringify(output);
  } else if (output !== undefined && output !== null) {
    expected = JSON.stringify(output);
  } else if (output === null) {
    expected = 'null';
  }
  const test: TestCase = { index, input: { kind: 'fn', fn_name: fn, args } satisfies RunInput, expected_output: expected, expected_kind: expected === null ? null : 'json' };
  if (wrapped) test.expected_wrapped = true;
  encodings.set(test, Array.isArray(input) ? 'argument lists, APPS/TACO' : 'JSON lines, LiveCodeBench/PRIME');
  return test;
}

function fromAssertCode(code: string[], entryPoint: string | null, ctx: TestContext): ParsedTests {
  const scan = scanAsserts(code.join('\n'), entryPoint, ctx.language, ctx.definedNames);
  const notes = [`tests: ${scan.calls.length} calls from assert code`];
  if (scan.skipped > 0) notes.push(`tests: skipped ${scan.skipped} asserts that do not call the entry point`);
  if (scan.calls.length === 0) {
    return { ok: false, reason: 'bad-tests', detail: `no assert calls ${entryPoint ?? 'a function'} directly (${scan.skipped} asserts skipped)` };
  }
  const tests: TestCase[] = scan.calls.map((c, index) => ({
    index,
    input: { kind: 'call', call: c.call },
    expected_output: c.expected,
    expected_kind: c.expected === null ? null : 'literal',
  }));
  const fn = entryPoint ?? /^[\w$]+/.exec(scan.calls[0].call)?.[0] ?? null;
  return { ok: true, tests, style: 'call', fn_name: fn, notes };
}

function collect(results: (TestCase | string)[], style: TestStyle, fn: string | null, notes: string[]): ParsedTests {
  const tests = results.filter((r): r is TestCase => typeof r !== 'string');
  const problems = results.filter((r): r is string => typeof r === 'string');
  if (tests.length === 0) return { ok: false, reason: 'bad-tests', detail: problems[0] ?? 'no usable test' };
  for (const p of problems) notes.push(`tests: skipped ${p}`);
  notes.unshift(`tests: ${tests.length} ${style} tests${style === 'call' ? ` (${encodingOf(results)})` : ''}`);
  return { ok: true, tests, style, fn_name: fn, notes };
}

function encodingOf(results: (TestCase | string)[]): string {
  const kinds = new Set(results.map((r) => (typeof r === 'string' ? undefined : encodings.get(r))).filter((k) => k !== undefined));
  return [...kinds].join(' + ') || 'unknown encoding';
}

/** Which encoding each call test came from, for the notes. */
const encodings = new WeakMap<TestCase, string>();

export function tryJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function str(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}

function kindOf(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'list' : typeof v;
}
