/**
 * `coderl-trace serve`: the same tasks, rejects and funnel as `build` for
 * the same rows and options; error answers that keep the server serving;
 * no process left behind after EOF or SIGTERM.
 */
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { cli, jsonLines } from '../build/helpers.js';
import { alive, descendants, ServeProcess, STEP_ROWS, stepRows } from './helpers.js';

async function buildOverFile(args: string[]) {
  const { tmpdir } = await import('node:os');
  const { mkdtempSync, readFileSync } = await import('node:fs');
  const dir = mkdtempSync(`${tmpdir()}/serve-test-`);
  const result = await cli(['build', STEP_ROWS, '--rejects', `${dir}/rejects.jsonl`, '--stats', `${dir}/stats.json`, ...args]);
  expect(result.code).toBe(0);
  return {
    tasks: jsonLines(result.stdout),
    rejects: jsonLines(readFileSync(`${dir}/rejects.jsonl`, 'utf8')),
    stats: JSON.parse(readFileSync(`${dir}/stats.json`, 'utf8')) as Record<string, unknown>,
  };
}

describe('serve', () => {
  it('answers a request with the tasks, rejects and stats build writes for the same rows', async () => {
    const server = new ServeProcess(['--jobs', '2']);
    try {
      const rows = stepRows();
      const labelled = await server.request({ id: 'a', rollouts: rows, options: { keep: 'all' }, source: STEP_ROWS });
      const expected = await buildOverFile(['--keep', 'all']);
      // Labelled with the file's name, the answer is the file's build, byte for byte.
      expect(labelled.tasks).toEqual(expected.tasks);
      expect(labelled.rejects).toEqual(expected.rejects);
      expect(labelled.stats).toEqual(expected.stats);
      // Unlabelled, only the provenance (request and row for file and line) differs.
      const plain = await server.request({ id: 7, rollouts: rows, options: { keep: 'all' } });
      const unlabel = (v: unknown) => JSON.parse(JSON.stringify(v).replaceAll('request:7', STEP_ROWS));
      expect(unlabel(plain.tasks)).toEqual(expected.tasks);
      expect(unlabel(plain.rejects)).toEqual(expected.rejects);
      expect(plain.stats).toEqual(expected.stats);
      // The server's own flags are the defaults: keep=failed drops the passed rollout (row 3).
      const failed = await server.request({ id: 8, rollouts: rows, source: STEP_ROWS });
      expect(failed.tasks).toEqual((await buildOverFile([])).tasks);
      expect((failed.rejects as { reason: string }[]).map((r) => r.reason)).toContain('passed');
    } finally {
      server.child.stdin.end();
      await server.exited;
    }
  });

  it('each task\'s expected output is what a plain python3 run of its program prints', async () => {
    const server = new ServeProcess(['--jobs', '2', '--keep', 'all']);
    try {
      const answer = await server.request({ id: 1, rollouts: stepRows() });
      const tasks = answer.tasks as { reward_model: { ground_truth: string } }[];
      expect(tasks.length).toBeGreaterThanOrEqual(5);
      for (const task of tasks) {
        const gt = JSON.parse(task.reward_model.ground_truth) as { code: string; input: string; expected_output: string };
        const printed = execFileSync('python3', ['-c', gt.code], { input: gt.input, encoding: 'utf8' });
        expect(gt.expected_output).toBe(printed.trimEnd());
      }
    } finally {
      server.child.stdin.end();
      await server.exited;
    }
  });

  it('survives malformed requests with an error answer each, then serves the next one', async () => {
    const server = new ServeProcess(['--jobs', '1']);
    try {
      const bad = [
        ['{"id": 1, "rollouts": [', 'invalid-json'],
        ['[1, 2, 3]', 'not-an-object'],
        ['{"id": 2}', 'bad-request'],
        ['{"id": 3, "rollouts": [], "options": {"keep": "sometimes"}}', 'usage'],
        ['{"id": 4, "rollouts": [], "options": {"no-such-flag": 1}}', 'usage'],
        ['{"id": 5, "rollouts": [], "options": {"jobs": 8}}', 'usage'],
        ['{"id": 6, "rollouts": [{"colour": "blue"}]}', 'input'],
      ];
      for (const [line, code] of bad) {
        const answer = await server.ask(line);
        expect((answer.error as { code: string }).code, line).toBe(code);
        expect(answer.tasks).toBeUndefined();
      }
      const good = await server.request({ id: 9, rollouts: stepRows().slice(0, 2) });
      expect(good.id).toBe(9);
      expect((good.tasks as unknown[]).length).toBe(2);
      expect(server.child.exitCode).toBeNull();
    } finally {
      server.child.stdin.end();
      await server.exited;
    }
  });

  it('deduplicates per request unless asked to span requests', async () => {
    const server = new ServeProcess(['--jobs', '1']);
    try {
      const rows = stepRows().slice(0, 2);
      const first = await server.request({ id: 1, rollouts: rows });
      const again = await server.request({ id: 2, rollouts: rows });
      expect(again.tasks).toHaveLength((first.tasks as unknown[]).length);
      await server.request({ id: 3, rollouts: rows, options: { 'dedup-across-requests': true } });
      const spanned = await server.request({ id: 4, rollouts: rows, options: { dedup_across_requests: true } });
      expect(spanned.tasks).toHaveLength(0);
      expect((spanned.rejects as { reason: string }[]).map((r) => r.reason)).toEqual(['duplicate-program-input', 'duplicate-program-input']);
    } finally {
      server.child.stdin.end();
      await server.exited;
    }
  });

  it('ends at EOF with no process left behind', async () => {
    const server = new ServeProcess(['--jobs', '2']);
    await server.request({ id: 1, rollouts: stepRows() });
    const below = descendants(server.child.pid!);
    expect(below.length).toBeGreaterThan(0); // the warm executors
    server.child.stdin.end();
    expect((await server.exited).code).toBe(0);
    expect(alive(below)).toEqual([]);
  });

  it('ends on SIGTERM mid-request with no process left behind', async () => {
    const server = new ServeProcess(['--jobs', '1', '--timeout', '60000']);
    await server.request({ id: 1, rollouts: stepRows().slice(0, 1) });
    const loop = { ...stepRows()[0], output: '```python\nn = 0\nwhile True:\n    n += 1\n```\n' };
    server.child.stdin.write(JSON.stringify({ id: 2, rollouts: [loop] }) + '\n');
    await new Promise((r) => setTimeout(r, 1500)); // the loop is running now
    const below = descendants(server.child.pid!);
    const started = Date.now();
    server.child.kill('SIGTERM');
    await server.exited;
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(alive(below)).toEqual([]);
  });
});
