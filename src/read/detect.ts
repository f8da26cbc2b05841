/**
 * Which reader a file needs, when `--input-format` is not given.
 *
 * Rules, first match wins:
 * 1. a `.parquet` file                                   -> trl-parquet
 * 2. `--field` flags given                               -> generic
 * 3. first JSON object record (broken lines are skipped):
 *    - `output` and `input`, with `gts` or `score`       -> verl (rollout dump)
 *    - `completion` and `prompt`, with `advantage`       -> trl-parquet (TRL log rows exported to JSONL)
 *    - `reward_model`, or `prompt` with a response field
 *      (response/responses/output/completion)            -> verl-dataset
 *    - a code field and a test field under common names  -> generic
 * Anything else is an error that names the keys seen and the flags to use.
 */
import { firstPath } from './fields.js';
import { RESPONSE_FIELDS } from './formats/verl-dataset.js';
import { isParquetPath } from './parquet.js';
import type { FieldMap, InputFormat } from './types.js';

export type Detection = { format: InputFormat; rule: string } | { format: null; detail: string };

export function detectFormat(file: string, first: Record<string, unknown> | null, fields: FieldMap | undefined): Detection {
  if (isParquetPath(file)) return { format: 'trl-parquet', rule: '.parquet file' };
  if (fields && Object.keys(fields).length > 0) return { format: 'generic', rule: '--field given' };
  if (first === null) return { format: null, detail: 'no JSON object record to detect the format from' };
  const has = (k: string) => first[k] !== undefined;
  if (has('output') && has('input') && (has('gts') || has('score'))) return { format: 'verl', rule: 'input/output/gts|score keys (verl rollout dump)' };
  if (has('completion') && has('prompt') && has('advantage')) return { format: 'trl-parquet', rule: 'prompt/completion/advantage keys (TRL completions log)' };
  if (has('reward_model') || (has('prompt') && RESPONSE_FIELDS.some(has))) return { format: 'verl-dataset', rule: 'reward_model or prompt + response keys (verl dataset row)' };
  const code = firstPath(first, ['completion', 'response', 'output', 'code', 'solution', 'generation', 'responses', 'completions']);
  const tests = firstPath(first, ['ground_truth', 'input_output', 'test_cases', 'tests', 'test', 'test_list']);
  if (code && tests) return { format: 'generic', rule: `${code.path} + ${tests.path} keys (generic)` };
  const keys = Object.keys(first).slice(0, 20).join(', ') || '(none)';
  return {
    format: null,
    detail: `cannot detect the input format of ${file}: its first record has keys ${keys}. ` +
      'Pass --input-format verl|verl-dataset|trl-parquet, or --input-format generic with --field code=PATH --field tests=PATH ...',
  };
}
