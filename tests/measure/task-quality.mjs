#!/usr/bin/env node
/**
 * Measure the tasks `build` writes, on the public corpora (issue 17):
 *
 *   npm run build && node tests/measure/task-quality.mjs [--out DIR] [--baseline] [--kinds output-vars,line-state] [--inputs functions,lcb] [--reuse]
 *
 * Inputs (skipped with a message when ../shared/corpora is absent):
 * - function rollouts from HumanEval, MBPP and HumanEval-X JavaScript, made by
 *   tests/read/gen_rollouts.py (solutions and mutants, several test encodings);
 * - rollouts_lcb_dev.jsonl as a verl dump (tests/read/lcb_to_verl.py when it
 *   exists, else the minimal conversion below).
 * Measures, per input and task kind:
 * - targets that are unchanged parameters: the target is an argument of its
 *   function (Python's own code object, in an independent re-run,
 *   tests/build/oracle.py) and its repr when the function returned equals
 *   its repr when it was called (goal <= 5%);
 * - tasks whose own answer (extra_info.answer) scores below 1.0 under
 *   `score` and under `score --compat coderl` (goal 0 and 0);
 * - hash-order-dependent targets: the oracle's final value of the target
 *   differs between PYTHONHASHSEED=0, 1 and 2 (goal 0);
 * - targets whose value differs from the oracle's (a check of the trace).
 * `--baseline` also builds with the reference behaviour (--policy
 * last-defined --hash-check off) for comparison. Five short prompts with
 * their answers go to DIR/samples.txt.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CORPORA = process.env.CODERL_CORPORA ?? join(ROOT, '../shared/corpora');
const args = process.argv.slice(2);
const opt = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const OUT = opt('--out', null) ?? mkdtempSync(join(tmpdir(), 'ct-quality-'));
const KINDS = opt('--kinds', 'output-vars').split(',');
const BASELINE = args.includes('--baseline');
const INPUTS = opt('--inputs', 'functions,lcb').split(',');
// --reuse: measure the builds already in --out instead of building again.
const REUSE = args.includes('--reuse');

if (!existsSync(join(CORPORA, 'mbpp.jsonl'))) {
  console.log(`task-quality: skipped, no corpora at ${CORPORA} (set CODERL_CORPORA)`);
  process.exit(0);
}
mkdirSync(OUT, { recursive: true });
const CLI = join(ROOT, 'bin/coderl-trace.js');
const lines = (text) => text.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l));
const log = (m) => process.stderr.write(`task-quality: ${m}\n`);

// ---- inputs -------------------------------------------------------------------
function functionRollouts() {
  const dir = join(OUT, 'fn');
  if (!existsSync(dir) || readdirSync(dir).length === 0) {
    log('generating function rollouts (tests/read/gen_rollouts.py)');
    execFileSync('python3', [join(ROOT, 'tests/read/gen_rollouts.py'), '--out', dir], { env: { ...process.env, CORPORA }, stdio: ['ignore', 'ignore', 'inherit'] });
  }
  return dir;
}

function lcbRollouts() {
  const out = join(OUT, 'lcb.verl.jsonl');
  if (existsSync(out)) return out;
  const converter = join(ROOT, 'tests/read/lcb_to_verl.py');
  const src = join(CORPORA, 'rollouts_lcb_dev.jsonl');
  if (existsSync(converter)) {
    execFileSync('python3', [converter, src, out]);
  } else {
    // Minimal conversion: stdin tests as {inputs, outputs}, LeetCode calls as [{call, output}].
    const recs = lines(readFileSync(src, 'utf8')).map((r) => {
      const tests = typeof r.tests === 'string' ? JSON.parse(r.tests) : r.tests;
      const gts = tests.format === 'stdin_stdout'
        ? { inputs: tests.inputs, outputs: tests.outputs }
        : tests.cases.filter((c) => c.input_call).map((c) => ({ call: c.input_call, output: c.expected_output }));
      const passed = r.passed === true || r.passed === 'True' || r.passed === 'true';
      return { input: r.prompt, output: r.completion, gts: JSON.stringify(gts), score: passed ? 1 : 0, step: 1, acc: passed, data_source: `livecodebench/${r.platform}`, uid: r.problem_id, id: r.id };
    });
    writeFileSync(out, recs.map((r) => JSON.stringify(r)).join('\n') + '\n');
  }
  return out;
}

// ---- build and score --------------------------------------------------------------
function build(input, name, extra) {
  const out = join(OUT, `${name}.jsonl`);
  const stats = join(OUT, `${name}.stats.json`);
  if (REUSE && existsSync(out)) return lines(readFileSync(out, 'utf8'));
  const r = spawnSync(process.execPath, [CLI, 'build', input, '--keep', 'all', '--format', 'verl', '-o', out, '--stats', stats, '--rejects', join(OUT, `${name}.rejects.jsonl`), '--no-progress', ...extra], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`build ${name} failed: ${r.stderr}`);
  log(`${name}: ${r.stderr.trim().split('\n').at(-1)}`);
  return lines(readFileSync(out, 'utf8'));
}

function ownAnswersBelowOne(records, name, compat) {
  const input = join(OUT, `${name}.answers.jsonl`);
  writeFileSync(input, records.map((r) => JSON.stringify({ id: r.extra_info.id, reward_model: r.reward_model, response: r.extra_info.answer })).join('\n') + '\n');
  const r = spawnSync(process.execPath, [CLI, 'score', input, ...(compat ? ['--compat', 'coderl'] : [])], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const scored = lines(r.stdout);
  const below = scored.filter((s) => s.score < 1);
  return { count: below.length, examples: below.slice(0, 3).map((s) => ({ id: s.id, reason: s.reason, items: s.items.filter((i) => !i.ok) })) };
}

// ---- independent re-run -------------------------------------------------------------
const isStdin = (gt) => gt.provenance.input_kind === 'stdin';

function oracle(truths, seed) {
  const jobs = truths.map((gt) => JSON.stringify(isStdin(gt) ? { code: gt.code, stdin: gt.input } : { code: gt.code, call: gt.input }));
  const r = spawnSync('python3', [join(ROOT, 'tests/build/oracle.py')], {
    input: jobs.join('\n') + '\n', encoding: 'utf8', maxBuffer: 1 << 30,
    env: { PATH: process.env.PATH, PYTHONHASHSEED: String(seed), ORACLE_TIMEOUT: '10' },
  });
  if (r.status !== 0) throw new Error(`oracle failed: ${r.stderr.slice(-2000)}`);
  return lines(r.stdout);
}

function measure(records, name) {
  const truths = records.map((r) => JSON.parse(r.reward_model.ground_truth));
  const byKind = {};
  for (const gt of truths) byKind[gt.task] = (byKind[gt.task] ?? 0) + 1;
  const result = { tasks: records.length, by_kind: byKind, targets: 0, unchanged_parameters: 0, hash_order_dependent: 0, oracle_disagrees: 0, oracle_unavailable: 0 };
  const py = truths.map((gt, i) => ({ gt, i })).filter(({ gt }) => gt.language === 'python' && gt.task === 'output-vars');
  for (const gt of truths) if (gt.task === 'output-vars') result.targets += Object.keys(gt.variables).length;
  const runs = [0, 1, 2].map((seed) => oracle(py.map((p) => p.gt), seed));
  const examples = { unchanged_parameters: [], hash_order_dependent: [] };
  py.forEach(({ gt }, j) => {
    const [a, b, c] = runs.map((r) => r[j]);
    for (const [key, value] of Object.entries(gt.variables)) {
      const scope = gt.provenance.scopes[key];
      const name = key.startsWith(`${scope}.`) ? key.slice(scope.length + 1) : key;
      const final = a.finals?.[scope]?.[name];
      if (!final) { result.oracle_unavailable++; continue; }
      if (final[0] !== value.repr) result.oracle_disagrees++;
      const entry = a.params?.[scope]?.[name];
      if (entry !== undefined && entry === final[0]) {
        result.unchanged_parameters++;
        if (examples.unchanged_parameters.length < 5) examples.unchanged_parameters.push(`${gt.problem_id}: ${scope}.${name}`);
      }
      const others = [b, c].map((r) => r.finals?.[scope]?.[name]?.[0]);
      if (others.some((o) => o !== undefined && o !== final[0])) {
        result.hash_order_dependent++;
        if (examples.hash_order_dependent.length < 5) examples.hash_order_dependent.push(`${gt.problem_id}: ${scope}.${name}`);
      }
    }
  });
  result.unchanged_parameter_share = result.targets ? +(result.unchanged_parameters / result.targets * 100).toFixed(2) : 0;
  result.own_answer_below_1 = ownAnswersBelowOne(records, name, false);
  result.own_answer_below_1_compat_coderl = ownAnswersBelowOne(records, `${name}.compat`, true);
  result.examples = examples;
  return result;
}

// ---- main -----------------------------------------------------------------------------
const makers = { functions: functionRollouts, lcb: lcbRollouts };
const inputs = Object.fromEntries(INPUTS.map((name) => [name, makers[name]()]));
const report = {};
const samples = [];
for (const [input, path] of Object.entries(inputs)) {
  for (const kind of KINDS) {
    const name = `${input}.${kind}`;
    const records = build(path, name, ['--task', kind]);
    report[name] = measure(records, name);
    // Five short ones over the inputs, for a reader to judge.
    for (const r of records.filter((x) => x.prompt[0].content.length < 1900).slice(0, 40).filter((_, i) => i % 13 === 0).slice(0, 3)) {
      samples.push(`=== ${name} ${r.extra_info.id}\n${r.prompt[0].content}\n--- answer\n${r.extra_info.answer}\n`);
    }
    if (BASELINE) report[`${name}.baseline`] = measure(build(path, `${name}.baseline`, ['--task', kind, '--policy', 'last-defined', '--hash-check', 'off']), `${name}.baseline`);
  }
}
writeFileSync(join(OUT, `samples.${INPUTS.join('+')}.txt`), samples.join('\n'));
writeFileSync(join(OUT, `report.${INPUTS.join('+')}.json`), JSON.stringify(report, null, 2) + '\n');
console.log(JSON.stringify(report, null, 2));
log(`report and samples in ${OUT}`);
