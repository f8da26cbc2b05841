#!/usr/bin/env node
/**
 * CRUXEval through the real CLI: trace `f(...)` for every corpus record with
 * one `coderl-trace trace` process, then check against independent facts:
 * - the traced return value's repr equals the corpus' expected_output;
 * - per frame of every function, each variable's sequence of values seen
 *   by the oracle at line events is a subsequence of ours, and every line
 *   we report ran in that frame;
 * - finals of `f` name exactly the locals that f had bound at its last exit,
 *   as seen by tests/python/oracle.py (sys.settrace on the original code),
 *   with the same repr wherever the oracle records one (plain data).
 *
 *   node tests/python/cruxeval.mjs [--jobs N] [--limit N]
 *
 * Prints one line per failure and a closing count line.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** The full corpus beside the repository, else the fresh-clone slice (as tests/corpora.ts decides). */
const SHARED = process.env.CODERL_CORPORA ?? path.resolve(ROOT, '../shared/corpora');
const CORPUS = path.join(existsSync(SHARED) ? SHARED : path.join(ROOT, 'fixtures/corpora'), 'cruxeval.jsonl');

export function realPython() {
  return execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).trim();
}

function jsonl(text) {
  return text.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l));
}

/** Run tests/python/oracle.py --calls on records {id, code, call|null}. */
export function runOracleBatch(records, python = realPython()) {
  const input = records.map((r) => JSON.stringify(r)).join('\n') + '\n';
  const res = spawnSync(python, [path.join(ROOT, 'tests/python/oracle.py'), '--calls'],
    { input, encoding: 'utf8', maxBuffer: 1 << 30, env: { ...process.env, PYTHONHASHSEED: '0' } });
  if (res.status !== 0) throw new Error(`oracle failed: ${res.stderr}`);
  return new Map(jsonl(res.stdout).map((o) => [o.id, o]));
}

export function runCruxEval({ jobs = 2, limit = Infinity, python = realPython() } = {}) {
  const records = jsonl(readFileSync(CORPUS, 'utf8')).slice(0, limit);
  const runs = records.map((r) => JSON.stringify({ id: r.id, language: 'python', code: r.code, call: r.input_call })).join('\n') + '\n';
  const traced = spawnSync('node', [path.join(ROOT, 'bin/coderl-trace.js'), 'trace', '-', '--jobs', String(jobs), '--python', python],
    { input: runs, encoding: 'utf8', maxBuffer: 1 << 30 });
  if (traced.status !== 0) throw new Error(`coderl-trace trace failed (${traced.status}): ${traced.stderr}`);
  const facts = runOracleBatch(records.map((r) => ({ id: r.id, code: r.code, call: r.input_call })), python);
  const traces = new Map(jsonl(traced.stdout).map((t) => [t.id, t]));
  const failures = [];
  let returns = 0;
  let finals = 0;
  let lines = 0;
  for (const r of records) {
    const t = traces.get(r.id);
    const o = facts.get(r.id);
    if (!t) {
      failures.push(`${r.id}: no trace`);
      continue;
    }
    if (t.status === 'ok' && t.return?.repr === r.expected_output) returns++;
    else failures.push(`${r.id}: return ${t.status} ${JSON.stringify(t.return?.repr)} != ${r.expected_output} ${t.detail ?? ''}`);
    const lineProblems = t.limits.events ? [] : compareFrames(o?.frames ?? [], t.events, o?.capped);
    if (lineProblems.length === 0) lines++;
    else failures.push(`${r.id}: ${lineProblems.slice(0, 3).join('; ')}`);
    // Same names; same repr wherever the oracle could compare (plain data).
    const want = o?.finals?.f ?? null;
    const got = t.finals?.f ?? {};
    const sameNames = want !== null && JSON.stringify(Object.keys(got).sort()) === JSON.stringify(Object.keys(want).sort());
    const badValues = want === null ? [] : Object.entries(want).filter(([k, v]) => v !== null && got[k]?.repr !== v).map(([k]) => k);
    if (sameNames && badValues.length === 0) finals++;
    else failures.push(`${r.id}: finals of f ${JSON.stringify(Object.keys(got))} vs oracle ${JSON.stringify(want)}; values differ: ${badValues}`);
  }
  return { total: records.length, returns, finals, lines, failures };
}

const dedupe = (xs) => xs.filter((v, i) => i === 0 || v !== xs[i - 1]);
function isSubsequence(small, big) {
  let i = 0;
  for (const v of big) if (i < small.length && v === small[i]) i++;
  return i === small.length;
}

/**
 * Oracle frames vs our events, paired per scope in order of appearance. A
 * capped oracle saw a prefix of the run: only what it saw is compared.
 */
export function compareFrames(oracleFrames, events, oracleCapped = false) {
  const ours = new Map();
  for (const e of events) {
    if (!ours.has(e.frame)) ours.set(e.frame, { scope: e.scope, events: [] });
    ours.get(e.frame).events.push(e);
  }
  const byScope = (frames) => frames.reduce((m, f) => m.set(f.scope, [...(m.get(f.scope) ?? []), f]), new Map());
  const want = byScope(oracleFrames);
  const got = byScope([...ours.values()]);
  const problems = [];
  for (const [scope, frames] of want) {
    const mine = got.get(scope) ?? [];
    if (!oracleCapped && mine.length !== frames.length) problems.push(`${scope}: ${frames.length} frames, we saw ${mine.length}`);
    frames.forEach((w, k) => {
      const g = mine[k];
      if (!g) return;
      const names = new Set(w.states.flatMap((s) => Object.keys(s)));
      for (const name of names) {
        const expected = dedupe(w.states.map((s) => s[name]).filter((v) => typeof v === 'string'));
        const seen = dedupe(g.events.flatMap((e) => (name in e.vars ? [e.vars[name].repr] : [])));
        if (!isSubsequence(expected, seen)) problems.push(`${scope}#${k}.${name}: ${JSON.stringify(expected).slice(0, 200)} vs ${JSON.stringify(seen).slice(0, 200)}`);
      }
      const ran = new Set(w.lines);
      const header = g.events[0]?.line;
      for (const e of g.events) if (e.line !== header && !ran.has(e.line)) problems.push(`${scope}#${k}: line ${e.line} never ran`);
    });
  }
  // The oracle starts at the call: module-level statements are not its business.
  for (const scope of got.keys()) if (!oracleCapped && !want.has(scope) && scope !== '<module>') problems.push(`${scope}: frames the oracle never saw`);
  return problems;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const arg = (name, fallback) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? Number(process.argv[i + 1]) : fallback;
  };
  const started = Date.now();
  const result = runCruxEval({ jobs: arg('--jobs', 2), limit: arg('--limit', Infinity) });
  for (const f of result.failures) console.log(f);
  console.log(`cruxeval: return ${result.returns}/${result.total}, finals ${result.finals}/${result.total}, per-line ${result.lines}/${result.total} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  process.exitCode = result.failures.length === 0 ? 0 : 1;
}
