#!/usr/bin/env node
/**
 * CRUXEval through the real CLI: trace `f(...)` for every corpus record with
 * one `coderl-trace trace` process, then check against independent facts:
 * - the traced return value's repr equals the corpus' expected_output;
 * - finals of `f` name exactly the locals that f had bound at its last exit,
 *   as seen by tests/python/oracle.py (sys.settrace on the original code),
 *   with the same repr wherever the oracle records one (plain data).
 *
 *   node tests/python/cruxeval.mjs [--jobs N] [--limit N]
 *
 * Prints one line per failure and a closing count line.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CORPUS = path.join(process.env.CODERL_CORPORA ?? path.resolve(ROOT, '../shared/corpora'), 'cruxeval.jsonl');

export function realPython() {
  return execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).trim();
}

function jsonl(text) {
  return text.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l));
}

export function runCruxEval({ jobs = 2, limit = Infinity, python = realPython() } = {}) {
  const records = jsonl(readFileSync(CORPUS, 'utf8')).slice(0, limit);
  const runs = records.map((r) => JSON.stringify({ id: r.id, language: 'python', code: r.code, call: r.input_call })).join('\n') + '\n';
  const traced = spawnSync('node', [path.join(ROOT, 'bin/coderl-trace.js'), 'trace', '-', '--jobs', String(jobs), '--python', python],
    { input: runs, encoding: 'utf8', maxBuffer: 1 << 30 });
  if (traced.status !== 0) throw new Error(`coderl-trace trace failed (${traced.status}): ${traced.stderr}`);
  const calls = records.map((r) => JSON.stringify({ id: r.id, code: r.code, call: r.input_call })).join('\n') + '\n';
  const oracle = spawnSync(python, [path.join(ROOT, 'tests/python/oracle.py'), '--calls'],
    { input: calls, encoding: 'utf8', maxBuffer: 1 << 30, env: { ...process.env, PYTHONHASHSEED: '0' } });
  if (oracle.status !== 0) throw new Error(`oracle failed: ${oracle.stderr}`);
  const traces = new Map(jsonl(traced.stdout).map((t) => [t.id, t]));
  const facts = new Map(jsonl(oracle.stdout).map((o) => [o.id, o]));
  const failures = [];
  let returns = 0;
  let finals = 0;
  for (const r of records) {
    const t = traces.get(r.id);
    const o = facts.get(r.id);
    if (!t) {
      failures.push(`${r.id}: no trace`);
      continue;
    }
    if (t.status === 'ok' && t.return?.repr === r.expected_output) returns++;
    else failures.push(`${r.id}: return ${t.status} ${JSON.stringify(t.return?.repr)} != ${r.expected_output} ${t.detail ?? ''}`);
    // Same names; same repr wherever the oracle could compare (plain data).
    const want = o?.finals?.f ?? null;
    const got = t.finals?.f ?? {};
    const sameNames = want !== null && JSON.stringify(Object.keys(got).sort()) === JSON.stringify(Object.keys(want).sort());
    const badValues = want === null ? [] : Object.entries(want).filter(([k, v]) => v !== null && got[k]?.repr !== v).map(([k]) => k);
    if (sameNames && badValues.length === 0) finals++;
    else failures.push(`${r.id}: finals of f ${JSON.stringify(Object.keys(got))} vs oracle ${JSON.stringify(want)}; values differ: ${badValues}`);
  }
  return { total: records.length, returns, finals, failures };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const arg = (name, fallback) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? Number(process.argv[i + 1]) : fallback;
  };
  const started = Date.now();
  const result = runCruxEval({ jobs: arg('--jobs', 2), limit: arg('--limit', Infinity) });
  for (const f of result.failures) console.log(f);
  console.log(`cruxeval: return ${result.returns}/${result.total}, finals ${result.finals}/${result.total} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  process.exitCode = result.failures.length === 0 ? 0 : 1;
}
