/**
 * The contract between the readers (src/read) and the build pipeline.
 *
 * A reader turns one input record into one `ReadResult`: a Rollout, or a
 * Reject that says why not. Every record yields at least one result (a verl
 * dataset row with a `responses` list yields one per response; an empty list
 * yields one reject), so the build's funnel counts always add up.
 */
import type { Language } from '../model/trace.js';
import type { RunInput } from '../model/run.js';

export type { Language };

/** Where a record came from: the path as given (or `-`) and its 1-based line (row for Parquet). */
export interface Source {
  file: string;
  line: number;
  /** Index in a `responses` list when one record carried several responses. */
  response?: number;
}

export interface TestCase {
  /** Position in the record's own test list (stable even when other tests were skipped). */
  index: number;
  input: RunInput;
  /**
   * stdin tests: the expected stdout, as given.
   * fn/call tests: the expected return value as text: JSON for JSON-encoded
   * ground truth (APPS/TACO/LiveCodeBench/PRIME), or the source literal for
   * assert tests (`assert f(2) == (1, 2)` gives `(1, 2)`). null when unknown
   * (an assert that is not `call == value`).
   */
  expected_output: string | null;
  /**
   * How expected_output is written: `json`, a `literal` in the program's
   * language, or `text` (stdout). Lets a grader compare the right way.
   */
  expected_kind: 'json' | 'literal' | 'text' | null;
  /**
   * APPS/TACO call-style outputs are often wrapped in a one-element list;
   * their grader (verl prime_code testing_util.run_test) accepts the return
   * value equal to the output OR to its single element. True when that
   * second reading applies, so graders can do the same.
   */
  expected_wrapped?: boolean;
}

export type TestStyle = 'stdin' | 'call';

export interface Rollout {
  /** Stable id: `${file}:${line}`, plus `#${i}` for the i-th of several responses. */
  key: string;
  source: Source;
  language: Language;
  /** The extracted program. */
  code: string;
  /** The full response text the code was extracted from. */
  response: string;
  problem_id: string | null;
  data_source: string | null;
  /** The problem text if known (for verl dumps: the prompt after the chat template). */
  prompt: string | null;
  step: number | null;
  /** Trainer's id (verl `uid` is shared by the n responses of one prompt, so it is not a key). */
  uid: string | null;
  reward: number | null;
  /** From the record (`acc`, `passed`, or reward >= passThreshold); null when the record has no verdict. */
  passed: boolean | null;
  tests: TestCase[];
  style: TestStyle;
  /** Entry point for call-style tests (fn_name / entry_point), null for stdin. */
  fn_name: string | null;
  /** Which rules fired (code extraction, language detection, test encoding) and what was skipped, for provenance. */
  notes: string[];
}

/** Stable reject slugs; `detail` carries the human message. */
export const REJECT_REASONS = [
  'invalid-json', // the line is not JSON
  'line-too-long', // the line is over the byte limit (not parsed)
  'not-an-object', // the record is JSON but not an object
  'missing-field', // a required field is absent
  'wrong-type', // a field has the wrong type
  'unknown-language', // language given or detected is not python/javascript, or undecidable
  'no-response', // empty response / empty responses list
  'no-code', // no program found in the response
  'no-tests', // no test cases (e.g. old verl dumps without `gts`)
  'bad-tests', // test cases present but unusable (unparseable, length mismatch)
  'no-dataset-match', // TRL row whose prompt is not in --dataset
  'unreadable-record', // the row could not be decoded (Parquet)
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

export interface Reject {
  key: string;
  source: Source;
  reason: RejectReason;
  detail: string;
}

export type ReadResult = { ok: true; rollout: Rollout } | { ok: false; reject: Reject };

export const INPUT_FORMATS = ['verl', 'verl-dataset', 'generic', 'trl-parquet'] as const;
export type InputFormat = (typeof INPUT_FORMATS)[number];

/** Field names accepted by `--field name=path` for the generic format. */
export const FIELD_NAMES = [
  'code', // response text (code is extracted from it) or plain code
  'responses', // a list of responses (one rollout each)
  'ground_truth', // a whole test spec (any shape parseTests accepts)
  'tests', // test inputs (list)
  'outputs', // expected outputs (list)
  'fn_name', // call-style entry point
  'test_code', // assert-style test program (HumanEval/MBPP)
  'language',
  'reward',
  'passed',
  'prompt',
  'problem_id',
  'data_source',
  'step',
  'uid',
] as const;
export type FieldName = (typeof FIELD_NAMES)[number];
/** Field name -> dotted path (`ground_truth.inputs`, `responses.0`). */
export type FieldMap = Partial<Record<FieldName, string>>;

export interface ReadWarning {
  file: string;
  /** Stable slug: `empty-file`, `dataset-duplicate-prompt`, ... */
  code: string;
  message: string;
}

/** Decodes Parquet rows; see parquet.ts. Injectable so the reader is testable without the library. */
export interface ParquetRowSource {
  rows(path: string): AsyncGenerator<Record<string, unknown>>;
}

export interface ReadOptions {
  /** Default `auto`: detect per file from its extension and first records. */
  inputFormat?: InputFormat | 'auto';
  /** Field map for `generic` (parseFieldSpecs turns `--field` flags into one). */
  fields?: FieldMap;
  /** Force the language instead of detecting it. */
  language?: Language;
  /** Training dataset (JSONL) to join TRL completions back to their tests by prompt. */
  dataset?: string;
  /** A reward at or above this counts as passed when the record has no explicit verdict. Default 1. */
  passThreshold?: number;
  /** Longer JSONL lines are rejected unparsed. */
  maxLineBytes?: number;
  /** Where `-` reads from (default process.stdin). */
  stdin?: NodeJS.ReadableStream;
  parquet?: ParquetRowSource;
  onWarning?: (warning: ReadWarning) => void;
  /** Called per record read with the bytes it took in its file (for progress; a Parquet file reports its size at its end). */
  onRead?: (bytes: number) => void;
}
