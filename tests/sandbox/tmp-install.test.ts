/**
 * The tool installed under /tmp (a checkout in `mktemp -d`, say): every run
 * gets a private /tmp that covers the host's, so the tracers there must be
 * bound back into it, read-only. Checked in the bubblewrap tier and in the
 * namespaces tier, for Python, the warm JavaScript worker and a fresh node.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './helpers.js';

let copy = '';

beforeAll(() => {
  copy = mkdtempSync('/tmp/coderl-install-');
  for (const part of ['bin', 'dist', 'tracers', 'package.json']) cpSync(path.join(ROOT, part), path.join(copy, part), { recursive: true });
  // The tool's own dependencies are read by the tool, never by the sandbox.
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(copy, 'node_modules'));
});
afterAll(() => rmSync(copy, { recursive: true, force: true }));

interface Traced { id: string; status: string; stdout: string; provenance: { sandbox: { tier: string } } }

function traceFromCopy(runs: object[], env: Record<string, string> = {}): Promise<Traced[]> {
  return new Promise((resolve, reject) => {
    const child = execFile(process.execPath, [path.join(copy, 'bin/coderl-trace.js'), 'trace', '-'], { env: { ...process.env, ...env } }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`${err.message}\n${stderr}`));
      resolve(stdout.trim().split('\n').map((line) => JSON.parse(line) as Traced));
    });
    child.stdin!.end(runs.map((r) => JSON.stringify(r)).join('\n') + '\n');
  });
}

const stdin = { kind: 'stdin', stdin: '' };
// Each program checks that the tool's files are readable and not writable from the run.
const RUNS = () => [
  {
    id: 'python', language: 'python', input: stdin,
    code: `import os\ntry:\n    open(${JSON.stringify(path.join(copy, 'tracers/x'))}, 'w')\n    print('written')\nexcept OSError:\n    print('read-only')\nprint(sum(range(10)), os.path.exists(${JSON.stringify(path.join(copy, 'tracers/executor.py'))}))\n`,
  },
  {
    id: 'warm-js', language: 'javascript', input: stdin,
    code: `const fs = require('fs');\nlet s = 0;\nfor (let i = 0; i < 10; i++) s += i;\ntry { fs.writeFileSync(${JSON.stringify(path.join(copy, 'tracers/x'))}, 'x'); console.log('written'); } catch { console.log('read-only'); }\nconsole.log(s);\n`,
  },
  // Symbol is not provided by the warm worker's shims: a fresh node runs it.
  { id: 'fresh-js', language: 'javascript', input: stdin, code: `console.log(String(Symbol('s')), [1, 2].length);\n` },
];

describe('the tool installed under /tmp', () => {
  for (const [tier, env] of [['default tier', {}], ['namespaces tier', { CODERL_TRACE_BWRAP: 'none' }]] as const) {
    it(`traces Python and JavaScript in the ${tier}, with its files read-only to the runs`, async () => {
      const traces = await traceFromCopy(RUNS(), env);
      expect(traces.map((t) => [t.id, t.status, t.stdout])).toEqual([
        ['python', 'ok', 'read-only\n45 True\n'],
        ['warm-js', 'ok', 'read-only\n45\n'],
        ['fresh-js', 'ok', 'Symbol(s) 2\n'],
      ]);
      if (tier === 'namespaces tier') expect(traces[0].provenance.sandbox.tier).toBe('namespaces');
    });
  }
});
