/**
 * The sandbox beyond single programs: the trace channel's seal, warm
 * executors that cannot carry state from one run to the next, failing
 * closed when a required protection is missing, the loud opt-out, the
 * namespaces tier (no bubblewrap), and `coderl-trace doctor`.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { ExecutorPool } from '../../dist/src/run/pool.js';
import { findInterpreters } from '../../dist/src/run/interpreters.js';
import { limitsFromFlags } from '../../dist/src/run/limits.js';
import { checkSandbox, probeSandbox } from '../../dist/src/run/sandbox.js';
import { Tracer } from '../../dist/src/trace/tracer.js';
import { registerDoctor } from '../../dist/src/commands/doctor.js';
import { SandboxUnavailableError } from '../../dist/src/errors.js';
import type { ExecutorResult, Job } from '../../src/run/executor.js';
import { FIXTURES, leftoverProcesses, markedFiles } from './helpers.js';

const LIMITS = limitsFromFlags({ timeout: '3000', memoryMb: '256', maxOutput: '65536' });
const interpreters = findInterpreters();
const closers: (() => void)[] = [];
afterAll(() => closers.forEach((close) => close()));

function plainJob(source: string, stdin = ''): Omit<Job, 'job'> {
  return { language: 'python', mode: 'plain', source, instrumented: null, line_map: null, input: { kind: 'stdin', stdin }, limits: LIMITS };
}

function fixture(name: string): string {
  return readFileSync(path.join(FIXTURES, name), 'utf8');
}

/** Run `fn` with CODERL_TRACE_BWRAP=none: the namespaces tier, as on a machine without bubblewrap. */
function withoutBwrap<T>(fn: () => T): T {
  process.env.CODERL_TRACE_BWRAP = 'none';
  try {
    return fn();
  } finally {
    delete process.env.CODERL_TRACE_BWRAP;
  }
}

describe('trace channel integrity (per-run seal + byte count)', () => {
  const pool = new ExecutorPool(interpreters, 1);
  closers.push(() => pool.close());
  const run = (source: string): Promise<ExecutorResult> => pool.run(plainJob(source));

  it('a normal run ends with a sealed END record', async () => {
    const r = await run('x = 1\nprint(x)\n');
    expect([r.status, r.stdout, r.channel_check]).toEqual(['ok', '1\n', 'sealed']);
    expect(r.channel).not.toMatch(/"seal"\s*:\s*"[0-9a-f]{32}"[^]*"seal"/); // one END only
  });

  it('records written straight to fd 3 break the byte count', async () => {
    const r = await run(fixture('write_channel.py'));
    expect(r.channel_check).toBe('tampered');
    expect(r.channel_problem).toMatch(/bytes before END/);
    expect(r.tracer_access).toContain('fd-access');
  });

  it('a forged END without the seal is rejected', async () => {
    const r = await run('import os\nos.write(3, b\'["END", {"seal": "0123456789abcdef0123456789abcdef", "bytes": 0}]\\n\')\nos._exit(0)\n');
    expect([r.status, r.channel_check, r.channel_problem]).toEqual(['ok', 'tampered', 'END record carries a wrong seal']);
  });

  it('a closed channel has no END record', async () => {
    const r = await run(fixture('close_channel.py'));
    expect([r.status, r.stdout, r.channel_check]).toEqual(['ok', '4\n', 'absent']);
  });

  it('programs that can reach the tracer are flagged by the static scan', async () => {
    const r = await run(fixture('tamper_tracer.py'));
    expect(r.tracer_access).toEqual(expect.arrayContaining(['gc', 'tracer-names']));
    const clean = await run('import collections\nprint(collections.Counter("aab")["a"])\n');
    expect([clean.stdout, clean.tracer_access]).toEqual(['2\n', []]);
  });

  it('a probe reached by computed names is flagged dynamic-access', async () => {
    const r = await run(fixture('forge_probe.py'));
    expect(r.status).toBe('ok');
    expect(r.tracer_access).toEqual(['dynamic-access']);
    // The same through operator.attrgetter: print's __self__ is the builtins module.
    const viaAttrgetter = await run("import operator\nget = operator.attrgetter\nmod = get('__se' + 'lf__')(print)\nhook = get('__c' + 'tp__')(mod) if hasattr(mod, '__c' + 'tp__') else None\nprint(hook is not None)\n");
    expect(viaAttrgetter.tracer_access).toEqual(['dynamic-access']);
    // re.compile is a method, not the builtin compile: not flagged.
    const clean = await run('import re\nprint(bool(re.compile("a+").match("aa")))\n');
    expect([clean.stdout, clean.tracer_access]).toEqual(['True\n', []]);
  });
});

