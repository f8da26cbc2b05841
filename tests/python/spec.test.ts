/**
 * Spec programs (fixtures/python/spec/*.py, optional *.stdin) traced through
 * the real CLI and checked against two independent references:
 * - a plain `python3 main.py` run: same stdout, exit status and stderr
 *   (tracebacks compared with the run directory stripped);
 * - the sys.settrace oracle (tests/python/oracle.py) on the ORIGINAL program:
 *   per frame, the same variable names, every value sequence the oracle saw
 *   is a subsequence of ours, every line we report was executed in that
 *   frame, and the finals of every scope match at its last exit.
 */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Trace, TraceEvent } from '../../src/model/trace.js';
import { normalizePaths, ROOT, runOracle, runPlainAsync, traceRuns, type OracleFrame, type PlainResult } from './helpers.js';

const SPEC_DIR = path.join(ROOT, 'fixtures/python/spec');
const specs = readdirSync(SPEC_DIR).filter((f) => f.endsWith('.py')).sort().map((file) => {
  const stdinFile = path.join(SPEC_DIR, file.replace(/\.py$/, '.stdin'));
  return { file, code: readFileSync(path.join(SPEC_DIR, file), 'utf8'), stdin: existsSync(stdinFile) ? readFileSync(stdinFile, 'utf8') : '' };
});

interface OurFrame {
  scope: string;
  events: TraceEvent[];
}

function framesOf(trace: Trace): OurFrame[] {
  const byId = new Map<number, OurFrame>();
  for (const e of trace.events) {
    if (!byId.has(e.frame)) byId.set(e.frame, { scope: e.scope, events: [] });
    byId.get(e.frame)!.events.push(e);
  }
  return [...byId.entries()].sort((a, b) => a[0] - b[0]).map(([, f]) => f);
}

function groupByScope<T extends { scope: string }>(frames: T[]): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const f of frames) map.set(f.scope, [...(map.get(f.scope) ?? []), f]);
  return map;
}

function dedupe(values: string[]): string[] {
  return values.filter((v, i) => i === 0 || v !== values[i - 1]);
}

function isSubsequence(small: string[], big: string[]): boolean {
  let i = 0;
  for (const v of big) if (i < small.length && v === small[i]) i++;
  return i === small.length;
}

/** Differences between one oracle frame and ours, as readable strings. */
function compareFrame(where: string, want: OracleFrame, got: OurFrame): string[] {
  const problems: string[] = [];
  const wantNames = new Set(want.states.flatMap((s) => Object.keys(s)));
  const gotNames = new Set(got.events.flatMap((e) => Object.keys(e.vars)));
  for (const name of wantNames) if (!gotNames.has(name)) problems.push(`${where}: variable ${name} never recorded`);
  for (const name of wantNames) {
    const expected = dedupe(want.states.map((s) => s[name]).filter((v): v is string => typeof v === 'string'));
    const ours = dedupe(got.events.flatMap((e) => (name in e.vars ? [e.vars[name].repr] : [])));
    if (!isSubsequence(expected, ours)) problems.push(`${where}: ${name} went ${JSON.stringify(expected)}, we recorded ${JSON.stringify(ours)}`);
  }
  const executed = new Set(want.lines);
  const header = got.events[0]?.line;
  for (const e of got.events) {
    if (e.line !== header && !executed.has(e.line)) problems.push(`${where}: event on line ${e.line}, which this frame never executed`);
  }
  return problems;
}

