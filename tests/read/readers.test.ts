/**
 * End to end per reader on the hand-made fixtures (fixtures/rollouts, written
 * by make_fixtures.py next to the outcome each record must have).
 */
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync, createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { parseFieldSpecs } from '../../src/read/index.js';
import type { InputFormat, ReadOptions, ReadResult } from '../../src/read/types.js';
import { readAll } from './helpers.js';

const FIX = 'fixtures/rollouts';
const genericFields = parseFieldSpecs(JSON.parse(readFileSync(`${FIX}/generic/fields.json`, 'utf8')));

interface Expected {
  line: number;
  results: ({ ok: true; language: string; style: string; tests: number; passed: boolean | null } | { ok: false; reason: string })[];
}

const CASES: { format: InputFormat; file: string; options: ReadOptions }[] = [
  { format: 'verl', file: `${FIX}/verl/10.jsonl`, options: {} },
  { format: 'verl-dataset', file: `${FIX}/verl-dataset/rows.jsonl`, options: {} },
  { format: 'generic', file: `${FIX}/generic/openrlhf.jsonl`, options: { fields: genericFields } },
  { format: 'trl-parquet', file: `${FIX}/trl/completions_00010.jsonl`, options: { dataset: `${FIX}/trl/dataset.jsonl` } },
];

function nonBlankLines(file: string): number {
  return readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '').length;
}

function summary(r: ReadResult) {
  if (!r.ok) return { ok: false, reason: r.reject.reason };
  const x = r.rollout;
  return { ok: true, language: x.language, style: x.style, tests: x.tests.length, passed: x.passed };
}

describe.each(CASES)('$format reader', ({ format, file, options }) => {
  const expected: Expected[] = JSON.parse(readFileSync(file.replace('.jsonl', '.expected.json'), 'utf8'));

  it.each(['auto', format] as const)('gives the expected result for every record (--input-format %s)', async (inputFormat) => {
    const { results } = await readAll([file], { ...options, inputFormat });
    const byLine = new Map<number, ReadResult[]>();
    for (const r of results) {
      const line = r.ok ? r.rollout.source.line : r.reject.source.line;
      byLine.set(line, [...(byLine.get(line) ?? []), r]);
    }
    // Nothing dropped: every non-blank line has its results, in order.
    expect([...byLine.keys()]).toEqual(expected.map((e) => e.line));
    expect(byLine.size).toBe(nonBlankLines(file));
    for (const e of expected) expect(byLine.get(e.line)!.map(summary), `line ${e.line}`).toEqual(e.results);
    // Rejects always say why.
    for (const r of results) if (!r.ok) expect(r.reject.detail.length).toBeGreaterThan(10);
  });

  it('covers stdin and both call encodings, fences and </think>, passed and failed', async () => {
    const { results } = await readAll([file], options);
    const rollouts = results.flatMap((r) => (r.ok ? [r.rollout] : []));
    const notes = rollouts.flatMap((r) => r.notes).join('\n');
    expect(rollouts.some((r) => r.style === 'stdin')).toBe(true);
    expect(rollouts.some((r) => r.style === 'call')).toBe(true);
    expect(notes).toMatch(/JSON lines/);
    expect(rollouts.some((r) => r.passed === true)).toBe(true);
    expect(rollouts.some((r) => r.passed === false)).toBe(true);
    expect(notes).toMatch(/after <\/think>/);
    expect(notes).toMatch(/fence/);
    expect(rollouts.some((r) => r.language === 'javascript')).toBe(true);
    // Keys are unique and stable.
    const keys = results.map((r) => (r.ok ? r.rollout.key : r.reject.key));
    expect(new Set(keys).size).toBe(keys.length);
  });
});