describe('warm executors: one run cannot affect the next', () => {
  it('builtins, sys.modules, files, environment and sockets do not leak between runs', async () => {
    const tracer = new Tracer({ jobs: 1, limits: LIMITS });
    closers.push(() => tracer.close());
    const pollute = [
      'import builtins, sys, os, socket',
      'builtins.len = lambda x: 42',
      'builtins.LEAK = "leak"',
      'sys.modules["json"] = None',
      'sys.setrecursionlimit(50)',
      'os.environ["LEAK"] = "1"',
      'open("leak.txt", "w").write("x")',
      'open("/tmp/leak.txt", "w").write("x")',
      'open("/dev/shm/leak.txt", "w").write("x")',
      's = socket.socket(); s.bind(("127.0.0.1", 45678)); s.listen()',
      'print(len([1, 2, 3]))',
    ].join('\n') + '\n';
    const check = [
      'import json, os, sys, socket',
      'print(len([1, 2, 3]), "LEAK" in dir(__builtins__), json.dumps([1]), sys.getrecursionlimit())',
      'print(os.environ.get("LEAK"), sorted(os.listdir(".")), os.path.exists("/tmp/leak.txt"), os.path.exists("/dev/shm/leak.txt"))',
      's = socket.socket(); s.bind(("127.0.0.1", 45678)); print("port free")',
    ].join('\n') + '\n';
    const first = await tracer.trace({ id: 'pollute', language: 'python', code: pollute, input: { kind: 'stdin', stdin: '' } });
    expect([first.status, first.stdout]).toEqual(['ok', '42\n']);
    const second = await tracer.trace({ id: 'check', language: 'python', code: check, input: { kind: 'stdin', stdin: '' } });
    // Hand-computed: a fresh interpreter prints exactly this.
    expect([second.status, second.stdout]).toEqual(['ok', "3 False [1] 1000\nNone ['main.py'] False False\nport free\n"]);
  });
});

describe('failing closed, and the loud opt-out', () => {
  it('a required protection that is unavailable fails with SandboxUnavailableError', () => {
    const report = withoutBwrap(() => probeSandbox(interpreters));
    expect(report.tier).toBe('namespaces');
    expect(report.protections['fs-read'].active).toBe(false);
    expect(() => checkSandbox(report, { require: ['pid', 'fs-read'], unsafe: false })).toThrow(SandboxUnavailableError);
    expect(() => checkSandbox(report, { require: ['pid', 'fs-read'], unsafe: false })).toThrow(/fs-read.*--allow-weak-sandbox fs-read/s);
    expect(() => withoutBwrap(() => new ExecutorPool(interpreters, 1, { require: ['fs-read'], unsafe: false }))).toThrow(SandboxUnavailableError);
  });

  it('--unsafe-no-sandbox warns on start, and is really weaker (a background child survives)', async () => {
    const warnings: string[] = [];
    const pool = new ExecutorPool(interpreters, 1, { require: [], unsafe: true }, (m: string) => warnings.push(m));
    closers.push(() => pool.close());
    expect(warnings.join('\n')).toMatch(/WARNING: --unsafe-no-sandbox/);
    expect(pool.sandbox).toMatchObject({ tier: 'rlimits', unsafe: true });
    const r = await pool.run(plainJob(fixture('background_child.py')));
    expect([r.status, r.stdout]).toEqual(['ok', 'spawned\n']);
    // Without the PID namespace the escaped child outlives the run: the host check sees it.
    const left = leftoverProcesses();
    expect(left.some((p) => p.includes('sleep 98765'))).toBe(true);
    for (const p of left) process.kill(Number(p.split(' ')[0]), 'SIGKILL');
  });
});

