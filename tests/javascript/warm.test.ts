/**
 * The warm JavaScript worker (tracers/jsworker.py, tracers/javascript/worker.js)
 * through a real sandboxed executor: reuse is safe (a run that pollutes
 * built-ins, globals and `process` and leaves timers changes nothing for the
 * next run in the same worker), and on HumanEval-X the warm path gives
 * byte-identical output, exit status and trace channel to a fresh node per run.
 */
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { RunInput } from '../../src/model/run.js';
import { TestExecutor, startWarmAndFresh, records, runThrough } from './warm.js';
import { full, note, readCorpus } from '../corpora.js';

const SPEC_DIR = resolve(import.meta.dirname, '../../fixtures/javascript/spec');

const POLLUTER = `
Object.prototype.polluted = 'yes';
Array.prototype.push = function () { return -1; };
String.prototype.trim = function () { return 'TRIM'; };
JSON.parse = () => 42;
Math.max = () => 'max';
globalThis.leak = 'leaked';
console.log = () => {};
process.exitCode = 0;
process.env.SECRET = 's3cret';
process.argv.length = 0;
process.hrtime = null;
setInterval(() => process.stdout.write('tick from run A\\n'), 1).unref();
setTimeout(() => process.stdout.write('late from run A\\n'), 30).unref();
process.stdout.write('A done\\n');
`;

const PROBE = `
const a = [];
a.push(1, 2);
const o = {};
const seen = [a.length, o.polluted, '  x '.trim(), JSON.parse('[7]')[0], Math.max(3, 4), typeof leak,
  process.exitCode, process.env.SECRET, process.argv.length > 0, typeof process.hrtime];
console.log(seen.join('|'));
setTimeout(() => console.log('B later'), 40);
`;
// Written by hand: what a fresh node prints for PROBE.
const PROBE_STDOUT = '2||x|7|4|undefined|||true|function\nB later\n';

let warm: TestExecutor;
let fresh: TestExecutor;
startWarmAndFresh((w, f) => { warm = w; fresh = f; });

