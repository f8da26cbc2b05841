import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { readFileSync } from 'node:fs';
import { ROOT, CLI } from '../build/helpers.js';

export { ROOT, CLI };
export const STEP_ROWS = `${ROOT}fixtures/serve/step_rows.jsonl`;

export function stepRows(): Record<string, unknown>[] {
  return readFileSync(STEP_ROWS, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** A running `coderl-trace serve`: send a request line, await its answer line. */
export class ServeProcess {
  readonly child: ChildProcessWithoutNullStreams;
  private readonly answers: string[] = [];
  private readonly waiters: ((line: string) => void)[] = [];
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(args: string[] = []) {
    this.child = spawn(process.execPath, [CLI, 'serve', ...args], { cwd: ROOT });
    this.child.stderr.on('data', (d) => (this.stderr += d));
    createInterface({ input: this.child.stdout }).on('line', (line) => {
      const waiter = this.waiters.shift();
      if (waiter) waiter(line);
      else this.answers.push(line);
    });
    this.exited = new Promise((resolve) => this.child.on('exit', (code, signal) => resolve({ code, signal })));
  }

  /** Write one raw line (a request, or something malformed) and read one answer. */
  ask(line: string): Promise<Record<string, unknown>> {
    this.child.stdin.write(line.endsWith('\n') ? line : line + '\n');
    const next = this.answers.shift();
    const text = next !== undefined ? Promise.resolve(next) : new Promise<string>((resolve) => this.waiters.push(resolve));
    return text.then((t) => JSON.parse(t) as Record<string, unknown>);
  }

  request(body: Record<string, unknown>): Promise<Record<string, unknown>> {
    return this.ask(JSON.stringify(body));
  }
}

/** Every process below `pid` (children, grandchildren...), from ps. */
export function descendants(pid: number): number[] {
  const table = execFileSync('ps', ['-e', '-o', 'pid=,ppid='], { encoding: 'utf8' })
    .trim().split('\n').map((l) => l.trim().split(/\s+/).map(Number));
  const found: number[] = [];
  let frontier = [pid];
  while (frontier.length > 0) {
    const next = table.filter(([, ppid]) => frontier.includes(ppid)).map(([p]) => p);
    found.push(...next);
    frontier = next;
  }
  return found;
}

/** Those of `pids` that still exist (ps; zombies count as gone). */
export function alive(pids: number[]): number[] {
  if (pids.length === 0) return [];
  let out = '';
  try {
    out = execFileSync('ps', ['-o', 'pid=,stat=', '-p', pids.join(',')], { encoding: 'utf8' });
  } catch {
    return []; // ps exits 1 when none of them exists
  }
  return out.trim().split('\n').filter((l) => l.trim() && !/\sZ/.test(l)).map((l) => Number(l.trim().split(/\s+/)[0]));
}