describe('namespaces tier (no bubblewrap): the same guarantees', () => {
  const tracer = withoutBwrap(() => new Tracer({ jobs: 1, limits: LIMITS }));
  closers.push(() => tracer.close());
  const trace = (name: string, stdin = '') =>
    tracer.trace({ id: name, language: 'python', code: fixture(name), input: { kind: 'stdin', stdin } });

  it('runs as a sandbox uid in its own PID namespace, with a hidden /root', async () => {
    const t = await tracer.trace({
      id: 'who', language: 'python', input: { kind: 'stdin', stdin: '' },
      code: 'import os\nprint(os.getuid() >= 2000000, os.getpid(), os.getcwd(), os.listdir("/root"))\n',
    });
    expect([t.status, t.stdout]).toEqual(['ok', "True 2 /tmp/run ['.pyenv']\n"]);
  });

  it('background children die with the run; the parent cannot be killed; nothing is written', async () => {
    expect((await trace('background_child.py')).status).toBe('ok');
    expect((await trace('kill_parent.py')).stdout).toBe('kill 1 PermissionError\nkill -1 ProcessLookupError\n');
    const w = await trace('write_files.py', `${JSON.stringify({ home: '/root', tool: path.resolve(FIXTURES, '../..'), name: 'coderl-sbx-ns' })}\n`);
    expect(w.stdout).toMatch(/home-tool denied.*\n.*\n.*\n.*\ntool-dir denied .*\ntracers denied/);
    expect((await trace('fork_bomb.py')).status).toBe('runtime_error');
    expect(leftoverProcesses()).toEqual([]);
    expect(markedFiles()).toEqual([]);
  });
});

describe('coderl-trace doctor', () => {
  async function doctor(args: string[]): Promise<{ out: string; code: number }> {
    const program = new Command('coderl-trace').exitOverride();
    registerDoctor(program);
    let out = '';
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string) => { out += chunk; return true; }) as typeof process.stdout.write;
    const before = process.exitCode;
    try {
      await program.parseAsync(['node', 'coderl-trace', 'doctor', ...args]);
    } finally {
      process.stdout.write = write;
    }
    const code = Number(process.exitCode ?? 0);
    process.exitCode = before;
    return { out, code };
  }

  it('lists the interpreters (the real python behind the shim) and every protection', async () => {
    const { out, code } = await doctor([]);
    const real = execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).trim();
    expect(out).toContain(`python      ${real}`);
    expect(out).toMatch(/node {8}\S+node \(\d+\.\d+\.\d+\)/);
    for (const p of ['rlimits', 'uid', 'pid', 'net', 'ipc', 'fs-write']) expect(out).toMatch(new RegExp(`\\[x\\] ${p} `));
    expect(code).toBe(0);
  });

  it('exits 4 and says why when a required protection is missing', async () => {
    process.env.CODERL_TRACE_BWRAP = 'none';
    try {
      const { out, code } = await doctor(['--require-sandbox', 'fs-read']);
      expect(code).toBe(4);
      expect(out).toMatch(/\[ \] fs-read\s+required/);
      expect(out).toMatch(/why not: .*bwrap/);
      expect(out).toMatch(/FAIL: required sandbox protection unavailable: fs-read/);
    } finally {
      delete process.env.CODERL_TRACE_BWRAP;
    }
  });
});
