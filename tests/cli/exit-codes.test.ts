/**
 * Exit codes that hold what the README promises (issues 19 item 4, 16
 * items 6 and 7), through the real CLI: inputs that are not JSON lines,
 * deep nesting, directories, odd ids, foreign program files, files with no
 * ground truth, and interrupted builds with their output files.
 */
import { describe, expect, test, beforeAll } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, ROOT, cli, jsonLines } from '../build/helpers.js';

let dir: string;
const deepList = (n: number) => '['.repeat(n) + ']'.repeat(n);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ct-exit-'));
  mkdirSync(join(dir, 'somedir'));
  writeFileSync(join(dir, 'binary.jsonl'), Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 37) % 256)));
  writeFileSync(join(dir, 'text.jsonl'), 'Dear reader,\nthis is a letter, not data.\n'.repeat(20));
  writeFileSync(join(dir, 'x.rb'), 'puts 1 + 2\n');
  writeFileSync(join(dir, 'nogt.jsonl'), JSON.stringify({ id: 1, response: '{"final_output": "3"}' }) + '\n');
});

describe('a file that is not JSON lines exits 3 with the reason', () => {
  for (const command of ['trace', 'build', 'score', 'stats']) {
    test(`${command}: binary and text`, async () => {
      for (const [file, what] of [['binary.jsonl', 'binary data'], ['text.jsonl', 'text']]) {
        const r = await cli([command, join(dir, file)]);
        expect(r.code, r.stderr).toBe(3);
        expect(r.stderr).toContain(`is not JSON lines: it holds ${what}`);
        expect(r.stdout).toBe('');
      }
    });
  }

  test('a JSONL file with a few broken lines is still read (rejects, not exit 3)', async () => {
    const file = join(dir, 'mixed.jsonl');
    writeFileSync(file, ['not json', JSON.stringify({ id: 'ok', language: 'python', code: 'print(3)\n' })].join('\n') + '\n');
    const r = await cli(['trace', file]);
    expect(r.code).toBe(1);
    const out = jsonLines(r.stdout);
    expect(out).toHaveLength(2);
    expect(out[1].stdout).toBe('3\n');
  });
});

