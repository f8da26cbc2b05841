/**
 * The fork server (tracers/zygote.py): runs forked from one long-lived pid 1
 * must behave as if each had a fresh namespace of its own. Pids, private
 * /tmp (sized by each job's limits), SysV IPC and leftover processes are
 * per run; programs compiled ahead in the executor behave exactly as a plain
 * `python3 main.py` (checked against one).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ExecutorPool } from '../../dist/src/run/pool.js';
import { findInterpreters } from '../../dist/src/run/interpreters.js';
import { limitsFromFlags } from '../../dist/src/run/limits.js';
import { Tracer } from '../../dist/src/trace/tracer.js';
import type { ExecutorResult, Job } from '../../src/run/executor.js';
import type { Limits } from '../../src/run/limits.js';
import { ROOT, leftoverProcesses } from './helpers.js';

const LIMITS = limitsFromFlags({ timeout: '3000', memoryMb: '256', maxOutput: '65536' });
// A tool installed under /tmp is bound into every run's /tmp (read-only): its top directory is left out of listings.
const TMP_LISTING = `[p for p in os.listdir("/tmp") if p != ${JSON.stringify(ROOT.startsWith('/tmp/') ? ROOT.split('/')[2] : '')}]`;
const interpreters = findInterpreters();
const pool = new ExecutorPool(interpreters, 1);
const tracer = new Tracer({ jobs: 1, limits: LIMITS });
afterAll(() => {
  pool.close();
  tracer.close();
});

function run(source: string, limits: Partial<Limits> = {}): Promise<ExecutorResult> {
  const job: Omit<Job, 'job'> = {
    language: 'python', mode: 'plain', source, instrumented: null, line_map: null,
    input: { kind: 'stdin', stdin: '' }, limits: { ...LIMITS, ...limits },
  };
  return pool.run(job);
}

/**
 * The same program under a plain interpreter, as `python3 main.py` in an
 * empty directory: its stdout, and its stderr with that directory left out of paths.
 */
