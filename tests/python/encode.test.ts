/**
 * The Python value encoder (tracers/python/encode.py), run by the real
 * interpreter through tests/python/encode_cases.py.
 *
 * Independent references:
 * - repr: the builtin repr() of the same value, computed in the driver
 *   (addresses and module paths removed by a regex), for every value that is
 *   not capped; for a class with its own __repr__, object.__repr__ (the
 *   encoder never runs the program's code);
 * - large values: the driver's own checker (consistent()) walks the real
 *   value against the json and its markers;
 * - ast.literal_eval(repr) gives back the value, where Python has a literal;
 * - json: hand-written expectations from the tag table in tracers/README.md;
 * - CRUXEval: the repr of every call's return value equals the corpus'
 *   expected_output.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CORPORA, realPython, ROOT } from './helpers.js';
import { full, note } from '../corpora.js';

const ENCODER = path.join(ROOT, 'tracers/python/encode.py');
const DRIVER = path.join(ROOT, 'tests/python/encode_cases.py');
const STDIN = 'left for the program\n';

interface CaseResult {
  name: string;
  repr: string | null;
  json: unknown;
  cut: boolean;
  oracle: string | null;
  literal: boolean | null;
  ms: number;
  error: string | null;
  [probe: string]: unknown;
}

function runDriver(args: string[], env: Record<string, string> = {}) {
  const run = spawnSync(realPython(), [DRIVER, ENCODER, ...args], {
    input: STDIN,
    encoding: 'utf8',
    timeout: 60_000,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8', PYTHONHASHSEED: '0', ...env },
  });
  if (run.status !== 0) throw new Error(`driver failed (${run.status} ${run.signal}): ${run.stderr}`);
  return run;
}

let results: Map<string, CaseResult>;
let stdout = '';
let stderr = '';

beforeAll(() => {
  const run = runDriver([]);
  stdout = run.stdout;
  stderr = run.stderr;
  // Every stdout line must be one of ours: the encoder itself prints nothing.
  const lines = stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as CaseResult);
  results = new Map(lines.map((r) => [r.name, r]));
});

function get(name: string): CaseResult {
  const r = results.get(name);
  if (!r) throw new Error(`no result for case ${name}`);
  expect(r.error ?? null).toBeNull();
  return r;
}

const tagged = (type: string, fields: Record<string, unknown>) => ({ $type: type, ...fields });
const tuple = (...items: unknown[]) => tagged('tuple', { items });

describe('python value encoder', () => {
  it('never raises, and matches the builtin repr for every value that is not capped', () => {
    expect(results.size).toBeGreaterThan(100);
    let compared = 0;
    for (const r of results.values()) {
      if (!('repr' in r) || r.oracle == null) continue;
      expect(r.error ?? null, r.name).toBeNull();
      if (r.cut) continue;
      expect(r.repr, r.name).toBe(r.oracle);
      compared++;
    }
    expect(compared).toBeGreaterThan(80);
  });

  it('round-trips through ast.literal_eval where Python has a literal', () => {
    const literal = [...results.values()].filter((r) => r.literal !== null && r.literal !== undefined);
    expect(literal.length).toBeGreaterThanOrEqual(30);
    for (const r of literal) expect(r.literal, r.name).toBe(true);
  });

  it('encodes ints: exact numbers within 2^53-1, tagged beyond', () => {
    expect(get('int_small').json).toBe(-42);
    expect(get('int_max_safe').json).toBe(9007199254740991);
    expect(get('int_2_53').json).toEqual(tagged('int', { value: '9007199254740992' }));
    expect(get('int_neg_big').json).toEqual(tagged('int', { value: '-18446744073709551616' }));
    const long = get('int_600_digits');
    expect(long.cut).toBe(true);
    expect(long.repr).toBe('1' + '0'.repeat(499) + '...');
    expect(long.json).toEqual(tagged('int', { prefix: '1' + '0'.repeat(499), length: 601 }));
    // 7**20000 has 56148 bits: too many digits for CPython's int->str limit.
    expect(get('int_huge').json).toEqual(tagged('int', { bits: 56148 }));
  });

  it('encodes floats: fractions as numbers; integral, nan, inf, -0.0 tagged', () => {
    expect(get('float_frac').json).toBe(0.1);
    expect(get('float_one').json).toEqual(tagged('float', { value: '1.0' }));
    expect(get('float_neg_zero').json).toEqual(tagged('float', { value: '-0.0' }));
    expect(get('float_nan').json).toEqual(tagged('float', { value: 'nan' }));
    expect(get('float_inf').json).toEqual(tagged('float', { value: 'inf' }));
    expect(get('float_neg_inf').json).toEqual(tagged('float', { value: '-inf' }));
    expect(get('float_1e16').json).toEqual(tagged('float', { value: '1e+16' }));
    expect(get('float_neg_zero').repr).toBe('-0.0');
    expect(get('float_nan').repr).toBe('nan');
  });

  it('encodes strings with quotes, unicode and control characters', () => {
    expect(get('str_quotes').json).toBe('it\'s "quoted"');
    expect(get('str_quotes').repr).toBe(`'it\\'s "quoted"'`);
    expect(get('str_single_quote').repr).toBe(`"it's"`);
    expect(get('str_unicode').json).toBe('h\u00e9llo \u2603 \u{1d11e} \u4e2d\u6587');
    expect(get('str_unicode').repr).toBe("'h\u00e9llo \u2603 \u{1d11e} \u4e2d\u6587'");
    expect(get('str_controls').repr).toBe("'tab\\tnl\\nnul\\x00bell\\x07\\\\'");
    expect(get('str_surrogate').repr).toBe("'\\ud800x'");
  });

  it('caps long strings and bytes with a prefix and the full length', () => {
    const s = get('str_long');
    expect(s.cut).toBe(true);
    expect(s.repr).toBe(`'${'ab'.repeat(250)}'...`);
    expect(s.json).toEqual(tagged('str', { prefix: 'ab'.repeat(250), length: 1200 }));
    const b = get('bytes_long');
    expect(b.cut).toBe(true);
    expect(b.repr!.startsWith("b'\\x00\\x01")).toBe(true);
    expect(b.repr!.endsWith("'...")).toBe(true);
    expect(b.json).toMatchObject({ $type: 'bytes', length: 1024 });
  });

  it('encodes bytes, None, booleans and other scalars', () => {
    expect(get('bytes').json).toEqual(tagged('bytes', { repr: "b'\\x00\\xffab\\'\"\\n'" }));
    expect(get('bytearray').json).toEqual(tagged('bytes', { repr: "bytearray(b'xy')" }));
    expect(get('none').json).toBeNull();
    expect(get('true').json).toBe(true);
    expect(get('false').json).toBe(false);
    expect(get('complex').json).toEqual(tagged('opaque', { name: 'complex' }));
    expect(get('range').json).toEqual(tagged('opaque', { name: 'range' }));
  });

  it('encodes tuples, lists, sets and frozensets', () => {
    expect(get('tuple_empty').json).toEqual(tuple());
    expect(get('tuple_one').json).toEqual(tuple(1));
    expect(get('tuple_one').repr).toBe('(1,)');
    expect(get('tuple_nested_one').repr).toBe('((1,),)');
    expect(get('tuple').json).toEqual(tuple(1, 'a', null));
    expect(get('list').json).toEqual([1, 2.5, 'x', [], {}]);
    expect(get('set_ints').json).toEqual(tagged('set', { items: [1, 2, 3] }));
    expect(get('set_empty').repr).toBe('set()');
    expect(get('set_empty').json).toEqual(tagged('set', { items: [] }));
    // json items sorted by their repr; repr keeps Python's own order (checked against repr()).
    expect(get('set_strs').json).toEqual(tagged('set', { items: ['apple', 'banana', 'fig', 'kiwi', 'pear'] }));
    expect(get('frozenset').json).toEqual(tagged('frozenset', { items: [1, 2] }));
    expect(get('frozenset').repr).toBe('frozenset({1, 2})');
    expect(get('frozenset_empty').repr).toBe('frozenset()');
  });

  it('encodes dicts: plain objects for str keys, tagged entries otherwise', () => {
    const strKeys = get('dict_str_keys');
    expect(strKeys.json).toEqual({ b: 1, a: [2] });
    expect(Object.keys(strKeys.json as object)).toEqual(['b', 'a']); // insertion order
    expect(get('dict_int_keys').json).toEqual(tagged('dict', { entries: [[2, 'x'], [1, 'y']] }));
    expect(get('dict_tuple_keys').json).toEqual(tagged('dict', { entries: [[tuple(1, 2), 3], ['s', null]] }));
    expect(get('dict_dollar_type_key').json).toEqual(tagged('dict', { entries: [['$type', 'int']] }));
    expect(get('dict_empty').json).toEqual({});
    expect(get('nested').json).toEqual(tagged('dict', {
      entries: [
        ['a', [tuple(1, tagged('set', { items: [2, 3] })), { b: tagged('frozenset', { items: [4] }) }]],
        [5, tuple(tuple(), [[]])],
      ],
    }));
  });

  it('marks cycles like Python, and shared references are not cycles', () => {
    expect(get('cycle_list').repr).toBe('[1, [...]]');
    expect(get('cycle_list').json).toEqual([1, { $type: 'cycle' }]);
    expect(get('cycle_dict').repr).toBe("{'k': 1, 'self': {...}}");
    expect(get('cycle_dict').json).toEqual({ k: 1, self: { $type: 'cycle' } });
    expect(get('cycle_tuple').repr).toBe('([(...)],)');
    expect(get('shared_not_cycle').json).toEqual([[1], [1]]);
    expect(get('obj_cycle').json).toEqual(tagged('object', { class: 'Node', attrs: { value: 1, next: { $type: 'cycle' } } }));
    for (const name of ['cycle_list', 'cycle_dict', 'cycle_tuple']) expect(get(name).cut, name).toBe(false);
  });

  it('caps depth with an explicit marker', () => {
    const deep = get('deep_list');
    expect(deep.cut).toBe(true);
    expect(deep.repr).toBe('[[[[[[...]]]]]]');
    expect(deep.json).toEqual([[[[[[{ $type: 'depth' }]]]]]]);
    let node = get('obj_deep').json as { attrs: { value: number; next: unknown } };
    for (let i = 0; i < 6; i++) {
      expect(node.attrs.value).toBe(i);
      node = node.attrs.next as typeof node;
    }
    expect(node).toEqual({ $type: 'depth' });
  });

  it('caps a 1e6-element list (and dict, set, tuple) fast, visiting only the first items', () => {
    const big = get('big_list');
    expect(big.cut).toBe(true);
    const first50 = Array.from({ length: 50 }, (_, i) => i);
    expect(big.json).toEqual([...first50, { $type: 'more', count: 999_950 }]);
    expect(big.repr).toBe(`[${first50.join(', ')}, ...]`);
    expect(big.ms).toBeLessThan(50);
    const dict = get('big_dict');
    expect(dict.repr).toBe(`{${first50.map((i) => `${i}: 0`).join(', ')}, ...}`);
    expect(dict.json).toEqual(tagged('dict', { entries: [...first50.map((i) => [i, 0]), { $type: 'more', count: 999_950 }] }));
    expect(dict.ms).toBeLessThan(50);
    expect(get('big_tuple').json).toEqual(tuple(...first50, { $type: 'more', count: 999_950 }));
    expect(get('big_tuple').ms).toBeLessThan(50);
    const set = get('big_set');
    expect(set.repr).toBe(`{${first50.join(', ')}, ...}`); // small ints iterate in order
    expect((set.json as { items: unknown[] }).items.at(-1)).toEqual({ $type: 'more', count: 99_950 });
    expect(set.ms).toBeLessThan(50);
  });

  it('honours custom caps', () => {
    const r = get('small_caps');
    expect(r.repr).toBe("[[0, 1, 2, ...], 'xxxx'...]");
    expect(r.json).toEqual([[0, 1, 2, { $type: 'more', count: 2 }], tagged('str', { prefix: 'xxxx', length: 10 })]);
  });

  it('reproduces collections reprs', () => {
    expect(get('deque').json).toEqual([1, 2]);
    expect(get('defaultdict').json).toEqual(tagged('dict', { entries: [[1, [2]]] }));
    expect(get('ordereddict').json).toEqual({ b: 1, a: 2 });
    expect(get('counter').repr).toBe("Counter({'i': 4, 's': 4, 'p': 2, 'm': 1})");
  });

  it('encodes class instances from their attributes, with or without __repr__', () => {
    expect(get('obj_plain').repr).toBe('<__main__.Plain object>');
    expect(get('obj_plain').json).toEqual(tagged('object', { class: 'Plain', attrs: { x: 1, items: [1, 2], _private: 'p' } }));
    expect(get('obj_with_repr').repr).toBe('<__main__.WithRepr object>'); // its __repr__ is the program's code: never run
    expect(get('obj_with_repr').json).toEqual(tagged('object', { class: 'WithRepr', attrs: { v: [1, 'a'] } }));
    const wide = get('obj_many_attrs');
    expect(wide.cut).toBe(true);
    expect(wide.json).toEqual(tagged('object', {
      class: 'Wide', attrs: Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`a${i}`, i])), more: 10,
    }));
    expect(get('obj_slots').json).toEqual(tagged('object', { class: 'Slotted', attrs: { a: 1, _Slotted__hidden: 3 } }));
    expect(get('obj_linked').json).toEqual(tagged('object', {
      class: 'Node', attrs: { value: 1, next: tagged('object', { class: 'Node', attrs: { value: 2, next: null } }) },
    }));
    expect(get('namedtuple').json).toEqual(tagged('object', { class: 'Point', attrs: { x: 1, y: [2] } }));
    expect(get('dataclass').json).toEqual(tagged('object', { class: 'DataPoint', attrs: { x: 1, tags: ['a'] } }));
    expect(get('exception').json).toEqual(tagged('object', { class: 'ValueError', attrs: { args: tuple('bad', 2) } }));
  });

  it('shows object.__repr__\'s form for a class with its own __repr__, never running it', () => {
    const broken = ['obj_raising_repr', 'obj_looping_repr', 'obj_counting_loop_repr', 'obj_swallowing_repr',
      'obj_recursive_repr', 'obj_interrupt_repr', 'obj_exit_repr', 'obj_memory_repr', 'obj_nonstr_repr',
      'obj_with_repr', 'obj_huge_repr', 'obj_noisy_repr'];
    for (const name of broken) {
      const r = get(name);
      expect(r.repr, name).toBe(r.oracle); // object.__repr__ without the address
      expect(r.json, name).toMatchObject({ $type: 'object' });
    }
    expect(get('obj_raising_repr').json).toEqual(tagged('object', { class: 'RaisingRepr', attrs: { v: 2 } }));
    // Loops are stopped by the budget, well under a second.
    for (const name of ['obj_looping_repr', 'obj_counting_loop_repr', 'obj_swallowing_repr']) {
      expect(get(name).ms, name).toBeLessThan(500);
    }
    // Never called, so 20 of them cost what 20 names cost.
    const many = get('list_of_looping');
    expect(many.repr).toBe(`[${Array(20).fill('<__main__.LoopingRepr object>').join(', ')}]`);
    expect(many.ms).toBeLessThan(1000);
    expect(get('obj_huge_repr').cut).toBe(false);
  });

  it('runs none of the program\'s code: no dunder, property or metaclass hook of it is called', () => {
    const probe = get('program_code');
    expect(probe.calls).toBe(0);
    expect(probe.reprs).toContain('<encode_probes.Spy object>');
    expect(probe.reprs).toContain("<class 'encode_probes.Spy'>");
  });

  it('uses only builtins saved before the program ran: replacing them (and sys.modules) changes nothing', () => {
    expect(get('saved_builtins')).toMatchObject({ calls: 0, same: true });
  });

  it('keeps one budget for the whole value: large and nested values cost what they show', () => {
    const large = ['dp_table', 'dict_1e5', 'str_dict_1e5', 'str_1mb', 'bytes_1mb', 'int_1e6_digits', 'int_4000_digits',
      'nested_dicts', 'long_strs', 'deep_lists', 'tuples_3d'];
    for (const name of large) {
      const r = get(name);
      expect(r.cut, name).toBe(true);
      expect(r.consistent, name).toBe(true); // what is shown is the value, up to its markers (checked in Python)
      expect(r.repr_chars as number, name).toBeLessThanOrEqual(500 + 40);
      expect(r.json_chars as number, name).toBeLessThanOrEqual(1000);
      expect(r.nodes as number, name).toBeLessThanOrEqual(200); // visited nodes, not the value's size
    }
    expect(get('dp_table').repr.startsWith('[[0, 1, 2, 3,')).toBe(true);
    expect(get('int_1e6_digits').repr).toBe('<int with 3321929 bits>');
  });

  it('watches an encoding: a check that holds means encoding again gives the same result', () => {
    const w = get('watch');
    expect(w.stale).toBe(0);
    expect(w.skipped as number).toBeGreaterThan(500); // changes past the shown prefix are not changes
    expect(w.detected as number).toBeGreaterThan(500);
  });

  it('lets a user __repr__ neither print, read stdin, nor move the random state', () => {
    expect(get('obj_noisy_repr').repr).toBe('<__main__.NoisyRepr object>');
    expect(stdout).not.toContain('NOISE');
    expect(stderr).not.toContain('NOISE');
    const state = get('global_state');
    expect(state).toMatchObject({
      trace_unchanged: true, random_unchanged: true, recursion_unchanged: true,
      streams_unchanged: true, stdin_left: STDIN,
    });
  });

  it('reads attributes without running properties, __getattr__, __getattribute__ or metaclass hooks', () => {
    expect(get('obj_hostile_attrs').json).toEqual(tagged('object', { class: 'Hostile', attrs: { x: 1 } }));
    expect(get('obj_hostile_attrs').repr).toBe('<__main__.Hostile object>');
    expect(get('obj_dict_property').json).toEqual(tagged('object', { class: 'DictProperty', attrs: {} }));
    expect(get('obj_hostile_metaclass').json).toEqual(tagged('object', { class: 'MetaHostile', attrs: { y: 2 } }));
    expect(get('obj_hostile_metaclass').repr).toBe('<__main__.MetaHostile object>');
  });

  it('encodes subclasses of builtins through the base type, never their hostile dunders', () => {
    expect(get('sub_list').json).toEqual([1, [2]]);
    expect(get('sub_tuple').json).toEqual(tuple(1));
    expect(get('sub_dict').json).toEqual(tagged('dict', { entries: [[1, 'a'], ['b', 2]] }));
    expect(get('sub_set').repr).toBe('HostileSet({1})');
    expect(get('sub_set').json).toEqual(tagged('set', { items: [1] }));
    expect(get('sub_frozenset').repr).toBe('HostileFrozenset({1})');
    expect(get('sub_str').json).toBe("x'y");
    expect(get('sub_int').json).toEqual(tagged('int', { value: String(2n ** 60n) }));
    expect(get('sub_float').json).toBe(2.5);
    expect(get('sub_bytes').json).toEqual(tagged('bytes', { repr: "b'ab'" }));
    const looping = get('sub_list_looping_repr');
    expect(looping.repr).toBe('<__main__.LoopList object>');
    expect(looping.json).toEqual([1, 2]);
    expect(get('list_of_hostiles').json).toEqual([[1], 's', 3, {}]);
  });

  it('encodes common standard-library values', () => {
    for (const name of ['fraction', 'decimal', 'date', 'enum', 'int_enum', 'namespace', 'pattern']) {
      expect(get(name).oracle, name).not.toBeNull(); // compared with repr() above
    }
    expect(get('enum').repr).toBe('<Color.RED: 1>');
    expect(get('enum').json).toEqual(tagged('object', { class: 'Color', attrs: { name: 'RED', value: 1 } }));
    expect(get('int_enum').json).toBe(3);
    expect(get('fraction').json).toEqual(tagged('object', { class: 'Fraction', attrs: { _numerator: 3, _denominator: 4 } }));
    expect(get('decimal').json).toEqual(tagged('opaque', { name: 'Decimal' }));
    expect(get('namespace').json).toEqual(tagged('object', { class: 'SimpleNamespace', attrs: { a: 1, b: [2] } }));
  });

  it('tags functions, classes, modules and generators', () => {
    expect(get('function').json).toEqual(tagged('function', { name: '_function' }));
    expect(get('function').repr).toBe('<function _function>');
    expect(get('lambda').json).toEqual(tagged('function', { name: '<lambda>' }));
    expect(get('builtin_function').json).toEqual(tagged('function', { name: 'len' }));
    expect(get('builtin_method').json).toEqual(tagged('function', { name: 'append' }));
    expect(get('bound_method').repr).toBe('<bound method WithRepr.__repr__ of <__main__.WithRepr object>>');
    expect(get('class').json).toEqual(tagged('class', { name: 'Plain' }));
    expect(get('class').repr).toBe("<class '__main__.Plain'>");
    expect(get('builtin_class').repr).toBe("<class 'int'>");
    expect(get('module').json).toEqual(tagged('module', { name: 'math' }));
    expect(get('module').repr).toBe("<module 'math'>");
    expect(get('module_builtin').repr).toBe("<module 'sys'>");
    expect(get('generator').json).toEqual(tagged('generator', { name: '_generator' }));
    expect(get('generator').repr).toBe('<generator object _generator>');
    expect(get('genexpr').json).toEqual(tagged('generator', { name: '<genexpr>' }));
  });

  it('works when called from just below the recursion limit', () => {
    const r = get('deep_stack');
    expect(r.repr).toBe(r.oracle);
  });

  it('reproduces the expected_output of all 800 CRUXEval calls (60 in the slice)', () => {
    note('cruxeval.jsonl');
    const run = spawnSync(realPython(), [path.join(ROOT, 'tests/python/encode_cruxeval.py'), ENCODER, path.join(CORPORA, 'cruxeval.jsonl')], {
      encoding: 'utf8', timeout: 60_000, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8', PYTHONHASHSEED: '0' },
    });
    expect(run.status, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout) as { total: number; matched: number; mismatches: unknown[] };
    expect(summary.mismatches).toEqual([]);
    expect(summary.total).toBe(full(800, 60));
    expect(summary.matched).toBe(full(800, 60));
  });

  it('gives set json independent of the hash seed', () => {
    const a = JSON.parse(runDriver(['determinism'], { PYTHONHASHSEED: '1' }).stdout) as CaseResult;
    const b = JSON.parse(runDriver(['determinism'], { PYTHONHASHSEED: '2' }).stdout) as CaseResult;
    expect(a.repr).toBe(a.oracle);
    expect(b.repr).toBe(b.oracle);
    expect(a.json).toEqual(b.json);
    expect(a.json).toEqual(tagged('set', { items: ['apple', 'banana', 'cherry', 'date', 'fig', 'kiwi', 'pear'] }));
  });
});