describe('reader details', () => {
  it('verl: keeps step, uid, score, data_source, prompt and the APPS encoding', async () => {
    const { results } = await readAll([`${FIX}/verl/10.jsonl`]);
    const first = results[0];
    expect(first.ok).toBe(true);
    if (!first.ok) return;
    expect(first.rollout).toMatchObject({
      key: `${FIX}/verl/10.jsonl:1`, step: 10, uid: 'u-sum', reward: 1, passed: true, data_source: 'codecontests', fn_name: null,
    });
    expect(first.rollout.prompt).toContain('Read n and then n integers');
    expect(first.rollout.tests[0]).toEqual({ index: 0, input: { kind: 'stdin', stdin: '3\n1 2 3\n' }, expected_output: '6\n', expected_kind: 'text' });
    const apps = results[4];
    if (!apps.ok) throw new Error('expected a rollout');
    expect(apps.rollout.tests[0]).toEqual({
      index: 0, input: { kind: 'fn', fn_name: 'max_gap', args: [[1, 5, 2]] }, expected_output: '[4]', expected_kind: 'json', expected_wrapped: true,
    });
    const lcb = results[2];
    if (!lcb.ok) throw new Error('expected a rollout');
    expect(lcb.rollout.tests[1]).toEqual({ index: 1, input: { kind: 'fn', fn_name: 'twoSum', args: [[3, 2, 4], 6] }, expected_output: '[1, 2]', expected_kind: 'json' });
    expect(lcb.rollout.code).toContain('class Solution');
  });

  it('verl-dataset: a responses list gives one keyed result per response', async () => {
    const { results } = await readAll([`${FIX}/verl-dataset/rows.jsonl`]);
    const keys = results.map((r) => (r.ok ? r.rollout.key : r.reject.key));
    expect(keys.slice(1, 4)).toEqual([2, 2, 2].map((l, i) => `${FIX}/verl-dataset/rows.jsonl:${l}#${i}`));
    const mbpp = results[0];
    if (!mbpp.ok) throw new Error('expected a rollout');
    expect(mbpp.rollout.tests.map((t) => t.input)).toEqual([
      { kind: 'call', call: 'square_nums([1, 2, 3])' }, { kind: 'call', call: 'square_nums([10])' }, { kind: 'call', call: 'square_nums([])' },
    ]);
    expect(mbpp.rollout).toMatchObject({ problem_id: '0', data_source: 'mbpp', prompt: 'Write a function square_nums to square every number of a list.' });
  });

  it('generic: --field paths reach into JSON strings', async () => {
    const { results } = await readAll([`${FIX}/generic/openrlhf.jsonl`], { fields: genericFields });
    const r = results[2];
    if (!r.ok) throw new Error('expected a rollout');
    expect(r.rollout).toMatchObject({ problem_id: 'p-two', fn_name: 'twoSum', reward: 1, passed: true });
  });

  it('trl: joins rows without test columns to --dataset by prompt; without it they say how to fix', async () => {
    const { results } = await readAll([`${FIX}/trl/completions_00010.jsonl`]);
    const third = results[2];
    expect(third.ok).toBe(false);
    if (!third.ok) expect(third.reject).toMatchObject({ reason: 'no-tests', detail: expect.stringContaining('--dataset') });
  });

  it('an empty file yields no records and a warning', async () => {
    const { results, warnings } = await readAll([`${FIX}/empty/0.jsonl`]);
    expect(results).toEqual([]);
    expect(warnings).toEqual([{ file: `${FIX}/empty/0.jsonl`, code: 'empty-file', message: expect.any(String) }]);
  });

  it('reads stdin for -, and many files in order', async () => {
    const text = readFileSync(`${FIX}/verl/10.jsonl`, 'utf8');
    const { results } = await readAll(['-', `${FIX}/verl-dataset/rows.jsonl`], { stdin: Readable.from([text]) });
    expect(results.length).toBe(20 + 14);
    expect(results[0].ok && results[0].rollout.key).toBe('-:1');
    const last = results[results.length - 1];
    expect(!last.ok && last.reject.key).toBe(`${FIX}/verl-dataset/rows.jsonl:12`);
  });

  it('a directory is read in step order, and quoted globs are expanded', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'read-dir-'));
    const line = readFileSync(`${FIX}/verl/10.jsonl`, 'utf8').split('\n')[0];
    for (const step of [10, 2, 1]) writeFileSync(join(dir, `${step}.jsonl`), line.replace('"step": 10', `"step": ${step}`) + '\n');
    const steps = async (paths: string[]) => (await readAll(paths)).results.map((r) => (r.ok ? r.rollout.step : null));
    expect(await steps([dir])).toEqual([1, 2, 10]);
    expect(await steps([join(dir, '*.jsonl')])).toEqual([1, 2, 10]);
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'sub', '3.jsonl'), line.replace('"step": 10', '"step": 3') + '\n');
    expect(await steps([join(dir, '**', '[13].jsonl')])).toEqual([1, 3]);
  });

  it('missing files and undetectable formats are input errors with a clear message', async () => {
    await expect(readAll(['no/such/file.jsonl'])).rejects.toThrow(InputError);
    await expect(readAll(['no/such/*.jsonl'])).rejects.toThrow(/no file matches/);
    const dir = mkdtempSync(join(tmpdir(), 'read-undetected-'));
    const file = join(dir, 'x.jsonl');
    writeFileSync(file, 'not json\n{"foo": 1, "bar": 2}\n');
    await expect(readAll([file])).rejects.toThrow(/cannot detect the input format .* keys foo, bar.*--input-format/);
    // Forcing a format turns the same record into a reject instead.
    const { results } = await readAll([file], { inputFormat: 'verl' });
    expect(results.map((r) => !r.ok && r.reject.reason)).toEqual(['invalid-json', 'missing-field']);
  });

  it('a 50 MB line is a reject and reading goes on', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'read-big-'));
    const file = join(dir, 'big.jsonl');
    const out = createWriteStream(file);
    const good = readFileSync(`${FIX}/verl/10.jsonl`, 'utf8').split('\n')[0];
    out.write(good + '\n');
    // A well-formed record with a 50 MB response, then a 50 MB line of garbage.
    out.write(good.replace('"output": "', `"output": "${'x'.repeat(50 * 1024 * 1024)}`) + '\n');
    out.write('{' + 'y'.repeat(50 * 1024 * 1024) + '\n');
    out.write(good + '\n');
    await new Promise((resolve) => out.end(resolve));
    // Under the default limit (16 MiB in src/jsonl.ts) both big lines are rejected unparsed.
    const { results } = await readAll([file]);
    expect(results.map((r) => (r.ok ? 'ok' : r.reject.reason))).toEqual(['ok', 'line-too-long', 'line-too-long', 'ok']);
    expect(!results[1].ok && results[1].reject.detail).toMatch(/bytes, over the/);
    // With a limit above 50 MB the well-formed record is read and the garbage is invalid JSON.
    const raised = await readAll([file], { maxLineBytes: 64 * 1024 * 1024 });
    expect(raised.results.map((r) => (r.ok ? 'ok' : r.reject.reason))).toEqual(['ok', 'ok', 'invalid-json', 'ok']);
  }, 60_000);
});