describe('warm JavaScript worker', () => {
  it('a polluting run changes nothing for the next run in the same worker', async () => {
    const a = await runThrough(warm, POLLUTER);
    expect(a.result.status).toBe('ok');
    expect(a.result.stdout).toBe('A done\n');
    expect(a.result.js_worker).toBeDefined();
    for (const mode of ['trace', 'plain'] as const) {
      const again = await runThrough(warm, POLLUTER, { mode });
      const b = await runThrough(warm, PROBE, { mode });
      expect(b.result.js_worker, 'run B took the warm path').toBeDefined();
      expect(b.result.js_worker!.pid, 'run B ran in the same worker as run A').toBe(again.result.js_worker!.pid);
      expect(b.result.stdout).toBe(PROBE_STDOUT);
      expect(b.result.status).toBe('ok');
      expect(b.result.channel_check).toBe('sealed');
      const f = await runThrough(fresh, PROBE, { mode, instrumented: b.instrumented ?? undefined });
      expect(f.result.js_worker).toBeUndefined();
      expect(f.result.stdout).toBe(PROBE_STDOUT);
      expect(records(b.result.channel)).toEqual(records(f.result.channel));
    }
  });

  it('the next run after a timeout gets a new worker and the right result', async () => {
    const first = await runThrough(warm, 'console.log(1);\n', { mode: 'plain' });
    const loop = await runThrough(warm, 'let i = 0;\nwhile (true) { i++; }\n', { mode: 'plain', limits: { timeout_ms: 500, cpu_ms: 500 } });
    expect(loop.result.status).toBe('timeout');
    const next = await runThrough(warm, 'console.log(2);\n', { mode: 'plain' });
    expect(next.result.stdout).toBe('2\n');
    expect(next.result.js_worker!.pid).not.toBe(first.result.js_worker!.pid);
  });

  it('a run stopped at its timeout keeps its output and its trace so far, as a fresh node killed then would', async () => {
    const code = 'console.log("before");\nlet i = 0;\nwhile (true) { i++; }\n';
    const limits = { timeout_ms: 500, cpu_ms: 500, max_events: 50 };
    const [warmRun, freshRun] = [await runThrough(warm, code, { limits }), await runThrough(fresh, code, { limits })];
    for (const run of [warmRun, freshRun]) {
      expect(run.result.status).toBe('timeout');
      expect(run.result.stdout).toBe('before\n');
    }
    expect(warmRun.result.js_worker).toBeDefined();
    // Both traces reach the cap long before the time limit: the same 50 events, then no END record.
    const events = (channel: string) => records(channel).filter((r) => Array.isArray(r) && r[0] === 'E');
    expect(events(warmRun.result.channel)).toHaveLength(50);
    expect(events(warmRun.result.channel)).toEqual(events(freshRun.result.channel));
    expect(warmRun.result.channel_check).toBe('absent');
    // An endless setInterval: the worker stops it at the time limit itself.
    const interval = await runThrough(warm, 'let n = 0;\nsetInterval(() => { n++; if (n === 3) console.log("three"); }, 5);\n', { limits });
    expect(interval.result.js_worker).toBeDefined();
    expect(interval.result.status).toBe('timeout');
    expect(interval.result.stdout).toBe('three\n');
    expect(events(interval.result.channel).length).toBeGreaterThan(3);
  });

  it('what the worker cannot reproduce runs in a fresh process (node\'s own error output and exit status)', async () => {
    const thrown = await runThrough(warm, 'console.log("before");\nnull.x;\n');
    expect(thrown.result.js_worker).toBeUndefined();
    expect(thrown.result.status).toBe('runtime_error');
    expect(thrown.result.exit_code).toBe(1);
    expect(thrown.result.stdout).toBe('before\n');
    expect(thrown.result.stderr).toMatch(/TypeError: Cannot read properties of null/);
    const exit3 = await runThrough(warm, 'process.exit(3);\n', { mode: 'plain' });
    expect(exit3.result.js_worker).toBeUndefined();
    expect(exit3.result.exit_code).toBe(3);
    const child = await runThrough(warm, 'console.log(typeof require("child_process").spawn);\n', { mode: 'plain' });
    expect(child.result.js_worker).toBeUndefined();
    expect(child.result.stdout).toBe('function\n');
  });

  it('stdin through readline and fs, process.nextTick before promises, as in node', async () => {
    const source = [
      "const lines = require('fs').readFileSync(0, 'utf8').split('\\n');",
      "Promise.resolve().then(() => console.log('promise'));",
      "process.nextTick(() => console.log('tick'));",
      "console.log(lines.length, lines[0]);",
    ].join('\n');
    const r = await runThrough(warm, source, { input: { kind: 'stdin', stdin: '3 4\nx\n' } });
    expect(r.result.js_worker).toBeDefined();
    expect(r.result.stdout).toBe('3 3 4\ntick\npromise\n');
    const rl = "const rl = require('readline').createInterface({ input: process.stdin });\nlet n = 0;\nrl.on('line', (l) => { n += Number(l); });\nrl.on('close', () => console.log(n));\n";
    const r2 = await runThrough(warm, rl, { input: { kind: 'stdin', stdin: '1\n2\r\n3' } });
    expect(r2.result.js_worker).toBeDefined();
    expect(r2.result.stdout).toBe('6\n');
  });

  it('spec programs: the hand-written stdout and exit code, and the same channel as a fresh node', async () => {
    const names = readdirSync(SPEC_DIR).filter((f) => f.endsWith('.js')).map((f) => f.slice(0, -3)).sort();
    expect(names.length).toBeGreaterThanOrEqual(10);
    let warmRuns = 0;
    for (const name of names) {
      const source = readFileSync(join(SPEC_DIR, `${name}.js`), 'utf8');
      const spec = JSON.parse(readFileSync(join(SPEC_DIR, `${name}.expect.json`), 'utf8')) as { input?: RunInput; stdout: string; exit_code: number };
      const input = spec.input ?? { kind: 'stdin', stdin: '' };
      const w = await runThrough(warm, source, { input });
      const f = await runThrough(fresh, source, { input, instrumented: w.instrumented ?? undefined });
      if (w.result.js_worker) warmRuns++;
      expect(w.result.stdout, name).toBe(spec.stdout);
      expect(w.result.exit_code, name).toBe(spec.exit_code);
      expect(records(w.result.channel), name).toEqual(records(f.result.channel));
    }
    expect(warmRuns).toBeGreaterThanOrEqual(names.length / 2);
  });

  it('HumanEval-X: warm output, status and channel are byte-identical to a fresh node per run', async () => {
    note('humanevalx_js.jsonl');
    const problems = readCorpus<{ id: string; solution: string; tests: string }>('humanevalx_js.jsonl');
    const differences: string[] = [];
    let warmRuns = 0;
    let random = 0;
    await Promise.all([0, 1].map(async (lane) => {
      for (let i = lane; i < problems.length; i += 2) {
        const p = problems[i];
        const source = `${p.solution}\n${p.tests}`;
        const w = await runThrough(warm, source);
        const f = await runThrough(fresh, source, { instrumented: w.instrumented ?? undefined });
        if (w.result.js_worker) warmRuns++;
        // Programs whose tests draw random inputs differ from run to run, warm or fresh: same outcome only.
        const keys = source.includes('Math.random') ? ['status', 'exit_code', 'channel_check'] as const
          : ['status', 'stdout', 'stderr', 'exit_code', 'channel_check'] as const;
        if (source.includes('Math.random')) random++;
        for (const key of keys) {
          if (w.result[key] !== f.result[key]) differences.push(`${p.id}: ${key} ${JSON.stringify(w.result[key])} vs ${JSON.stringify(f.result[key])}`);
        }
        if (keys.length === 5 && JSON.stringify(records(w.result.channel)) !== JSON.stringify(records(f.result.channel))) differences.push(`${p.id}: channel differs`);
      }
    }));
    expect(differences).toEqual([]);
    expect(random).toBe(full(4, problems.filter((p) => `${p.solution}\n${p.tests}`.includes('Math.random')).length));
    expect(warmRuns).toBeGreaterThanOrEqual(full(150, 36));
  }, 300_000);
});
