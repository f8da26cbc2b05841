/**
 * Shared helpers for the sandbox tests: the adversarial fixtures (with their
 * expected outcome in a header comment) and checks that the host is
 * unaffected after a run.
 */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Language, Status } from '../../src/model/trace.js';
import type { Limits } from '../../src/run/limits.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const FIXTURES = path.join(ROOT, 'fixtures/sandbox');
export const RUNNER = path.join(ROOT, 'tracers/javascript/runner.js');
export const CLI = path.join(ROOT, 'bin/coderl-trace.js');
/** Must match UID_BASE in tracers/sandbox.py: a run's uid is UID_BASE + its executor's pid. */
export const UID_BASE = 2_000_000;
/** Text that fixtures put in the names of files and processes they create. */
export const MARKERS = ['coderl-sbx', '98765'];

export interface Fixture {
  name: string;
  language: Language;
  code: string;
  expect: Status;
  /** Matched against detail + stderr. */
  detail: RegExp | null;
  limits: Partial<Limits>;
  /**
   * Expected statuses in the one-file suite run, where every record shares the suite's tight limits
   * (`# suite: a|b` where those limits leave a race the fixture's own `# limits:` do not).
   */
  suite: Status[];
  /**
   * Expected statuses in a build, which re-checks a wall-clock timeout that had CPU time to
   * spare with the CPU limit deciding (`# rechecked: a|b`; default: the suite's).
   */
  rechecked: Status[];
}

/** Header lines: `# expect: timeout`, `# detail: regex`, `# limits: {json}`, `# suite: status[|status]`, `# rechecked: status[|status]`. */
export function loadFixtures(): Fixture[] {
  return readdirSync(FIXTURES).filter((f) => /\.(py|js)$/.test(f)).sort().map((name) => {
    const code = readFileSync(path.join(FIXTURES, name), 'utf8');
    const header = (key: string): string | null => {
      const m = code.match(new RegExp(`^(?:#|//) ${key}: (.*)$`, 'm'));
      return m ? m[1].trim() : null;
    };
    const expect = header('expect') as Status | null;
    if (!expect) throw new Error(`${name}: no "expect:" header`);
    const detail = header('detail');
    return {
      name,
      language: name.endsWith('.py') ? 'python' : 'javascript',
      code,
      expect,
      detail: detail ? new RegExp(detail) : null,
      limits: JSON.parse(header('limits') ?? '{}') as Partial<Limits>,
      suite: (header('suite') ?? expect).split('|') as Status[],
      rechecked: (header('rechecked') ?? header('suite') ?? expect).split('|') as Status[],
    };
  });
}

function readProc(pid: string, file: string): string {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    return '';
  }
}

function ancestors(pid: string): string[] {
  const chain: string[] = [];
  let current = pid;
  for (let i = 0; i < 64 && current !== '0' && current !== ''; i++) {
    chain.push(current);
    current = readProc(current, 'status').match(/^PPid:\s+(\d+)/m)?.[1] ?? '';
  }
  return chain;
}

/**
 * Processes left behind by OUR runs: those running as a sandbox uid whose
 * executor is ours or already gone, and those carrying a fixture marker,
 * unless they run as the sandbox uid of another live executor (other test
 * files run their own executors, and fixtures, concurrently).
 */
export function leftoverProcesses(): string[] {
  const me = String(process.pid);
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    const cmdline = readProc(pid, 'cmdline').replace(/\0/g, ' ').trim();
    const uid = Number(readProc(pid, 'status').match(/^Uid:\s+(\d+)/m)?.[1] ?? -1);
    const sandboxed = uid >= UID_BASE && uid < UID_BASE + 4_194_305;
    const executor = String(uid - UID_BASE);
    const ours = !sandboxed || !existsSync(`/proc/${executor}`) || ancestors(executor).includes(me);
    if (ours && (sandboxed || MARKERS.some((m) => cmdline.includes(m)))) found.push(`${pid} (uid ${uid}): ${cmdline}`);
  }
  return found;
}

/** Host directories a run must not be able to write into. */
export function hostDirs(): string[] {
  return [...new Set([tmpdir(), '/tmp', '/var/tmp', '/dev/shm', homedir(), ROOT, path.join(ROOT, 'tracers'), path.join(ROOT, 'tracers/python')])];
}

/** Files with a fixture marker in their name in any host directory. */
export function markedFiles(): string[] {
  const found: string[] = [];
  for (const dir of hostDirs()) {
    let names: string[] = [];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names) if (MARKERS.some((m) => name.includes(m))) found.push(path.join(dir, name));
  }
  return found;
}
