/**
 * `show` through the real CLI, on small Python and JavaScript programs
 * whose behaviour is known by hand (sum of squares of [1, 2, 3]: total
 * goes 1, 5, 14) and checked against a plain run of the interpreter.
 */
import { describe, expect, test, beforeAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, cli, jsonLines } from '../build/helpers.js';

const PY = 'def f(xs):\n    total = 0\n    for x in xs:\n        total += x * x\n    print("sum", total)\n    return total\n';
const JS = 'function f(xs) {\n  let total = 0;\n  for (const x of xs) {\n    total += x * x;\n  }\n  console.log("sum", total);\n  return total;\n}\n';
const ANSI = /\x1b\[/;
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ct-show-'));
  writeFileSync(join(dir, 'sq.py'), PY);
  writeFileSync(join(dir, 'sq.js'), JS);
  writeFileSync(join(dir, 'div.py'), 'def g(n):\n    half = n // 2\n    return 10 // n\n');
  writeFileSync(join(dir, 'long.py'), 'xs = list(range(100))\nprint(len(xs))\n');
});

/** The view's row for source line n. */
const row = (out: string, n: number) => out.split('\n').find((l) => new RegExp(`^\\s*${n} │`).test(l)) ?? '';

describe('default view', () => {
  test('Python: hit counts, first → last values, return at its line, stdout as a plain run prints it', async () => {
    const plain = execFileSync('python3', ['-c', `${PY}\nprint(repr(f([1, 2, 3])))`], { encoding: 'utf8' });
    expect(plain).toBe('sum 14\n14\n');
    const r = await cli(['show', '--code', join(dir, 'sq.py'), '--call', 'f([1, 2, 3])']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toMatch(ANSI); // not a terminal
    expect(row(r.stdout, 2)).toMatch(/total = 0\s+×1\s+total: 0$/);
    expect(row(r.stdout, 3)).toMatch(/×3\s+x: 1 → 3$/);
    expect(row(r.stdout, 4)).toMatch(/×3\s+total: 1 → 14$/);
    expect(row(r.stdout, 6)).toMatch(/return total\s+×1\s+⏎ returns 14$/);
    expect(r.stdout).toContain('── stdout ──\nsum 14\n');
  });

  test('JavaScript: the same program gives the same counts and values', async () => {
    const plain = execFileSync('node', ['-e', `${JS}\nconsole.log(f([1, 2, 3]))`], { encoding: 'utf8' });
    expect(plain).toBe('sum 14\n14\n');
    const r = await cli(['show', '--code', join(dir, 'sq.js'), '--call', 'f([1, 2, 3])']);
    expect(r.code, r.stderr).toBe(0);
    expect(row(r.stdout, 4)).toMatch(/×3\s+total: 1 → 14$/);
    expect(row(r.stdout, 3)).toMatch(/×3\s+x: 1 → 3$/);
    expect(row(r.stdout, 7)).toMatch(/⏎ returns 14$/);
    expect(row(r.stdout, 5)).toMatch(/^\s*5 │   }$/); // never recorded: no notes
    expect(r.stdout).toContain('── stdout ──\nsum 14\n');
  });

  test('an exception is shown at its line; --color forces colours', async () => {
    let plainError = '';
    try {
      execFileSync('python3', ['-c', `${readFileSync(join(dir, 'div.py'), 'utf8')}\ng(0)`], { encoding: 'utf8', stdio: 'pipe' });
    } catch (err) {
      plainError = String((err as { stderr: string }).stderr);
    }
    expect(plainError).toContain('ZeroDivisionError: integer division or modulo by zero');
    const r = await cli(['show', '--code', join(dir, 'div.py'), '--call', 'g(0)', '--color']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(ANSI);
    const plain = r.stdout.replace(/\x1b\[[0-9;]*m/g, '');
    expect(row(plain, 3)).toContain('✗ ZeroDivisionError: integer division or modulo by zero');
    expect(row(plain, 2)).toMatch(/half: 0$/);
  });

  test('a long value is cut with a visible marker', async () => {
    const r = await cli(['show', '--code', join(dir, 'long.py'), '--value-width', '20']);
    expect(r.code, r.stderr).toBe(0);
    const note = row(r.stdout, 1).split('xs: ')[1];
    // 19 characters of the list's repr, then the marker: 20 in all
    expect(note).toBe(`${'[0, 1, 2, 3, 4, 5, 6'.slice(0, 19)}…`);
    expect(note).toHaveLength(20);
    expect(r.stdout).toContain('── stdout ──\n100\n');
  });
});

describe('--steps', () => {
  test('JavaScript, step by step: one step per executed line, new and changed variables', async () => {
    const r = await cli(['show', '--code', join(dir, 'sq.js'), '--call', 'f([1, 2, 3])', '--steps']);
    expect(r.code, r.stderr).toBe(0);
    const steps = r.stdout.split('\n').filter((l) => /^#\d+/.test(l));
    // by hand: header, let, 3 x (for, body), console.log, return = 10 lines run
    expect(steps).toHaveLength(10);
    expect(steps.filter((l) => l.includes('total += x * x;'))).toHaveLength(3);
    expect(r.stdout).toMatch(/new\s+xs = \[ 1, 2, 3 \]/);
    expect(r.stdout).toMatch(/new\s+total = 0/);
    expect(r.stdout.match(/changed total = (\d+)/g)).toEqual(['changed total = 1', 'changed total = 5', 'changed total = 14']);
  });
});

describe('records of a file', () => {
  test('a task: its targets and expected values are marked on the code', async () => {
    const tasks = join(dir, 'tasks.jsonl');
    const b = await cli(['build', `${ROOT}fixtures/demo/rollouts.jsonl`, '--keep', 'all', '-o', tasks]);
    expect(b.code, b.stderr).toBe(0);
    const records = jsonLines(readFileSync(tasks, 'utf8'));
    const index = records.findIndex((t) => (JSON.parse((t.reward_model as { ground_truth: string }).ground_truth).language === 'python'));
    const gt = JSON.parse((records[index].reward_model as { ground_truth: string }).ground_truth);
    const r = await cli(['show', tasks, '--index', String(index)]);
    expect(r.code, r.stderr).toBe(0);
    const marks = [...r.stdout.matchAll(/◆ (\S+) = (.*?)(?=  |$)/gm)].map((m) => [m[1], m[2]]);
    const expected = Object.entries(gt.variables as Record<string, { repr: string }>).map(([k, v]) => [k, v.repr]);
    expect(marks.sort()).toEqual(expected.sort());
    const output = gt.output.kind === 'stdout' ? gt.output.text : gt.output.value.repr;
    expect(r.stdout).toContain(`◆ expected output: ${output.replace(/\n/g, '\\n')}`);
  });

  test('a trace record: by --id; its program from --code', async () => {
    const runs = [{ id: 'one', language: 'python', code: PY, call: 'f([1, 2, 3])' }, { id: 'two', language: 'javascript', code: JS, call: 'f([2])' }];
    const traced = await cli(['trace', '-'], runs.map((x) => JSON.stringify(x)).join('\n') + '\n');
    const file = join(dir, 'traces.jsonl');
    writeFileSync(file, traced.stdout);
    const bare = await cli(['show', file, '--id', 'two']);
    expect(bare.code, bare.stderr).toBe(0);
    expect(bare.stdout).toContain('the trace record holds no source');
    expect(row(bare.stdout, 4)).toMatch(/×1\s+total: 4$/);
    const missing = await cli(['show', file, '--id', 'three']);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain('no record with id "three"');
  });
});