describe('trace: bad input lines give error records; every other record is still traced', () => {
  test('an argument nested 1000 deep (Python and JavaScript) is an error record, not a crash', async () => {
    const code = 'def f(x):\n    return 1\n';
    const lines = [
      JSON.stringify({ id: 'before', language: 'python', code: 'print(2 + 3)\n' }),
      `{"id":"deep-py","language":"python","code":${JSON.stringify(code)},"fn_name":"f","args":[${deepList(1000)}]}`,
      `{"id":"deep-js","language":"javascript","code":"function f(x) { return 1; }\\n","fn_name":"f","args":[${deepList(1000)}]}`,
      JSON.stringify({ id: 'after', language: 'javascript', code: 'console.log(6 * 7);\n' }),
    ];
    const r = await cli(['trace', '-'], lines.join('\n') + '\n');
    expect(r.code, r.stderr).toBe(1);
    const out = jsonLines(r.stdout);
    expect(out.map((o) => o.id)).toEqual(['before', '-:2', '-:3', 'after']);
    expect(out[0].stdout).toBe('5\n');
    expect(out[3].stdout).toBe('42\n');
    expect(out[1].error).toMatch(/"args" is nested more than 100 levels deep/);
    expect(out[2].error).toMatch(/nested more than 100 levels/);
  });

  test('an argument nested 50 deep is still traced', async () => {
    const line = `{"id":"d50","language":"python","code":"def f(x):\\n    return len(x)\\n","fn_name":"f","args":[${deepList(50)}]}`;
    const r = await cli(['trace', '-'], line + '\n');
    expect(r.code, r.stderr).toBe(0);
    expect((jsonLines(r.stdout)[0].return as { repr: string }).repr).toBe('1');
  });

  test('an object as id is refused with a reason, not "[object Object]"', async () => {
    const r = await cli(['trace', '-'], JSON.stringify({ id: { a: 1 }, language: 'python', code: 'print(1)\n' }) + '\n');
    expect(r.code).toBe(1);
    const [rec] = jsonLines(r.stdout);
    expect(rec.error).toBe('"id" must be a string or a number, got object');
    expect(r.stdout).not.toContain('[object Object]');
  });

  test('trace SOMEDIR exits 3', async () => {
    const r = await cli(['trace', join(dir, 'somedir')]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('is a directory');
  });

  test('trace --code x.rb is refused clearly (exit 2)', async () => {
    const r = await cli(['trace', '--code', join(dir, 'x.rb')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('a .rb file is not a program this tool traces');
    expect(r.stdout).toBe('');
  });
});

describe('build: deep arguments are a reject; the build goes on', () => {
  test('one rollout with a 1000-deep argument among good ones', async () => {
    const rollout = (uid: string, arg: string) => JSON.stringify({
      input: 'q', output: '```python\ndef f(x):\n    y = 1\n    return y\n```', score: 0, uid,
      gts: JSON.stringify({ fn_name: 'f', inputs: [arg], outputs: ['1'] }),
    });
    const file = join(dir, 'deep-rollouts.jsonl');
    writeFileSync(file, [rollout('a', '[1]'), rollout('deep', deepList(1000)), rollout('c', '[2]')].join('\n') + '\n');
    const r = await cli(['build', file, '--keep', 'all', '--rejects', join(dir, 'deep-rejects.jsonl')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/3 records: 2 tasks/);
    const rejects = jsonLines(readFileSync(join(dir, 'deep-rejects.jsonl'), 'utf8'));
    expect(rejects).toHaveLength(1);
    expect(rejects[0].reason).toBe('bad-tests');
    expect(rejects[0].detail).toMatch(/nested more than 100 levels deep/);
  });
});

describe('score: no ground truth', () => {
  test('a file with no ground truth exits 3 naming the missing field', async () => {
    const r = await cli(['score', join(dir, 'nogt.jsonl')]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('has no ground truth (no "reward_model.ground_truth", "gts" or "ground_truth" field');
    expect(r.stdout).toBe('');
  });

  test('score --serve answers a request without ground truth with an error and no score', async () => {
    const r = await cli(['score', '--serve'], JSON.stringify({ id: 9, response: '{"final_output": "3"}' }) + '\n');
    expect(r.code).toBe(0);
    expect(jsonLines(r.stdout)).toEqual([{ id: 9, score: null, error: 'the request has no "ground_truth" field' }]);
  });
});

/** Rollouts whose programs each take a while, so that a build is still running when signalled. */
function slowRollouts(n: number): string {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const code = `import time\nn = int(input())\ntime.sleep(0.2)\ntotal = n + ${i}\nprint(total)\n`;
    lines.push(JSON.stringify({
      input: 'q', output: `\`\`\`python\n${code}\`\`\``, score: 0, uid: `s${i}`,
      gts: JSON.stringify({ inputs: [`${i}\n`], outputs: [`${2 * i}\n`] }),
    }));
  }
  return lines.join('\n') + '\n';
}

function startBuild(args: string[]) {
  const child = spawn(process.execPath, [CLI, 'build', ...args], { cwd: ROOT });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const done = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, done, stderr: () => stderr };
}

describe('interrupted builds', () => {
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    test(`${signal}: stops promptly, no file under the -o name, --stats marked interrupted, exit ${code}`, async () => {
      const work = mkdtempSync(join(tmpdir(), 'ct-int-'));
      writeFileSync(join(work, 'slow.jsonl'), slowRollouts(400));
      const out = join(work, 'tasks.jsonl');
      const b = startBuild([join(work, 'slow.jsonl'), '--keep', 'all', '--jobs', '1', '-o', out, '--rejects', join(work, 'rejects.jsonl'), '--stats', join(work, 'stats.json'), '--progress']);
      // Wait until some tasks were written (to the temporary file).
      const started = Date.now();
      while (!/[1-9]\d* tasks/.test(b.stderr()) && Date.now() - started < 60_000) await new Promise((r) => setTimeout(r, 100));
      expect(readdirSync(work).some((f) => f.endsWith('.partial'))).toBe(true);
      expect(existsSync(out)).toBe(false);
      b.child.kill(signal);
      const sent = Date.now();
      expect(await b.done).toBe(code);
      // "Promptly": well under the 400 x 0.2 s the build still had to go (a loaded machine is slow).
      expect(Date.now() - sent).toBeLessThan(20_000);
      expect(b.stderr()).toContain(`interrupted by ${signal}`);
      expect(existsSync(out)).toBe(false);
      expect(existsSync(join(work, 'rejects.jsonl'))).toBe(false);
      expect(readdirSync(work).filter((f) => f.endsWith('.partial'))).toEqual([]);
      const stats = JSON.parse(readFileSync(join(work, 'stats.json'), 'utf8'));
      expect(stats.interrupted).toBe(signal);
      expect(stats.records).toBeGreaterThan(0);
      expect(stats.records).toBeLessThan(400);
      expect(stats.balanced).toBe(true);
    });
  }

  test('a finished build renames its files into place and leaves no temporary file', async () => {
    const work = mkdtempSync(join(tmpdir(), 'ct-done-'));
    const out = join(work, 'tasks.parquet');
    const r = await cli(['build', `${ROOT}fixtures/demo/rollouts.jsonl`, '--keep', 'all', '-o', out, '--stats', join(work, 'stats.json')]);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(out).subarray(0, 4).toString()).toBe('PAR1');
    expect(readdirSync(work).sort()).toEqual(['stats.json', 'tasks.parquet']);
    expect(JSON.parse(readFileSync(join(work, 'stats.json'), 'utf8')).interrupted).toBeUndefined();
  });

  test('a build that fails on its second input (not JSON lines) leaves no -o file', async () => {
    const work = mkdtempSync(join(tmpdir(), 'ct-fail-'));
    const out = join(work, 'tasks.jsonl');
    const r = await cli(['build', `${ROOT}fixtures/demo/rollouts.jsonl`, join(dir, 'text.jsonl'), '--keep', 'all', '-o', out]);
    expect(r.code).toBe(3);
    expect(readdirSync(work)).toEqual([]);
  });
});
