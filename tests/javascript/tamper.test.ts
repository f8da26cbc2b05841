/**
 * Adversarial (issue 16.3): the tracer never runs the program's code to take
 * a snapshot (getters, toJSON, Symbol.toPrimitive, inspect.custom, Proxy
 * traps), and a program that replaces the built-ins the tracer would use
 * (Map.prototype.get, Array.prototype methods, JSON.stringify, ...) changes
 * itself, not its record. Both JavaScript paths: the warm worker and a fresh
 * node per run; stdout is compared with plain `node`, recorded values with
 * values written by hand.
 */
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestExecutor, startWarmAndFresh, records, runThrough } from './warm.js';

function plainNode(source: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'ct-tamper-'));
  try {
    writeFileSync(join(dir, 'main.js'), source);
    return execFileSync(process.execPath, [join(dir, 'main.js')], { cwd: dir, encoding: 'utf8' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The module's finals as repr strings. */
function moduleFinals(channel: string): Record<string, string> {
  const xs = records(channel).filter((r) => r[0] === 'X' && r[2] === '<module>');
  const vars = (xs.at(-1)?.[3] ?? {}) as Record<string, { repr: string }>;
  return Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, v.repr]));
}

// Written without the words the warm path's static check looks for (Symbol...), so both paths are exercised.
const SYM = 'Object.getOwnPropertySymbols(Array.prototype)[0].constructor';

const REPLACED_BUILTINS = `
console.log('start'); // node makes its stdout stream on first use, with built-ins the program is about to replace
const m = new Map([['a', 1]]);
const arr = [1, 2, 3];
const obj = { k: 'v' };
let total = 0;
for (let i = 0; i < 3; i++) total += i;
const fail = () => { throw new Error('a replaced built-in was called'); };
const ITER = ${SYM}.iterator;
Map.prototype.get = function () { return 6; };
for (const name of ['set', 'has', 'delete', 'entries', 'values', 'keys', 'forEach', 'clear']) Map.prototype[name] = fail;
for (const name of ['add', 'has', 'delete', 'values', 'clear']) Set.prototype[name] = fail;
for (const name of ['get', 'set', 'has']) WeakMap.prototype[name] = fail;
for (const name of ['push', 'join', 'map', 'filter', 'includes', 'indexOf', 'slice', 'concat', 'forEach', 'some', 'every', 'find', 'keys', 'entries', 'values']) Array.prototype[name] = fail;
for (const name of ['slice', 'split', 'includes', 'startsWith', 'endsWith', 'indexOf', 'padStart', 'toUpperCase', 'replace', 'charCodeAt', 'repeat', 'trim']) String.prototype[name] = fail;
Number.prototype.toString = fail;
RegExp.prototype.exec = fail;
RegExp.prototype.test = fail;
JSON.stringify = fail;
JSON.parse = fail;
for (const name of ['keys', 'is', 'create', 'getPrototypeOf', 'getOwnPropertyDescriptor', 'getOwnPropertySymbols', 'freeze', 'assign', 'entries', 'setPrototypeOf']) Object[name] = fail;
Math.min = fail;
Math.max = fail;
Number.isFinite = fail;
Number.isNaN = fail;
Reflect.apply = fail;
Object.prototype.toJSON = fail;
Array.prototype[ITER] = fail;
console.log(m.get('a'));
let y = total * 2;
const s = 'abc';
console.log(y, s, arr.length);
`;

const NEVER_CALLED = `
let calls = 0;
const S = ${SYM};
const getter = { get g() { calls++; return 1; } };
const json = { toJSON() { calls++; return 1; } };
const prim = { [S.toPrimitive]() { calls++; return 1; }, valueOf() { calls++; return 1; }, toString() { calls++; return 's'; } };
const custom = { [S['for']('nodejs.util.ins' + 'pect.custom')]() { calls++; return 'c'; } };
const trap = () => { calls++; return undefined; };
const proxy = new Proxy({ a: 1 }, { get: trap, ownKeys: trap, getOwnPropertyDescriptor: trap, getPrototypeOf: trap, has: trap });
class Tagged { get [S.toStringTag]() { calls++; return 'T'; } static get name() { calls++; return 'N'; } }
const tagged = new Tagged();
const arr = [getter, json, prim, custom, proxy, tagged];
const map = new Map([[getter, proxy]]);
let step = 1;
step = 2;
step = 3;
console.log(calls);
`;

let warm: TestExecutor;
let fresh: TestExecutor;
startWarmAndFresh((w, f) => { warm = w; fresh = f; });

