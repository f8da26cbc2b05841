/**
 * The `score` subcommand on fixtures/score/answers.jsonl (hand-written:
 * expected scores computed by hand below) and the --serve loop.
 */
import { describe, expect, test } from 'vitest';
import { PassThrough } from 'node:stream';
import { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { registerScore } from '../../src/commands/score.js';
import { serve } from '../../src/score/serve.js';

const FIXTURE = new URL('../../fixtures/score/answers.jsonl', import.meta.url).pathname;

/** Run `coderl-trace score ...args` in-process, capturing stdout and stderr. */
async function runScore(args: string[]): Promise<{ out: Record<string, unknown>[]; err: string }> {
  const program = new Command('coderl-trace').exitOverride();
  registerScore(program);
  let out = '';
  let err = '';
  const write = { out: process.stdout.write.bind(process.stdout), err: process.stderr.write.bind(process.stderr) };
  process.stdout.write = ((chunk: string) => { out += chunk; return true; }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string) => { err += chunk; return true; }) as typeof process.stderr.write;
  try {
    await program.parseAsync(['node', 'coderl-trace', 'score', ...args]);
  } finally {
    process.stdout.write = write.out;
    process.stderr.write = write.err;
  }
  return { out: out.trim().split('\n').map((l) => JSON.parse(l)), err };
}

describe('coderl-trace score FILE', () => {
  test('one line out per line in, scores by hand, summary on stderr', async () => {
    const { out, err } = await runScore([FIXTURE]);
    // right: 2/2 -> 1; list-not-tuple: 1/2 -> 0.1 + 0.45; verl dump ("2" reads as int 2): 1; no answer: 0; broken line: 0
    expect(out.map((r) => [r.id ?? null, r.score])).toEqual([
      ['right', 1], ['list-not-tuple', 0.55], ['verl-dump', 1], ['no-answer', 0], [null, 0],
    ]);
    expect(out[1].items).toEqual([
      { name: 'final_output', ok: false, expected: '(3, [1, 2])', got: '[3, [1, 2]]', why: 'expected tuple, got list' },
      { name: 'n', ok: true, expected: '2', got: '2' },
    ]);
    expect(out[2].answer_path).toBe('fence');
    expect(out[3].reason).toMatch(/last line: not JSON/);
    expect(out[4].reason).toMatch(/line 5: invalid JSON/);
    expect(err).toMatch(/scored 5 records: mean score 0\.5100, format failures 2 \(40\.0%\), 1 unreadable lines/);
    expect(err).toMatch(/output-vars: 4 records, all items right 2 \(50\.0%\), item accuracy 5\/6 \(83\.3%\)/);
  });

  test('--reward strict and --compat coderl', async () => {
    expect((await runScore(['--reward', 'strict', FIXTURE])).out.map((r) => r.score)).toEqual([1, 0, 1, 0, 0]);
    // reference: last line only (a fenced answer ends in ```: 0); str([3, [1, 2]]) is not "(3, [1, 2])": 0.1 + 0.9 / 2
    expect((await runScore(['--compat', 'coderl', FIXTURE])).out.map((r) => r.score)).toEqual([1, 0.55, 0, 0, 0]);
  });

  test('--help shows examples', async () => {
    const program = new Command('coderl-trace').exitOverride();
    registerScore(program);
    const help = program.commands[0].helpInformation() + '';
    expect(help).toMatch(/--reward <scheme>/);
    expect(help).toMatch(/--compat <mode>/);
    expect(help).toMatch(/--serve/);
  });
});

describe('--serve', () => {
  test('answers each request line in order; bad requests get an error, the loop goes on', async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    const lines = readFileSync(FIXTURE, 'utf8').trim().split('\n').slice(0, 2).map((l) => JSON.parse(l));
    const gt = lines[0].reward_model.ground_truth as string;
    const done = serve(input, output, { reward: 'coderl', compat: null });
    input.write(JSON.stringify({ id: 'a', response: lines[0].response, ground_truth: gt }) + '\n');
    input.write('not json\n');
    input.write(JSON.stringify({ id: 'b', solution_str: lines[1].response, ground_truth: gt, reward: 'strict' }) + '\n');
    input.write(JSON.stringify({ id: 'c', response: lines[0].response, ground_truth: gt, reward: 'bogus' }) + '\n');
    input.write(JSON.stringify([1]) + '\n');
    input.end();
    expect(await done).toBe(5);
    const answers = output.read().toString().trim().split('\n').map((l: string) => JSON.parse(l));
    expect(answers.map((a: Record<string, unknown>) => [a.id, a.score, a.error ?? null])).toEqual([
      ['a', 1, null],
      [null, 0, expect.stringMatching(/invalid JSON/)],
      ['b', 0, null],
      ['c', 0, expect.stringMatching(/"reward" must be one of/)],
      [null, 0, 'request is not a JSON object'],
    ]);
  });
});
