/**
 * Bad input and limits, through the real CLI. Expected behaviour comes from
 * plain `python3 main.py` runs of the same text (status, message, line) or
 * from uncapped runs of the same program (for the event cap).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, normalizePaths, runPlainAsync, traceRuns } from './helpers.js';
import type { Trace } from '../../src/model/trace.js';

function traceFile(name: string, content: string | Buffer, extra: string[] = []): Trace {
  const dir = mkdtempSync(path.join(tmpdir(), 'inputs-'));
  const file = path.join(dir, name);
  writeFileSync(file, content);
  const res = cli(['trace', '--code', file, '--language', 'python', ...extra]);
  expect(res.stderr).toBe('');
  expect(res.status).toBe(0);
  return JSON.parse(res.stdout) as Trace;
}

describe('bad input gives clear results', () => {
  const broken: [string, string, number][] = [
    ['unclosed bracket', 'x = 1\ndef f(:\n    pass\n', 2],
    ['python 2 print', 'a = 3\nprint "hello"\n', 2],
    ['bad indentation', 'def f():\n    x = 1\n      y = 2\n', 3],
    ['return outside function (tree-sitter accepts it)', 'x = 1\nreturn x\n', 2],
    ['nonlocal at module level', 'y = 1\nnonlocal y\n', 2],
  ];
  it.each(broken)('syntax error: %s -> status syntax_error, message and original line', async (_name, code, line) => {
    const [trace] = await traceRuns([{ id: 'bad', language: 'python', code, stdin: '' }]);
    const plain = await runPlainAsync(code);
    expect(trace.status).toBe('syntax_error');
    expect(trace.exception?.line).toBe(line);
    expect(trace.detail).toMatch(/Error: /);
    expect(plain.stderr).toContain(trace.exception!.message.replace(/ \(main\.py, line \d+\)$/, ''));
    expect(normalizePaths(trace.stderr)).toBe(normalizePaths(plain.stderr));
    expect(trace.exit_code).toBe(plain.status);
    expect(trace.events).toEqual([]);
  });

  it('empty program: ok, no events, empty module finals', () => {
    const trace = traceFile('empty.py', '');
    expect(trace.status).toBe('ok');
    expect(trace.events).toEqual([]);
    expect(trace.finals).toEqual({ '<module>': {} });
    expect(trace.stdout).toBe('');
  });

  it('comments-only program: ok, no events', () => {
    const trace = traceFile('c.py', '# nothing here\n\n# at all\n');
    expect(trace.status).toBe('ok');
    expect(trace.events).toEqual([]);
  });

  it('binary file: syntax_error, as python3 says', async () => {
    const bytes = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256));
    const trace = traceFile('blob.py', bytes);
    expect(trace.status).toBe('syntax_error');
    expect(trace.detail).toMatch(/SyntaxError/);
  });

  it('10 MB program: runs untraced with a warning, same output as python3', async () => {
    const lines = Array.from({ length: 400_000 }, (_, i) => `x${i} = ${i}`);
    const code = `${lines.join('\n')}\nprint(x399999 + x1)\n`;
    expect(code.length).toBeGreaterThan(5_000_000);
    const started = Date.now();
    const trace = traceFile('big.py', code, ['--memory-mb', '2048', '--timeout', '30000']);
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(trace.warnings).toContain('uninstrumented');
    expect(trace.status).toBe('ok');
    expect(trace.stdout).toBe('400000\n');
  });
});

describe('limits', () => {
  const program = [
    'def work(n):',
    '    total = 0',
    '    seen = []',
    '    for i in range(n):',
    '        total += i * i',
    '        if i % 100 == 0:',
    '            seen.append(total)',
    '    return total, seen',
    '',
    'result = work(3000)',
    'print(result[0], len(result[1]))',
  ].join('\n');

  it('--max-events keeps the program running: exact stdout, finals and return, limits.events', async () => {
    const call = 'work(2500)';
    const [capped, uncapped] = await Promise.all([
      traceRuns([{ id: 'c', language: 'python', code: program, call }], ['--max-events', '50']),
      traceRuns([{ id: 'u', language: 'python', code: program, call }], ['--max-events', '100000']),
    ]).then(([a, b]) => [a[0], b[0]]);
    const plain = await runPlainAsync(program);
    expect(capped.limits.events).toBe(true);
    expect(uncapped.limits.events).toBe(false);
    expect(capped.events.length).toBeLessThanOrEqual(50);
    expect(uncapped.events.length).toBeGreaterThan(6000);
    expect(capped.stdout).toBe(plain.stdout);
    expect(capped.stdout).toBe('8995500500 30\n');
    expect(capped.return).toEqual(uncapped.return);
    expect(capped.finals).toEqual(uncapped.finals);
    expect(capped.finals.work.total.repr).toBe(String(Array.from({ length: 2500 }, (_, i) => i * i).reduce((a, b) => a + b)));
    // The capped trace is a prefix of the uncapped one.
    expect(capped.events).toEqual(uncapped.events.slice(0, capped.events.length));
  });

  it('wall-clock timeout: status timeout, events so far kept', async () => {
    const [trace] = await traceRuns([{ id: 't', language: 'python', code: 'x = 0\nwhile True:\n    x += 1\n', stdin: '' }],
      ['--timeout', '700', '--max-events', '1000000']);
    expect(trace.status).toBe('timeout');
    expect(trace.limits.time).toBe(true);
    expect(trace.events.length).toBeGreaterThan(10);
    const xs = trace.events.filter((e) => 'x' in e.vars).map((e) => Number(e.vars.x.repr));
    expect(xs.slice(0, 5)).toEqual([0, 1, 2, 3, 4]);
  });

  it('a run past the event cap that loops until its timeout keeps its capped trace', async () => {
    const [trace] = await traceRuns([{ id: 't', language: 'python', code: 'x = 0\nwhile True:\n    x += 1\n', stdin: '' }],
      ['--timeout', '700', '--max-events', '50']);
    expect(trace.status).toBe('timeout');
    expect(trace.limits.events).toBe(true);
    expect(trace.events).toHaveLength(50);
    const xs = trace.events.filter((e) => 'x' in e.vars).map((e) => Number(e.vars.x.repr));
    expect(xs).toEqual(Array.from({ length: xs.length }, (_, i) => i));
  });
});

describe('recursion limit as in a plain run', () => {
  const programs: [string, string][] = [
    ['deep but legal recursion, caught RecursionError, raised limit', [
      'import sys',
      'def depth(n):',
      '    try:',
      '        return depth(n + 1)',
      '    except RecursionError:',
      '        return n',
      'def down(n):',
      '    if n == 0:',
      '        return 0',
      '    return 1 + down(n - 1)',
      'print(depth(0), sys.getrecursionlimit(), down(990))',
      'sys.setrecursionlimit(3000)',
      'print(sys.getrecursionlimit(), down(2990), depth(0))',
    ].join('\n')],
    ['uncaught infinite recursion: same traceback', 'def boom(n):\n    x = n * 2\n    return boom(n + 1)\nboom(0)\n'],
  ];
  it.each(programs)('%s', async (_name, code) => {
    const [trace] = await traceRuns([{ id: 'r', language: 'python', code, stdin: '' }], ['--max-events', '200']);
    const plain = await runPlainAsync(code);
    expect(trace.warnings).toEqual([]);
    expect(trace.stdout).toBe(plain.stdout);
    expect(trace.exit_code).toBe(plain.status);
    expect(normalizePaths(trace.stderr)).toBe(normalizePaths(plain.stderr));
  });
});
