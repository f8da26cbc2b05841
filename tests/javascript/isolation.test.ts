/**
 * Adversarial: nothing of the warm worker's realm is reachable from a run
 * (issue 16.1), so no run changes what a later run in the same worker sees.
 * Each program is also run with plain `node` (no tool in between): the
 * tool's stdout must be node's own.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestExecutor, runThrough } from './warm.js';

/** What plain `node main.js` prints. */
function plainNode(source: string, stdin = ''): string {
  const dir = mkdtempSync(join(tmpdir(), 'ct-iso-'));
  try {
    writeFileSync(join(dir, 'main.js'), source);
    return execFileSync(process.execPath, [join(dir, 'main.js')], { cwd: dir, input: stdin, encoding: 'utf8' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// Written without the words the static eligibility check looks for (Symbol,
// inspect, process, require, Buffer): a static check is a filter, never the boundary.
const CUSTOM_KEY = "Object.getOwnPropertySymbols(Array.prototype)[0].constructor['for']('nodejs.util.ins' + 'pect.custom')";

/** The escape of issue 16: the hook's third argument is the formatter; its constructor a Function. */
const ESCAPE = `
let leaked = 'none';
const o = {
  [${CUSTOM_KEY}](depth, options, insp) {
    try {
      const P = insp.constructor('return pro' + 'cess')();
      leaked = typeof P.pid;
      const B = insp.constructor('return Buf' + 'fer')();
      const fs = P.mainModule['req' + 'uire']('fs');
      const orig = fs.writeSync;
      fs.writeSync = function (fd, data, off) {
        if (fd === 3 && typeof data === 'object') {
          orig(fd, B.from(B.from(data).toString('utf8', off || 0).replace(/"stdout":"[^"]*"/, '"stdout":"POISONED\\\\n"')));
          return data.length - (off || 0);
        }
        return orig.apply(this, arguments);
      };
          } catch (e) { leaked = 'blocked'; }
    return 'obj';
  },
};
console.log(o);
console.log(leaked);
`;

/** Other ways a formatter could hand the run something of its own: options.stylize, getters it reads, %j, %s, %d. */
const HOOKS = `
const seen = [];
const key = ${CUSTOM_KEY};
const grab = (x) => { try { const F = x && x.constructor && x.constructor.constructor; if (F) seen.push(typeof F('return typeof pro' + 'cess === "object" ? pro' + 'cess.pid : 0')()); } catch (e) { seen.push('err'); } };
const withStylize = { [key](d, opts) { grab(opts); grab(opts && opts.stylize); return 'S'; } };
class Named { static get name() { grab(this); return 'N'; } }
const tagged = { get [Object.getOwnPropertySymbols(Object.getPrototypeOf(new Map()))[1] || 'x']() { grab(arguments); return 'T'; } };
const json = { toJSON(k) { grab(k); return 1; } };
const str = { toString() { grab(this); return 'str'; } };
const num = { valueOf() { grab(this); return 5; } };
console.log(withStylize, Named, tagged);
console.log('%j %s %d', json, str, num);
console.log(seen.join(','));
`;

const HARMLESS = 'console.log("hello");\n';

let warm: TestExecutor;

beforeAll(async () => {
  warm = new TestExecutor();
  await warm.ready;
});

afterAll(() => warm?.close());

const ORDINARY = `
class Point { constructor(x, y) { this.x = x; this.y = y; } }
const m = new Map([[1, [2, 3]], ['k', { deep: { deeper: { deepest: [1] } } }]]);
console.log({ a: [1, 'two', null, undefined], p: new Point(1, 2), m, s: new Set([1]), r: /a+/g, d: new Date(0) });
console.log('%d items, %s', 3, 'ok', [1, 2], function named() {}, class K {});
`;

describe('warm worker isolation (issue 16.1)', () => {
  it('ordinary values are still formatted in the worker, as node formats them', async () => {
    const run = await runThrough(warm, ORDINARY);
    expect(run.result.js_worker, 'took the warm path').toBeDefined();
    expect(run.result.stdout).toBe(plainNode(ORDINARY));
  });

  it('the worker has a run\'s CPU limit: it is replaced once it has used one run\'s CPU', async () => {
    // About 0.4 s of CPU (a fixed amount of work, whatever the machine's load).
    const burn = 'let n = 0;\nfor (let i = 0; i < 8e8; i++) n += i & 1;\nconsole.log(n > 0);\n';
    const limits = { cpu_ms: 1000, timeout_ms: 20000 };
    const pids = new Set<number>();
    for (let i = 0; i < 5; i++) {
      const r = await runThrough(warm, burn, { mode: 'plain', limits });
      expect(r.result.stdout).toBe('true\n');
      expect(r.result.status).toBe('ok');
      if (r.result.js_worker) pids.add(r.result.js_worker.pid);
    }
    expect(pids.size, 'more than one worker served 5 runs of ~0.4 s CPU with a 1 s CPU limit').toBeGreaterThan(1);
  });

  it('a custom inspect hook gets nothing of the worker: the next run in the same worker is unchanged', async () => {
    const expected = plainNode(ESCAPE);
    expect(expected).toBe('obj\nnumber\n'); // in plain node the hook reaches node's own process (harmless there)
    const before = await runThrough(warm, HARMLESS);
    expect(before.result.js_worker).toBeDefined();
    const attack = await runThrough(warm, ESCAPE);
    expect(attack.result.stdout).toBe(expected);
    const after = await runThrough(warm, HARMLESS);
    expect(after.result.js_worker?.pid, 'the same worker').toBe(before.result.js_worker!.pid);
    expect(after.result.stdout).toBe('hello\n');
    expect(after.result.status).toBe('ok');
  });

  it('formatting hooks (stylize, getters, toJSON, toString, valueOf) print as in node and leave the worker unchanged', async () => {
    const expected = plainNode(HOOKS);
    const before = await runThrough(warm, HARMLESS);
    const run = await runThrough(warm, HOOKS);
    expect(run.result.stdout).toBe(expected);
    const after = await runThrough(warm, HARMLESS);
    expect(after.result.js_worker?.pid).toBe(before.result.js_worker!.pid);
    expect(after.result.stdout).toBe('hello\n');
  });
});
