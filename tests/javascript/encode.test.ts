/**
 * The JavaScript value encoder (tracers/javascript/encode.js), in process:
 * every type of the tracers/README.md table, with hand-written expectations,
 * and the guarantee that encoding never runs user code.
 */
import { describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { createEncoder } = require('../../tracers/javascript/encode.js') as {
  createEncoder: (o?: Record<string, number>) => (v: unknown) => { repr: string; json: unknown; cut: boolean };
};
// The value budget comes from the job's limits; 2000 is what the JavaScript tests run with (tests/javascript/harness.ts).
const encode = createEncoder({ maxChars: 2000 });

function both(v: unknown) {
  const { repr, json } = encode(v);
  return { repr, json };
}

describe('JavaScript encoder: primitives', () => {
  it.each([
    [undefined, 'undefined', { $type: 'undefined' }],
    [null, 'null', null],
    [true, 'true', true],
    [42, '42', 42],
    [1.5, '1.5', 1.5],
    [-0, '-0', { $type: 'float', value: '-0' }],
    [NaN, 'NaN', { $type: 'float', value: 'NaN' }],
    [Infinity, 'Infinity', { $type: 'float', value: 'Infinity' }],
    [-Infinity, '-Infinity', { $type: 'float', value: '-Infinity' }],
    [12345678901234567890n, '12345678901234567890n', { $type: 'bigint', value: '12345678901234567890' }],
    ['it', "'it'", 'it'],
    ["it's", `"it's"`, "it's"],
    ['a\nb\t\u0001', "'a\\nb\\t\\x01'", 'a\nb\t\u0001'],
    [Symbol('k'), 'Symbol(k)', { $type: 'symbol', description: 'k' }],
    [Symbol(), 'Symbol()', { $type: 'symbol', description: null }],
  ])('%s', (value, repr, json) => {
    expect(both(value)).toEqual({ repr, json });
  });

  it('caps long strings and says so', () => {
    const out = encode('x'.repeat(5000));
    expect(out.cut).toBe(true);
    expect(out.json).toEqual({ $type: 'str', prefix: 'x'.repeat(1000), length: 5000 });
    expect(out.repr).toBe(`'${'x'.repeat(1000)}'... 4000 more characters`);
  });
});

describe('JavaScript encoder: containers and built-ins', () => {
  it('arrays, sparse arrays and holes', () => {
    expect(both([1, 'a', [true]])).toEqual({ repr: "[ 1, 'a', [ true ] ]", json: [1, 'a', [true]] });
    expect(both([])).toEqual({ repr: '[]', json: [] });
    // eslint-disable-next-line no-sparse-arrays
    expect(both([1, , , 4])).toEqual({ repr: '[ 1, <2 empty items>, 4 ]', json: [1, { $type: 'hole', count: 2 }, 4] });
  });

  it('huge arrays keep their first items and mark the rest', () => {
    const out = encode(Array.from({ length: 1000 }, (_, i) => i));
    expect(out.cut).toBe(true);
    const json = out.json as unknown[];
    expect(json.length).toBe(101);
    expect(json[0]).toBe(0);
    expect(json[99]).toBe(99);
    expect(json[100]).toEqual({ $type: 'more', count: 900 });
    expect(out.repr.endsWith('98, 99, ... 900 more items ]')).toBe(true);
    expect(both(new Array(1e9))).toEqual({
      repr: '[ <100 empty items>, ... 999999900 more items ]',
      json: [{ $type: 'hole', count: 100 }, { $type: 'more', count: 999999900 }],
    });
  });

  it('plain objects, keys that need quotes, symbol keys, null prototype, a `$type` key', () => {
    expect(both({ a: 1, 'b-c': null })).toEqual({ repr: "{ a: 1, 'b-c': null }", json: { a: 1, 'b-c': null } });
    expect(both({})).toEqual({ repr: '{}', json: {} });
    expect(encode({ [Symbol('s')]: 2 }).repr).toBe('{ [Symbol(s)]: 2 }');
    const bare = Object.create(null);
    bare.x = 1;
    expect(both(bare)).toEqual({ repr: '[Object: null prototype] { x: 1 }', json: { x: 1 } });
    expect(both({ $type: 'x' })).toEqual({ repr: "{ $type: 'x' }", json: { $type: 'object', class: 'Object', attrs: { $type: 'x' } } });
  });

  it('class instances', () => {
    class Point { x = 1; y = 2; }
    expect(both(new Point())).toEqual({ repr: 'Point { x: 1, y: 2 }', json: { $type: 'object', class: 'Point', attrs: { x: 1, y: 2 } } });
  });

  it('Map and Set in insertion order', () => {
    expect(both(new Map<unknown, unknown>([['b', 1], [{ k: 1 }, [2]]]))).toEqual({
      repr: "Map(2) { 'b' => 1, { k: 1 } => [ 2 ] }",
      json: { $type: 'map', entries: [['b', 1], [{ k: 1 }, [2]]] },
    });
    expect(both(new Set([3, 1, 2]))).toEqual({ repr: 'Set(3) { 3, 1, 2 }', json: { $type: 'set', items: [3, 1, 2] } });
    expect(both(new Map())).toEqual({ repr: 'Map(0) {}', json: { $type: 'map', entries: [] } });
  });

  it('Date, RegExp, Error', () => {
    expect(both(new Date(Date.UTC(2020, 0, 2)))).toEqual({ repr: '2020-01-02T00:00:00.000Z', json: { $type: 'date', iso: '2020-01-02T00:00:00.000Z' } });
    expect(both(new Date(NaN))).toEqual({ repr: 'Invalid Date', json: { $type: 'date', iso: null } });
    expect(both(/a+b/gi)).toEqual({ repr: '/a+b/gi', json: { $type: 'regexp', source: 'a+b', flags: 'gi' } });
    expect(both(new TypeError('bad'))).toEqual({ repr: '[TypeError: bad]', json: { $type: 'error', name: 'TypeError', message: 'bad' } });
    class MyError extends Error { override name = 'MyError'; }
    expect(encode(new MyError('m')).json).toEqual({ $type: 'error', name: 'MyError', message: 'm' });
  });

  it('typed arrays', () => {
    expect(both(new Uint8Array([1, 2]))).toEqual({ repr: 'Uint8Array(2) [ 1, 2 ]', json: { $type: 'typedarray', class: 'Uint8Array', items: [1, 2] } });
    expect(encode(new BigInt64Array([5n])).json).toEqual({ $type: 'typedarray', class: 'BigInt64Array', items: [{ $type: 'bigint', value: '5' }] });
  });

  it('functions, classes, generators', () => {
    function named() { return 1; }
    expect(both(named)).toEqual({ repr: '[Function: named]', json: { $type: 'function', name: 'named' } });
    expect(both([() => 1][0])).toEqual({ repr: '[Function (anonymous)]', json: { $type: 'function', name: '' } });
    class K {}
    expect(both(K)).toEqual({ repr: '[class K]', json: { $type: 'class', name: 'K' } });
    async function af() { /* empty */ }
    expect(encode(af).repr).toBe('[AsyncFunction: af]');
    function* gen() { yield 1; }
    expect(encode(gen).repr).toBe('[GeneratorFunction: gen]');
    expect(encode(gen()).json).toEqual({ $type: 'generator', name: '' });
  });

  it('nesting deeper than the cap', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 12; i++) deep = [deep];
    const out = encode(deep);
    expect(out.cut).toBe(true);
    expect(JSON.stringify(out.json)).toBe('[[[[[[[[[[{"$type":"depth"}]]]]]]]]]]');
    expect(out.repr).toBe('[ [ [ [ [ [ [ [ [ [ [Array] ] ] ] ] ] ] ] ] ] ]');
  });
});

