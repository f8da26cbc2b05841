/**
 * Behaviour of a traced run as a whole: errors keep their type and original
 * line, syntax errors never run instrumented code, a never-ending program
 * killed from outside keeps its trace so far, caps are explicit, and the
 * tracer is invisible to the program.
 */
import { describe, expect, it } from 'vitest';
import { instrumentJavaScript } from '../../src/instrument/javascript.js';
import { endRecord, finals, runJs, steps } from './harness.js';

describe('JavaScript runner', () => {
  it('a let read in its TDZ throws the same ReferenceError at the same line as the plain run', async () => {
    const source = [
      'function show() {',
      '  return value;',
      '}',
      'console.log("before");',
      'show();',
      'let value = 1;',
    ].join('\n');
    const [traced, plain] = await Promise.all([runJs(source), runJs(source, { mode: 'plain' })]);
    expect(traced.stdout).toBe('before\n');
    expect(plain.stdout).toBe('before\n');
    expect(traced.exitCode).toBe(1);
    expect(plain.exitCode).toBe(1);
    const expected = { type: 'ReferenceError', message: "Cannot access 'value' before initialization", line: 2, phase: 'run' };
    expect(endRecord(traced)!.exception).toEqual(expected);
    expect(endRecord(plain)!.exception).toEqual(expected);
    expect(traced.stderr).toMatch(/main\.js:2\b/);
    expect(traced.stderr).toContain("ReferenceError: Cannot access 'value' before initialization");
  });

  it('instrumentation keeps every line in place', async () => {
    const source = 'const a = 1\nif (a) console.log(a)\nfor (const x of [1]) x\nconst f = (y) => y *\n  2\n';
    const out = await instrumentJavaScript(source);
    const before = out.code!.split('\n');
    const original = source.split('\n');
    for (let i = 0; i < original.length - 1; i++) expect(before[i].includes(original[i].trim().slice(0, 5))).toBe(true);
    expect(out.code!.indexOf(';__ct$.m(')).toBeGreaterThan(source.trimEnd().length - 1);
    expect(out.code!.slice(0, out.code!.indexOf('\n;__ct$.m(')).split('\n').length).toBe(original.length);
  });

  it('a syntax error gives a compile-phase SyntaxError with message and line, and no events', async () => {
    const source = 'let a = 1;\nlet b = (;\n';
    const traced = await runJs(source);
    expect(traced.instrumented!.code).toBeNull();
    expect(traced.instrumented!.problem).toBe('tree-sitter parse error at line 2');
    expect(traced.exitCode).toBe(1);
    expect(endRecord(traced)).toEqual({
      return: null, events: 0,
      exception: { type: 'SyntaxError', message: "Unexpected token ';'", line: 2, phase: 'compile' },
    });
  });

  it('an early error only V8 reports (redeclared parameter) is a syntax error, instrumented code never runs', async () => {
    const source = 'console.log("ran");\nfunction f(x) {\n  let x = 2;\n}\n';
    const traced = await runJs(source);
    expect(traced.instrumented!.problem).toBeNull(); // tree-sitter accepts it
    expect(traced.stdout).toBe('');
    expect(endRecord(traced)!.exception).toEqual({
      type: 'SyntaxError', message: "Identifier 'x' has already been declared", line: 3, phase: 'compile',
    });
  });

  it('ES module syntax is rejected with a clear reason', async () => {
    const traced = await runJs('import fs from "fs";\nconsole.log(1);\n');
    expect(traced.instrumented!.problem).toBe('ES module syntax is not supported');
    const exc = endRecord(traced)!.exception!;
    expect(exc.phase).toBe('compile');
    expect(exc.message).toMatch(/^ES module syntax is not supported/);
  });

  it('a setInterval program killed from outside keeps its trace so far (pipe and file channel)', async () => {
    const source = 'let ticks = 0;\nsetInterval(() => {\n  ticks++;\n}, 5);\n';
    for (const channelFile of [false, true]) {
      const traced = await runJs(source, { killAfterMs: 1500, channelFile });
      expect(traced.killed).toBe(true);
      expect(traced.signal).toBe('SIGKILL');
      expect(endRecord(traced)).toBeNull();
      const ticks = steps(traced).filter((s) => s.line === 3 && s.scope === '<anonymous@2>');
      expect(ticks.length).toBeGreaterThan(5);
      expect(traced.channel.endsWith('\n')).toBe(true); // only whole records were written
    }
  });

  it('the events cap is explicit and finals stay exact after it', async () => {
    const source = 'function loop(n) {\n  let s = 0;\n  for (let i = 0; i < n; i++) s += i;\n  return s;\n}\nconsole.log(loop(1000));\n';
    const traced = await runJs(source, { limits: { max_events: 50 } });
    expect(traced.stdout).toBe('499500\n');
    expect(traced.records.filter((r) => r[0] === 'E').length).toBe(50);
    expect(traced.records).toContainEqual(['L', 'events']);
    expect(endRecord(traced)!.events).toBe(50);
    expect(finals(traced).loop).toEqual({ n: '1000', s: '499500', i: '999' });
  });

  it('call-style: a missing fn_name is a ReferenceError; a rejected promise is the exception', async () => {
    const missing = await runJs('function other() {}\n', { input: { kind: 'fn', fn_name: 'nope', args: [] } });
    expect(endRecord(missing)!.exception).toMatchObject({ type: 'ReferenceError', phase: 'run' });
    expect(missing.exitCode).toBe(1);
    const rejected = await runJs('async function f(x) {\n  throw new RangeError("r" + x);\n}\n', { input: { kind: 'call', call: 'f(1)' } });
    expect(endRecord(rejected)!.exception).toEqual({ type: 'RangeError', message: 'r1', line: 2, phase: 'run' });
    expect(rejected.exitCode).toBe(1);
  });

  it('the program cannot see the tracer through the global object, require.main is its module', async () => {
    const source = [
      'const names = Object.getOwnPropertyNames(globalThis).filter((n) => n.includes("ct$"));',
      'console.log(names.length, require.main === module, __filename.endsWith("main.js"), this === module.exports);',
    ].join('\n');
    const traced = await runJs(source);
    expect(traced.stdout).toBe('0 true true true\n');
  });

  it('a user uncaughtException handler keeps the program going and the run ok', async () => {
    const source = 'process.on("uncaughtException", (e) => console.log("caught", e.message));\nsetTimeout(() => { throw new Error("x"); }, 1);\nsetTimeout(() => console.log("after"), 20);\n';
    const [traced, plain] = await Promise.all([runJs(source), runJs(source, { mode: 'plain' })]);
    expect(traced.stdout).toBe('caught x\nafter\n');
    expect(plain.stdout).toBe(traced.stdout);
    expect(traced.exitCode).toBe(0);
    expect(endRecord(traced)!.exception).toBeNull();
  });

  it('deep recursion: with --stack-size=2000 a traced run recurses at least as deep as a plain run', async () => {
    const source = [
      'let limit = 0;',
      'function probe(n) { limit = n; probe(n + 1); }',
      'try { probe(0); } catch (e) { console.log(e.name); }',
      'const dfs = (n) => { if (n === 0) return 0; const r = dfs(n - 1); return r + 1; };',
      'console.log(dfs(10000), limit);',
    ].join('\n');
    const plain = await runJs(source, { mode: 'plain' });
    const traced = await runJs(source, { nodeFlags: ['--stack-size=2000'] });
    expect(plain.exitCode).toBe(0);
    expect(traced.exitCode).toBe(0);
    const [plainDepth, plainLimit] = plain.stdout.split('\n')[1].split(' ').map(Number);
    const [tracedDepth, tracedLimit] = traced.stdout.split('\n')[1].split(' ').map(Number);
    expect(plainDepth).toBe(10000);
    expect(tracedDepth).toBe(10000);
    expect(tracedLimit).toBeGreaterThanOrEqual(plainLimit); // the depth of an overflow itself differs
  });
});
