import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { getPath, parseFieldSpecs } from '../../src/read/fields.js';
import { parseTests } from '../../src/read/test-cases.js';

const py = { language: 'python' as const };

describe('parseTests', () => {
  it('stdin tests; line lists are joined as verl prime_code does', () => {
    const r = parseTests(JSON.stringify({ inputs: ['1 2\n', ['3 4', '5']], outputs: ['3\n', ['7', '5']] }), py);
    expect(r).toMatchObject({ ok: true, style: 'stdin', fn_name: null });
    if (r.ok) expect(r.tests.map((t) => [t.input, t.expected_output])).toEqual([
      [{ kind: 'stdin', stdin: '1 2\n' }, '3\n'], [{ kind: 'stdin', stdin: '3 4\n5' }, '7\n5'],
    ]);
  });

  it('call tests, both encodings give the same arguments', () => {
    const apps = parseTests({ fn_name: 'f', inputs: [[[1, 2], 'a']], outputs: [[3]] }, py);
    const lcb = parseTests({ fn_name: 'f', inputs: ['[1, 2]\n"a"'], outputs: ['3'] }, py);
    expect(apps.ok && apps.tests[0]).toEqual({ index: 0, input: { kind: 'fn', fn_name: 'f', args: [[1, 2], 'a'] }, expected_output: '[3]', expected_kind: 'json', expected_wrapped: true });
    expect(lcb.ok && lcb.tests[0]).toEqual({ index: 0, input: { kind: 'fn', fn_name: 'f', args: [[1, 2], 'a'] }, expected_output: '3', expected_kind: 'json' });
    expect(apps.ok && apps.notes[0]).toMatch(/APPS/);
    expect(lcb.ok && lcb.notes[0]).toMatch(/LiveCodeBench/);
  });

  it('LiveCodeBench case lists, with fn_name from metadata, and DeepCoder style', () => {
    const lcb = parseTests([{ input: '5\n', output: '25\n', testtype: 'stdin' }], py);
    expect(lcb).toMatchObject({ ok: true, style: 'stdin', tests: [{ input: { kind: 'stdin', stdin: '5\n' }, expected_output: '25\n' }] });
    const fn = parseTests(JSON.stringify([{ input: '[1,2]\n3', output: '[4]', testtype: 'functional' }]), { ...py, fnName: 'addAll' });
    expect(fn).toMatchObject({ ok: true, style: 'call', fn_name: 'addAll', tests: [{ input: { kind: 'fn', fn_name: 'addAll', args: [[1, 2], 3] } }] });
    const dc = parseTests([{ type: 'function_call', fn_name: 'g', input: [1], output: [2] }], py);
    expect(dc).toMatchObject({ ok: true, style: 'call', tests: [{ input: { kind: 'fn', fn_name: 'g', args: [1] }, expected_output: '[2]' }] });
    expect(parseTests([{ input: '1', output: '1', testtype: 'functional' }], py)).toMatchObject({ ok: false, reason: 'bad-tests' });
  });

  it('HumanEval check(candidate) asserts become calls of the entry point', () => {
    const test = 'def check(candidate):\n    assert candidate([1, (2, 3)], "a,b") == (1, 2), "msg"\n    assert candidate(\n        [], ""\n    ) == None\n    assert abs(candidate([0.5], "") - 1.5) < 1e-6\n    assert True\n';
    const r = parseTests({ test, entry_point: 'solve' }, py);
    expect(r).toMatchObject({ ok: true, style: 'call', fn_name: 'solve' });
    if (!r.ok) return;
    expect(r.tests.map((t) => [t.input, t.expected_output, t.expected_kind])).toEqual([
      [{ kind: 'call', call: 'solve([1, (2, 3)], "a,b")' }, '(1, 2)', 'literal'],
      [{ kind: 'call', call: 'solve(\n        [], ""\n    )' }, 'None', 'literal'],
      [{ kind: 'call', call: 'solve([0.5], "")' }, null, null],
    ]);
    expect(r.notes.join('\n')).toMatch(/skipped 1 asserts/);
  });

  it('MBPP assert lists without an entry point use the functions the program defines', () => {
    const r = parseTests(['assert set(pairs((3, 4), (4, 5))) == set((4,))', 'assert pairs((1,), (2,)) == ()'], { ...py, definedNames: ['pairs'] });
    expect(r.ok && r.tests.map((t) => [t.input, t.expected_output])).toEqual([
      [{ kind: 'call', call: 'pairs((3, 4), (4, 5))' }, null],
      [{ kind: 'call', call: 'pairs((1,), (2,))' }, '()'],
    ]);
    expect(parseTests(['assert pairs(1) == 2'], py)).toMatchObject({ ok: false, reason: 'bad-tests' });
  });

  it('JavaScript console.assert and assert.deepStrictEqual', () => {
    const test = "const t = () => {\n  console.assert(f([1, 2], 'x,y') === 3)\n  console.assert(\n    f([], '') === 0\n  )\n  assert.deepStrictEqual(f([5], 'z'), [5, 'z'])\n  console.assert(JSON.stringify(f([1], '')) === '[1]')\n}\nt()\n";
    const r = parseTests({ test, entry_point: 'f' }, { language: 'javascript' });
    expect(r.ok && r.tests.map((t) => [t.input, t.expected_output])).toEqual([
      [{ kind: 'call', call: "f([1, 2], 'x,y')" }, '3'],
      [{ kind: 'call', call: "f([], '')" }, '0'],
      [{ kind: 'call', call: "f([5], 'z')" }, "[5, 'z']"],
      [{ kind: 'call', call: "f([1], '')" }, null],
    ]);
  });

  it('bad and missing specs are rejects with a reason', () => {
    expect(parseTests(undefined, py)).toMatchObject({ ok: false, reason: 'no-tests' });
    expect(parseTests({ inputs: [], outputs: [] }, py)).toMatchObject({ ok: false, reason: 'no-tests' });
    expect(parseTests({ inputs: ['1'], outputs: ['1', '2'] }, py)).toMatchObject({ ok: false, reason: 'bad-tests', detail: '1 inputs but 2 outputs' });
    expect(parseTests({ inputs: [5], outputs: ['1'] }, py)).toMatchObject({ ok: false, reason: 'bad-tests' });
    expect(parseTests({ fn_name: 'f', inputs: ['not json'], outputs: ['1'] }, py)).toMatchObject({ ok: false, reason: 'bad-tests' });
    expect(parseTests({ fn_name: 'bad name', inputs: [[1]], outputs: [1] }, py)).toMatchObject({ ok: false, reason: 'bad-tests' });
    expect(parseTests({ foo: 1 }, py)).toMatchObject({ ok: false, reason: 'bad-tests', detail: expect.stringContaining('foo') });
    expect(parseTests(42, py)).toMatchObject({ ok: false, reason: 'bad-tests' });
  });

  it('skips single unusable tests but keeps the rest, and says so', () => {
    const r = parseTests({ fn_name: 'f', inputs: ['1', '{broken'], outputs: ['1', '2'] }, py);
    expect(r).toMatchObject({ ok: true, tests: [{ index: 0 }] });
    expect(r.ok && r.notes.join('\n')).toMatch(/skipped test 1/);
  });
});

describe('field paths', () => {
  it('getPath follows dots, list indexes and JSON strings', () => {
    const rec = { a: { b: [{ c: 1 }] }, gt: JSON.stringify({ inputs: ['x'] }) };
    expect(getPath(rec, 'a.b.0.c')).toBe(1);
    expect(getPath(rec, 'gt.inputs')).toEqual(['x']);
    expect(getPath(rec, 'a.x.y')).toBeUndefined();
    expect(getPath(rec, 'gt.inputs.5')).toBeUndefined();
  });

  it('parseFieldSpecs validates names and paths', () => {
    expect(parseFieldSpecs(['code=completion', 'tests=ground_truth.inputs'])).toEqual({ code: 'completion', tests: 'ground_truth.inputs' });
    expect(() => parseFieldSpecs(['cod=completion'])).toThrow(UsageError);
    expect(() => parseFieldSpecs(['code'])).toThrow(/name=path/);
    expect(() => parseFieldSpecs(['code=a..b'])).toThrow(/empty step/);
    expect(() => parseFieldSpecs(['code=a', 'code=b'])).toThrow(/twice/);
  });
});
