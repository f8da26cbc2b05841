/**
 * Shared helpers for the Python tracing tests: the real interpreter, plain
 * `python3 main.py` runs (the independent reference for behaviour), the
 * settrace oracle (the independent reference for values) and the real CLI.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Trace } from '../../src/model/trace.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export { CORPORA } from '../corpora.js';
const CLI = path.join(ROOT, 'bin/coderl-trace.js');

let python: string | null = null;
/** The real interpreter behind the pyenv shim (resolved once). */
export function realPython(): string {
  python ??= execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).trim();
  return python;
}

export function ensureBuilt(): void {
  if (!existsSync(path.join(ROOT, 'dist/src/cli.js'))) throw new Error('run `npm run build` first (dist/ is missing)');
}

export interface PlainResult {
  stdout: string;
  stderr: string;
  status: number | null;
}

const ENV = { PATH: process.env.PATH ?? '/usr/bin:/bin', PYTHONHASHSEED: '0', LANG: 'C.UTF-8' };

/** `python3 main.py < stdin` in a fresh directory, as a user would run it. */
export function runPlainAsync(code: string, stdin = '', timeoutMs = 30_000): Promise<PlainResult> {
  const dir = mkdtempSync(path.join(tmpdir(), 'plain-'));
  writeFileSync(path.join(dir, 'main.py'), code);
  return new Promise((resolve) => {
    const child = spawn(realPython(), ['main.py'], { cwd: dir, env: ENV });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.stdin.on('error', () => {});
    child.stdin.end(stdin);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (status) => {
      clearTimeout(timer);
      rmSync(dir, { recursive: true, force: true });
      resolve({ stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), status });
    });
  });
}

export interface OracleFrame {
  scope: string;
  states: Record<string, string | null>[];
  lines: number[];
}
export interface OracleReport {
  frames: OracleFrame[];
  finals: Record<string, Record<string, string | null>>;
}

/** Run the ORIGINAL program under tests/python/oracle.py (sys.settrace). */
export function runOracle(code: string, stdin = ''): OracleReport {
  const dir = mkdtempSync(path.join(tmpdir(), 'oracle-'));
  try {
    writeFileSync(path.join(dir, 'main.py'), code);
    spawnSync(realPython(), [path.join(ROOT, 'tests/python/oracle.py'), 'report.json'], { cwd: dir, input: stdin, env: ENV });
    return JSON.parse(readFileSync(path.join(dir, 'report.json'), 'utf8')) as OracleReport;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Trace many runs with ONE `coderl-trace trace -` process. */
export function traceRuns(runs: object[], flags: string[] = []): Promise<Trace[]> {
  ensureBuilt();
  const input = runs.map((r) => JSON.stringify(r)).join('\n') + '\n';
  return new Promise((resolve, reject) => {
    const child = spawn('node', [CLI, 'trace', '-', '--python', realPython(), ...flags]);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.stdin.end(input);
    child.on('error', reject);
    child.on('close', (status) => {
      if (status !== 0 && status !== 1) return reject(new Error(`coderl-trace trace exited ${status}: ${Buffer.concat(err).toString()}`));
      resolve(Buffer.concat(out).toString('utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Trace));
    });
  });
}

/** Run the CLI with arguments; returns exit status and outputs. */
export function cli(args: string[], input?: string): { status: number | null; stdout: string; stderr: string } {
  ensureBuilt();
  const res = spawnSync('node', [CLI, ...args], { input, encoding: 'utf8', maxBuffer: 1 << 30 });
  return { status: res.status, stdout: res.stdout, stderr: res.stderr };
}

/** Tracebacks name the run directory: compare them by file name only. */
export function normalizePaths(text: string): string {
  return text.replace(/File "[^"]*\/main\.py"/g, 'File "main.py"');
}
