/**
 * Generic JSONL with a field map (`--field code=completion --field
 * tests=ground_truth.inputs ...`), for trainers that write no dump of their
 * own (OpenRLHF) and anything else. Unmapped fields fall back to common
 * names, so a plain `{completion, ground_truth}` file needs no flags.
 */
import { getPath, firstPath } from '../fields.js';
import type { Candidate } from '../rollout.js';
import { RecordError } from '../rollout.js';
import type { FieldMap, FieldName } from '../types.js';

const DEFAULTS: Record<FieldName, readonly string[]> = {
  code: ['completion', 'response', 'output', 'code', 'solution', 'generation'],
  responses: ['responses', 'completions'],
  ground_truth: ['ground_truth', 'reward_model.ground_truth', 'gts', 'input_output', 'test_cases', 'tests', 'test', 'test_list', 'label'],
  tests: [],
  outputs: [],
  fn_name: ['fn_name', 'entry_point', 'metadata.func_name'],
  test_code: [],
  language: ['language', 'lang'],
  reward: ['reward', 'score'],
  passed: ['passed', 'acc', 'correct'],
  prompt: ['prompt', 'question', 'problem', 'input'],
  problem_id: ['problem_id', 'task_id', 'id'],
  data_source: ['data_source', 'datasource', 'source'],
  step: ['step', 'global_step'],
  uid: ['uid'],
};

export function genericCandidate(rec: Record<string, unknown>, fields: FieldMap): Candidate {
  const pick = (name: FieldName): unknown => {
    const path = fields[name];
    if (path !== undefined) return getPath(rec, path);
    return firstPath(rec, DEFAULTS[name])?.value;
  };
  const required = (name: FieldName): unknown => {
    const v = pick(name);
    if (v === undefined && fields[name] !== undefined) throw new RecordError('missing-field', `no field at ${name}=${fields[name]}`);
    return v;
  };

  let response: unknown;
  let responseField: string;
  if (fields.responses !== undefined || (fields.code === undefined && pick('responses') !== undefined)) {
    response = required('responses');
    responseField = fields.responses ?? firstPath(rec, DEFAULTS.responses)?.path ?? 'responses';
  } else {
    response = required('code');
    responseField = fields.code ?? firstPath(rec, DEFAULTS.code)?.path ?? DEFAULTS.code.join('|');
  }

  let groundTruth: unknown;
  if (fields.tests !== undefined) {
    const inputs = required('tests');
    const outputs = fields.outputs !== undefined ? required('outputs') : undefined;
    groundTruth = { inputs, outputs, fn_name: pick('fn_name') ?? undefined };
  } else if (fields.test_code !== undefined) {
    groundTruth = required('test_code');
  } else {
    groundTruth = required('ground_truth');
  }

  return {
    response,
    responseField,
    groundTruth,
    noTestsHint: 'no test cases found; map them with --field tests=PATH [--field outputs=PATH --field fn_name=PATH] or --field ground_truth=PATH',
    fnName: pick('fn_name'),
    language: pick('language'),
    reward: pick('reward'),
    passed: pick('passed'),
    prompt: pick('prompt'),
    problemId: pick('problem_id'),
    dataSource: pick('data_source'),
    step: pick('step'),
    uid: pick('uid'),
  };
}