describe('Python spec programs against plain runs and a settrace oracle', () => {
  let traces: Trace[];
  let plains: PlainResult[];
  beforeAll(async () => {
    traces = await traceRuns(specs.map((s) => ({ id: s.file, language: 'python', code: s.code, stdin: s.stdin })), ['--jobs', '2']);
    plains = await Promise.all(specs.map((s) => runPlainAsync(s.code, s.stdin)));
  });

  it('covers the syntax list of issue 2', () => {
    const all = specs.map((s) => s.code).join('\n');
    const required: [string, RegExp][] = [
      ['chained assignment', /^\s*\w+ = \w+ = /m], ['starred unpacking', /\*\w+, \w+ = /], ['augmented', /\+= /],
      ['annotated', /^\s*\w+: \w+ = /m], ['walrus', /:= /], ['list comprehension', /\[\w+ \* \w+ for /],
      ['dict comprehension', /\{\w+: .* for /], ['generator expression', /\(\w+ \+ 1 for /], ['for-else', /else:\n\s*pos = -2/],
      ['while-else', /while .*:\n(.*\n)*?\s*else:/], ['break', /\bbreak\b/], ['continue', /\bcontinue\b/], ['elif', /\belif\b/],
      ['try/except/else/finally', /except .*\n(.*\n)*?\s*else:\n(.*\n)*?\s*finally:/], ['except*', /except\* /],
      ['with', /^\s*with /m], ['closure + nonlocal', /nonlocal /], ['global', /global /], ['lambda default', /lambda \w+, \w+=\w+:/],
      ['property', /@property/], ['decorator with args', /@\w+\("/], ['nested class', /^ {4}class /m], ['super()', /super\(\)/],
      ['yield from', /yield from/], ['send', /\.send\(/], ['async def', /async def/], ['asyncio.run', /asyncio\.run/],
      ['match', /^\s*match /m], ['f-string', /f"\{/], ['backslash continuation', /\\\n/], ['semicolons', /; \w+ = /],
      ['one-line if', /if .*: \w+ = /], ['del', /\bdel /], ['import in function', /^ {4}import /m], ['very long line', /^.{300,}$/m],
      ['non-ASCII identifier', /größe/], ['emoji string', /🌍/], ['tabs', /^\t\t/m], ['docstring-only function', /def only_doc\(\):\n\s*"""[^\n]*"""\n\n/],
      ['multi-line string in function', /^ {4}block = """/m], ['from __future__', /from __future__ import annotations/],
      ['stdin program', /input\(\)/], ['sys.exit', /sys\.exit\(/], ['uncaught exception', /q = a \/ b/],
    ];
    expect(required.filter(([, re]) => !re.test(all)).map(([name]) => name)).toEqual([]);
    expect(traces.map((t) => t.id)).toEqual(specs.map((s) => s.file));
  });

  specs.forEach((spec, i) => {
    it(`${spec.file}: same stdout, stderr and exit status as python3 main.py`, () => {
      const trace = traces[i];
      const plain = plains[i];
      expect(trace.warnings).toEqual([]);
      expect(trace.stdout).toBe(plain.stdout);
      expect(trace.exit_code).toBe(plain.status);
      expect(normalizePaths(trace.stderr)).toBe(normalizePaths(plain.stderr));
      expect(trace.events.length).toBeGreaterThan(0);
    });

    it(`${spec.file}: per-line values and finals match the settrace oracle`, () => {
      const trace = traces[i];
      const oracle = runOracle(spec.code, spec.stdin);
      const problems: string[] = [];
      const wantFrames = groupByScope(oracle.frames);
      const gotFrames = groupByScope(framesOf(trace));
      expect([...gotFrames.keys()].sort()).toEqual([...wantFrames.keys()].sort());
      for (const [scope, want] of wantFrames) {
        const got = gotFrames.get(scope) ?? [];
        if (got.length !== want.length) problems.push(`${scope}: ${want.length} frames, we saw ${got.length}`);
        want.forEach((w, k) => { if (got[k]) problems.push(...compareFrame(`${scope}#${k}`, w, got[k])); });
      }
      for (const [scope, want] of Object.entries(oracle.finals)) {
        const got = trace.finals[scope];
        if (!got) { problems.push(`finals: no ${scope}`); continue; }
        expect(Object.keys(got).sort(), `finals of ${scope}`).toEqual(Object.keys(want).sort());
        for (const [name, repr] of Object.entries(want)) {
          if (repr !== null && got[name]?.repr !== repr) problems.push(`finals ${scope}.${name}: ${got[name]?.repr} != ${repr}`);
        }
      }
      expect(problems).toEqual([]);
    });
  });
});