describe('JavaScript encoder never runs user code', () => {
  it('a getter that throws is reported, not called', () => {
    const obj = { a: 1, get boom(): number { throw new Error('called'); } };
    expect(both(obj)).toEqual({ repr: '{ a: 1, boom: [Getter] }', json: { a: 1, boom: { $type: 'getter' } } });
  });

  it('a getter with a side effect: the side effect does not happen', () => {
    let calls = 0;
    const obj = { get count() { calls++; return calls; }, set count(v: number) { calls = v; } };
    const inst = new (class Counter { get total() { calls++; return 0; } })();
    Object.defineProperty(inst, 'own', { get() { calls++; return 1; }, enumerable: true });
    expect(encode(obj).repr).toBe('{ count: [Getter/Setter] }');
    expect(encode(inst).repr).toBe('Counter { own: [Getter] }');
    expect(calls).toBe(0);
  });

  it('a Proxy whose traps throw is tagged without touching a trap', () => {
    let trapped = 0;
    const handler = new Proxy({}, { get() { trapped++; return () => { throw new Error('trap'); }; } });
    const proxy = new Proxy({ x: 1 }, handler);
    expect(both(proxy)).toEqual({ repr: '[Proxy]', json: { $type: 'proxy' } });
    expect(both({ inner: proxy })).toEqual({ repr: '{ inner: [Proxy] }', json: { inner: { $type: 'proxy' } } });
    // A proxy as prototype: class lookup stops there instead of trapping.
    expect(encode(Object.create(proxy)).repr).toBe('Proxy {}');
    expect(trapped).toBe(0);
  });

  it('no toJSON, toString, valueOf or Symbol.toPrimitive', () => {
    let calls = 0;
    const sneaky = {
      toJSON() { calls++; return 'j'; },
      toString() { calls++; return 's'; },
      valueOf() { calls++; return 1; },
      [Symbol.toPrimitive]() { calls++; return 2; },
    };
    encode(sneaky);
    const d = new Date(0);
    (d as unknown as { toISOString: () => string }).toISOString = () => { calls++; return 'x'; };
    expect(encode(d).repr).toBe('1970-01-01T00:00:00.000Z');
    const m = new Map([[1, 2]]);
    (m as unknown as { entries: () => unknown }).entries = () => { calls++; return [].values(); };
    expect(encode(m).repr).toBe('Map(1) { 1 => 2 }');
    expect(calls).toBe(0);
  });

  it('cycles are marked', () => {
    const a: Record<string, unknown> = { name: 'a' };
    a.self = a;
    const list: unknown[] = [1];
    list.push(list);
    expect(both(a)).toEqual({ repr: "{ name: 'a', self: [Circular] }", json: { name: 'a', self: { $type: 'cycle' } } });
    expect(both(list)).toEqual({ repr: '[ 1, [Circular] ]', json: [1, { $type: 'cycle' }] });
    const shared = { v: 1 };
    expect(encode([shared, shared]).repr).toBe('[ { v: 1 }, { v: 1 } ]');
  });

  it('an object with 1e6 keys: first 100 visited, the rest counted', () => {
    const big: Record<string, number> = {};
    for (let i = 0; i < 1e6; i++) big[`k${i}`] = i;
    const out = encode(big);
    const json = out.json as Record<string, unknown>;
    expect(out.cut).toBe(true);
    expect(Object.keys(json).length).toBe(101);
    expect(json.k0).toBe(0);
    expect(json.k99).toBe(99);
    expect(json['...']).toEqual({ $type: 'more', count: 999900 });
    expect(out.repr.endsWith('k99: 99, ... 999900 more items }')).toBe(true);
  });

  it('a total size budget keeps big nested values small', () => {
    const grid = Array.from({ length: 100 }, () => Array.from({ length: 100 }, () => 12345));
    const out = encode(grid);
    expect(out.cut).toBe(true);
    expect(out.repr.length).toBeLessThan(2300);
    expect(out.repr).toMatch(/\.\.\. \d+ more items \]$/);
  });
});
