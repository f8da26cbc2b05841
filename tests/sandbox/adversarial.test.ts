/**
 * The adversarial suite: every fixture in fixtures/sandbox runs through the
 * real sandbox (the Tracer, and the `trace` CLI for the one-file suite),
 * with its exact outcome asserted and the host checked afterwards: no
 * process left behind, no file written outside the run, the tool healthy.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
// The compiled tool (npm run build), as users run it.
import { Tracer } from '../../dist/src/trace/tracer.js';
import { limitsFromFlags } from '../../dist/src/run/limits.js';
import type { Limits } from '../../src/run/limits.js';
import type { Run } from '../../src/model/run.js';
import type { Trace } from '../../src/model/trace.js';
import { CLI, ROOT, RUNNER, leftoverProcesses, loadFixtures, markedFiles, type Fixture } from './helpers.js';

const SECRET = 'hunter2-coderl-secret';
const LIMITS: Limits = limitsFromFlags({ timeout: '1500', memoryMb: '256', maxOutput: '65536' });
const FIXTURES = loadFixtures();
const hasRunner = existsSync(RUNNER);

let listener: Server;
let port = 0;
let connections = 0;
const fileName = `coderl-sbx-${process.pid}`;
const tracers = new Map<string, Tracer>();

function tracerFor(limits: Partial<Limits>): Tracer {
  const key = JSON.stringify(limits);
  let tracer = tracers.get(key);
  if (!tracer) {
    tracer = new Tracer({ jobs: 1, limits: { ...LIMITS, ...limits } });
    tracers.set(key, tracer);
  }
  return tracer;
}

/** stdin for the fixtures that need to know something about the host. */
function stdinFor(name: string): string {
  if (name === 'tcp_connect.py') return `${port}\n`;
  if (name === 'write_files.py') return `${JSON.stringify({ home: homedir(), tool: ROOT, name: fileName })}\n`;
  return '';
}

function runOf(f: Fixture): Run {
  return { id: f.name, language: f.language, code: f.code, input: { kind: 'stdin', stdin: stdinFor(f.name) } };
}

