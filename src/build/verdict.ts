/**
 * Did a rollout pass a test? Used by `--keep` when the rollout file carries
 * no reward/verdict: the traced run is compared with the test's expected
 * output, with the same rules as `score` (src/values/compare.ts).
 */
import type { TestCase } from '../read/types.js';
import type { Trace } from '../model/trace.js';
import { mismatch, normalizeOutput } from '../values/compare.js';
import { tryParseLiteral } from '../values/parse.js';
import { fromTaggedJson } from '../values/typed.js';

/** true/false, or null when the test has no usable expected output. */
export function passesTest(trace: Trace, test: TestCase): boolean | null {
  if (test.expected_output === null) return null;
  if (trace.status !== 'ok') return false;
  if (test.input.kind === 'stdin' || test.expected_kind === 'text') {
    return normalizeOutput(trace.stdout) === normalizeOutput(test.expected_output);
  }
  if (trace.return === null) return false;
  const dialect = test.expected_kind === 'json' ? 'json' : trace.language;
  const expected = tryParseLiteral(test.expected_output, dialect);
  if (!expected.ok) return null;
  const got = fromTaggedJson(trace.return.json);
  if (mismatch(expected.value, got, trace.language) === null) return true;
  // APPS/TACO wrap a single return value in a list; their grader accepts either.
  const e = expected.value;
  if (test.expected_wrapped && e.t === 'list' && e.items.length === 1) {
    return mismatch(e.items[0], got, trace.language) === null;
  }
  return false;
}