describe('the tracer uses only what it saved before the program started (issue 16.3)', () => {
  for (const path of ['warm', 'fresh'] as const) {
    it(`replaced built-ins change the program, not its record (${path})`, async () => {
      const expected = plainNode(REPLACED_BUILTINS);
      expect(expected).toBe('start\n6\n6 abc 3\n');
      const { result } = await runThrough(path === 'warm' ? warm : fresh, REPLACED_BUILTINS);
      expect(result.stdout).toBe(expected);
      expect(result.status).toBe('ok');
      expect(result.channel_check).toBe('sealed');
      const finals = moduleFinals(result.channel);
      expect(finals).toMatchObject({
        m: "Map(1) { 'a' => 1 }", arr: '[ 1, 2, 3 ]', obj: "{ k: 'v' }", total: '3', y: '6', s: "'abc'",
      });
    });

    it(`the module wrapper's arguments are node's own: five, no runtime among them (${path})`, async () => {
      const source = 'const n = arguments.length;\nconsole.log(n, typeof arguments[5], typeof arguments[6], arguments[3] === __filename);\n';
      const expected = plainNode(source);
      expect(expected).toBe('5 undefined undefined true\n');
      for (const input of [{ kind: 'stdin' as const, stdin: '' }, { kind: 'call' as const, call: 'n' }]) {
        const { result } = await runThrough(path === 'warm' ? warm : fresh, source, { input });
        expect(result.stdout).toBe(expected);
      }
    });

    it(`no getter, toJSON, toPrimitive, inspect hook or Proxy trap runs for a snapshot (${path})`, async () => {
      expect(plainNode(NEVER_CALLED)).toBe('0\n');
      const { result } = await runThrough(path === 'warm' ? warm : fresh, NEVER_CALLED);
      expect(result.stdout).toBe('0\n');
      expect(result.status).toBe('ok');
      const finals = moduleFinals(result.channel);
      expect(finals.step).toBe('3');
      expect(finals.proxy).toBe('[Proxy]');
      expect(finals.getter).toBe('{ g: [Getter] }');
    });
  }
});

describe('a direct eval could name the runtime without the static scan seeing it (issue 16.2)', () => {
  // Computed text: no `__ct$` in the source. Plain node finds no such binding;
  // a traced run may, so the program is flagged and never becomes a task.
  const source = "const name = ['__c', 't$'].join('');\nconsole.log(eval('typeof ' + name));\n";
  for (const path of ['warm', 'fresh'] as const) {
    it(`flagged as tracer access (${path})`, async () => {
      expect(plainNode(source)).toBe('undefined\n');
      const { result } = await runThrough(path === 'warm' ? warm : fresh, source);
      expect(result.tracer_access).toContain('eval');
    });
  }
});

describe("the tracer's lists and descriptors run none of the program's code (issue 16.2)", () => {
  // Setters made with Function() carry no probes, so nothing but a count shows that they ran. They
  // sit at indices 0-3 of both prototypes while values are recorded, then are removed (and
  // Array.prototype's length reset) before the program ends: only prevention keeps the record clean.
  const setters = `const make = Function('k', "return function (v) { globalThis.hits = (globalThis.hits || 0) + 1; Object.defineProperty(this, k, { value: v, writable: true, enumerable: true, configurable: true }); };");
for (const proto of [Array.prototype, Object.prototype]) for (let k = 0; k < 4; k++) Object.defineProperty(proto, k, { set: make(String(k)), configurable: true });
const pairs = [[1, 2], [3, 4]];
const table = { a: [5, 6, 7], b: new Map([[1, [8]]]) };
const xs = [];
xs.push(9);
let step = 1;
step = 2;
for (const proto of [Array.prototype, Object.prototype]) for (let k = 0; k < 4; k++) delete proto[k];
Array.prototype.length = 0;
console.log(globalThis.hits, xs[0]);
`;
  // Descriptors of accessors have no own `value`: `'value' in d` would find this getter and call it.
  const valueGetter = `let hits = 0;
Object.defineProperty(Object.prototype, 'value', { get() { hits++; return 12345; }, configurable: true });
const o = { get x() { return 1; } };
let y = 5;
delete Object.prototype.value;
console.log(hits);
`;
  for (const path of ['warm', 'fresh'] as const) {
    it(`index setters on Array.prototype and Object.prototype never run for the tracer (${path})`, async () => {
      expect(plainNode(setters)).toBe('1 9\n'); // the program's own push
      const { result } = await runThrough(path === 'warm' ? warm : fresh, setters);
      expect(result.stdout).toBe('1 9\n');
      expect(result.channel_check).toBe('sealed');
      expect(moduleFinals(result.channel)).toMatchObject({
        pairs: '[ [ 1, 2 ], [ 3, 4 ] ]', table: '{ a: [ 5, 6, 7 ], b: Map(1) { 1 => [ 8 ] } }', xs: '[ 9 ]', step: '2',
      });
    });

    it(`a value getter on Object.prototype is never called for a descriptor (${path})`, async () => {
      expect(plainNode(valueGetter)).toBe('0\n');
      const { result } = await runThrough(path === 'warm' ? warm : fresh, valueGetter);
      expect(result.stdout).toBe('0\n');
      const recorded = records(result.channel).filter((r) => r[0] === 'E' && JSON.stringify(r[3]).includes('"o"'));
      expect(recorded.map((r) => (r[3] as Record<string, { repr: string }>).o.repr)).toEqual(['{ x: [Getter] }']);
      expect(moduleFinals(result.channel).o).toBe('{ x: [Getter] }');
    });
  }
});