beforeAll(async () => {
  // A secret in the tool's own environment: no run may see it.
  process.env.CODERL_SBX_SECRET = SECRET;
  listener = createServer((socket) => {
    connections++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  port = (listener.address() as { port: number }).port;
});

afterAll(() => {
  for (const t of tracers.values()) t.close();
  listener.close();
  delete process.env.CODERL_SBX_SECRET;
});

/** Checks specific to one fixture, beyond its status. */
const extra: Record<string, (t: Trace) => void> = {
  'background_child.py': (t) => expect(t.stdout).toBe('spawned\n'),
  'stdout_flood.py': (t) => {
    expect(t.truncated.stdout).toBe(true);
    expect(t.stdout).toBe(('x'.repeat(1023) + '\n').repeat(64));
  },
  'huge_line.py': (t) => {
    expect(t.truncated.stdout).toBe(true);
    expect(t.stdout).toBe('y'.repeat(65536));
  },
  'sleep_past_timeout.py': (t) => expect(t.duration_ms).toBeLessThan(1500 + 1500),
  'raise_rlimits.py': (t) => {
    expect(t.stdout).not.toContain('RAISED');
    expect(t.stdout.split('\n').filter((l) => l.includes('denied'))).toHaveLength(6);
  },
  'tcp_connect.py': (t) => {
    expect(t.stdout).toMatch(/^blocked /);
    expect(connections).toBe(0);
  },
  'write_files.py': (t) => {
    const result = Object.fromEntries(t.stdout.trim().split('\n').map((l) => [l.split(' ')[0], l.split(' ')[1]]));
    // Its own working directory and private /tmp are writable; nothing of the host is.
    expect(result).toEqual({
      'home-env': 'written', tmp: 'written', 'dev-shm': 'written',
      'home-tool': 'denied', 'var-tmp': 'denied', 'tool-dir': 'denied', tracers: 'denied',
    });
  },
  'read_secret.py': (t) => {
    expect(t.stdout).not.toContain(SECRET);
    expect(t.stdout.split('\n')[0]).toBe('None');
    expect(t.stdout).toContain('found in []');
  },
  'fake_trace_stdout.py': (t) => {
    expect(t.warnings).toEqual([]);
    expect(t.stdout).toBe('["F", 0, "<module>", 0]\n["E", 0, 0, {"x": {"repr": "999", "json": 999}}]\n["END", {"return": null, "exception": null}]\n');
    // Hand-computed: x is 1, then 2; the printed 999 is not a value of x.
    expect(t.finals['<module>'].x.json).toBe(2);
    expect(JSON.stringify(t.events)).not.toContain('999');
  },
  'write_channel.py': (t) => expect(t.warnings).toContain('channel-tampered'),
  'close_channel.py': (t) => {
    expect(t.stdout).toBe('4\n');
    expect(t.warnings).toContain('no-end-record');
  },
  'tamper_tracer.py': (t) => expect(t.stdout).toBe('42 True\n'),
  'kill_parent.py': (t) => expect(t.stdout).toBe('kill 1 PermissionError\nkill -1 ProcessLookupError\n'),
  'kill_parent.js': (t) => expect(t.stdout).toBe('parent 1\n'),
  'exit_in_promise.js': (t) => expect(t.stdout).toBe('before\nin promise\n'),
  'memory_bomb.py': (t) => expect(t.exception?.type).toBe('MemoryError'),
};

const HEALTHY: Run = { id: 'healthy', language: 'python', code: 'print(sum([1, 2, 3]))\n', input: { kind: 'stdin', stdin: '' } };

describe('adversarial programs, each through the real sandbox', () => {
  afterEach(async () => {
    expect(leftoverProcesses()).toEqual([]);
    expect(markedFiles()).toEqual([]);
    // The tool is healthy for the next run, in the same warm executor.
    const next = await tracerFor({}).trace(HEALTHY);
    expect([next.status, next.stdout]).toEqual(['ok', '6\n']);
  });

  for (const f of FIXTURES) {
    it.skipIf(f.language === 'javascript' && !hasRunner)(`${f.name} -> ${f.expect}`, async () => {
      const trace = await tracerFor(f.limits).trace(runOf(f));
      expect(trace.status, `${trace.detail}\n${trace.stderr.slice(-500)}`).toBe(f.expect);
      if (f.detail) expect(`${trace.detail}\n${trace.stderr}`).toMatch(f.detail);
      extra[f.name]?.(trace);
    });
  }
});

describe('the same suite as one `coderl-trace trace` input file', () => {
  it('completes, with every record accounted for and the right status', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sbx-suite-'));
    try {
      const fixtures = FIXTURES.filter((f) => f.language === 'python' || hasRunner);
      const file = path.join(dir, 'suite.jsonl');
      writeFileSync(file, fixtures.map((f) => JSON.stringify({ id: f.name, language: f.language, code: f.code, stdin: stdinFor(f.name) })).join('\n') + '\n');
      const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        execFile('node', [CLI, 'trace', file, '--timeout', '1500', '--memory-mb', '256', '--max-output', '65536', '--jobs', '2'],
          { maxBuffer: 256 * 1024 * 1024, env: { ...process.env, CODERL_SBX_SECRET: SECRET } },
          (err, out, errOut) => resolve({ code: err ? (err as { code?: number }).code ?? 1 : 0, stdout: out, stderr: errOut }));
      });
      expect(code, stderr).toBe(0);
      const traces = stdout.trim().split('\n').map((l) => JSON.parse(l) as Trace);
      expect(traces.map((t) => t.id)).toEqual(fixtures.map((f) => f.name));
      expect(traces.map((t) => t.id)).toEqual(fixtures.map((f) => f.name));
      for (const [i, f] of fixtures.entries()) expect(f.suite, f.name).toContain(traces[i].status);
      expect(stdout).not.toContain(SECRET);
      expect(leftoverProcesses()).toEqual([]);
      expect(markedFiles()).toEqual([]);
      expect(connections).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