function plainPython(source: string): { stdout: string; stderr: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'ct-plain-'));
  try {
    writeFileSync(path.join(dir, 'main.py'), source);
    const done = spawnSync(interpreters.python, ['main.py'], {
      cwd: dir, encoding: 'utf8', env: { PATH: '/usr/bin:/bin', PYTHONHASHSEED: '0', LANG: 'C.UTF-8' },
    });
    return { stdout: done.stdout, stderr: done.stderr.replaceAll(`${dir}/`, '') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('runs forked by the fork server', () => {
  it('get the pids of a fresh namespace: the program is 2, its first child 3, run after run', async () => {
    const code = [
      'import os',
      'pid = os.fork()',
      'if pid == 0:',
      '    os._exit(0)',
      'os.waitpid(pid, 0)',
      'print(os.getpid(), pid)',
    ].join('\n') + '\n';
    for (let i = 0; i < 3; i++) {
      const r = await run(code);
      expect([r.status, r.stdout]).toEqual(['ok', '2 3\n']);
    }
  });

  it('see only themselves and pid 1: whatever the last run left is killed and reaped', async () => {
    const leave = [
      'import subprocess',
      'for _ in range(3):',
      '    subprocess.Popen(["sleep", "4242.5"], start_new_session=True)',
      'print("left")',
    ].join('\n') + '\n';
    expect((await run(leave)).stdout).toBe('left\n');
    const look = 'import os\nprint(sorted(int(p) for p in os.listdir("/proc") if p.isdigit()))\n';
    expect((await run(look)).stdout).toBe('[1, 2]\n');
    expect(leftoverProcesses().filter((p) => p.includes('4242.5'))).toEqual([]);
  });

  it('do not see the SysV shared memory of the run before', async () => {
    const shm = (create: boolean) => [
      'import ctypes',
      'libc = ctypes.CDLL(None, use_errno=True)',
      `print(libc.shmget(0x5eed, 4096, ${create ? '0o1666' : '0'}) >= 0)`,
      'print(len(open("/proc/sysvipc/shm").read().splitlines()))',
    ].join('\n') + '\n';
    // 0o1666 = IPC_CREAT | 0o666; /proc/sysvipc/shm is a header line plus one line per segment.
    expect((await run(shm(true))).stdout).toBe('True\n2\n');
    expect((await run(shm(false))).stdout).toBe('False\n1\n');
  });

  it('get a private /tmp sized by their own job, fresh every time', async () => {
    const code = `import os\ns = os.statvfs("/tmp")\nprint(s.f_blocks * s.f_frsize, ${TMP_LISTING})\nopen("/tmp/mine", "w").close()\n`;
    // tmpfs size = max(1 MiB, max_file_bytes).
    expect((await run(code, { max_file_bytes: 2 * 1024 * 1024 })).stdout).toBe("2097152 ['run']\n");
    expect((await run(code, { max_file_bytes: 8 * 1024 * 1024 })).stdout).toBe("8388608 ['run']\n");
    expect((await run(code, { max_file_bytes: 8 * 1024 * 1024 })).stdout).toBe("8388608 ['run']\n");
  });

  it('meet the process limit before the memory limit when they start threads (one malloc arena, no 64 MiB reservation per thread)', async () => {
    const code = [
      'import resource, threading, time',
      'def size():',
      '    return int(open("/proc/self/status").read().split("VmSize:")[1].split()[0])',
      'before, started = size(), 0',
      'try:',
      '    while True:',
      '        threading.Thread(target=time.sleep, args=(60,), daemon=True).start()',
      '        started += 1',
      'except RuntimeError as exc:',
      '    stack = resource.getrlimit(resource.RLIMIT_STACK)[0] // 1024',
      '    print(started, (size() - before) // started <= stack + 1024, exc)',
    ].join('\n');
    // 16 processes: the program and 15 threads, each costing its stack (8 MiB) of the 256 MiB.
    const r = await run(code, { max_processes: 16 });
    expect([r.status, r.stdout]).toEqual(['ok', "15 True can't start new thread\n"]);
  });

  it('after a timeout (which replaces the fork server) the next run is pid 2 again', async () => {
    const r = await run('while True:\n    pass\n', { timeout_ms: 300 });
    expect(r.status).toBe('timeout');
    const next = await run(`import os\nprint(os.getpid(), ${TMP_LISTING})\n`);
    expect([next.status, next.stdout]).toEqual(['ok', "2 ['run']\n"]);
  });
});

describe('programs compiled ahead in the executor', () => {
  // Built from a frozenset constant: marshal (how a compiled program reaches
  // the run) rebuilds this one in another iteration order.
  const setOrder = [
    'vowels = {"a", "e", "i", "o", "u", "A", "E", \'O\', \'U\', \'I\'}',
    'print(vowels)',
    'print("".join(c for c in vowels))',
  ].join('\n') + '\n';

  it('keep the iteration order of set constants a plain run has, traced and plain', async () => {
    const expected = plainPython(setOrder).stdout;
    const traced = await tracer.trace({ id: 'sets', language: 'python', code: setOrder, input: { kind: 'stdin', stdin: '' } });
    const plain = await tracer.trace({ id: 'sets', language: 'python', code: setOrder, input: { kind: 'stdin', stdin: '' } }, 'plain');
    expect([traced.status, traced.stdout]).toEqual(['ok', expected]);
    expect([plain.status, plain.stdout]).toEqual(['ok', expected]);
  });

  it('still print their compile-time warnings, at the lines a plain run names', async () => {
    // Python 3.8+: `is` with a literal warns at compile time. Inside a
    // function the instrumented text has the warning two lines further down.
    const code = 'def f(x):\n    y = x + 1\n    if y is 1:\n        return "one"\n    return "other"\n\nprint(f(0))\n';
    const traced = await tracer.trace({ id: 'warn', language: 'python', code, input: { kind: 'stdin', stdin: '' } });
    expect([traced.status, traced.stdout]).toEqual(['ok', 'one\n']);
    expect(traced.stderr).toMatch(/main\.py:3: SyntaxWarning: "is" with a literal/);
    expect(traced.stderr.replaceAll('/tmp/run/', '')).toBe(plainPython(code).stderr);
  });

  it('evaluate call inputs as a plain interpreter does, warnings and syntax errors included', async () => {
    const code = 'def f(x, s=frozenset()):\n    return [x, sorted(s)]\n';
    const call = async (text: string) => tracer.trace({ id: 'call', language: 'python', code, input: { kind: 'call', call: text } });
    // The same call evaluated by a plain interpreter, after the program.
    const plain = (text: string) => plainPython(`${code}print(repr(eval(compile(${JSON.stringify(text)}, "<call>", "eval"))))\n`).stderr;
    const warned = await call('f(1 is 1)');
    expect([warned.status, warned.return?.repr]).toEqual(['ok', '[True, []]']);
    expect(warned.stderr).toBe(plain('f(1 is 1)'));
    expect(warned.stderr).toMatch(/<call>:1: SyntaxWarning: "is" with a literal/);
    const sets = await call("f(2, s={'b', 'a', 'c'} | frozenset({'d'}))");
    expect([sets.status, sets.return?.repr]).toEqual(['ok', "[2, ['a', 'b', 'c', 'd']]"]);
    const broken = await call('f(1,');
    expect([broken.status, broken.exception?.type]).toEqual(['runtime_error', 'SyntaxError']);
    expect(plain('f(1,')).toMatch(/SyntaxError/);
  });
});
