/**
 * Test helpers: collect reader results, and run extracted programs on their
 * tests with PLAIN interpreters (no instrumentation, no tool code), as an
 * independent check that fixtures and test normalisation are right.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readRollouts } from '../../src/read/index.js';
import type { ReadOptions, ReadResult, ReadWarning, Rollout, TestCase } from '../../src/read/types.js';

export async function readAll(paths: string[], options: ReadOptions = {}): Promise<{ results: ReadResult[]; warnings: ReadWarning[] }> {
  const warnings: ReadWarning[] = [];
  const results: ReadResult[] = [];
  for await (const r of readRollouts(paths, { ...options, onWarning: (w) => warnings.push(w) })) results.push(r);
  return { results, warnings };
}

let pythonPath: string | null = null;
function python(): string {
  pythonPath ??= execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).trim();
  return pythonPath;
}

const dir = mkdtempSync(join(tmpdir(), 'read-plain-'));
let counter = 0;

function run(language: 'python' | 'javascript', program: string, stdin: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const file = join(dir, `p${counter++}.${language === 'python' ? 'py' : 'js'}`);
  writeFileSync(file, program);
  const bin = language === 'python' ? python() : process.execPath;
  return new Promise((resolve) => {
    const child = execFile(bin, [file], { timeout: 10_000, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', PYTHONHASHSEED: '0' } }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
    child.stdin?.end(stdin);
  });
}

/** Does one test pass under a plain run? null when the test has no expected value. */
export async function plainPass(rollout: Rollout, test: TestCase): Promise<boolean | null> {
  const { language, code } = rollout;
  const input = test.input;
  if (input.kind === 'stdin') {
    const r = await run(language, code, input.stdin);
    if (test.expected_output === null) return null;
    return r.code === 0 && r.stdout.trim() === test.expected_output.trim();
  }
  if (test.expected_output === null) return null;
  if (input.kind === 'fn') {
    const args = JSON.stringify(JSON.stringify(input.args));
    const harness = language === 'python'
      ? `\nimport json as _j\n_f = getattr(Solution(), ${JSON.stringify(input.fn_name)}) if 'Solution' in globals() else ${input.fn_name}\nprint(_j.dumps(_f(*_j.loads(${args}))))\n`
      : `\nconsole.log(JSON.stringify(${input.fn_name}(...JSON.parse(${args}))));\n`;
    const r = await run(language, code + harness, '');
    if (r.code !== 0) return false;
    const got = JSON.parse(r.stdout.trim());
    const want = JSON.parse(test.expected_output);
    const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
    return same(got, want) || (test.expected_wrapped === true && same(got, (want as unknown[])[0]));
  }
  const harness = language === 'python'
    ? `\nprint((${input.call}) == (${test.expected_output}))\n`
    : `\nconsole.log(JSON.stringify(${input.call}) === JSON.stringify(${test.expected_output}) ? 'True' : 'False');\n`;
  const r = await run(language, code + harness, '');
  return r.code === 0 && r.stdout.trim() === 'True';
}

/** A rollout passes when every test with an expected value passes. */
export async function plainPassAll(rollout: Rollout): Promise<boolean> {
  for (const t of rollout.tests) {
    if ((await plainPass(rollout, t)) === false) return false;
  }
  return true;
}
