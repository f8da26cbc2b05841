/**
 * Adversarial values (issue 16.4): one budget for every type. A huge BigInt
 * is recorded by its size in bits with the value_size flag, a 256 MB string
 * built by concatenation does not make the traced run run out of memory
 * where the plain run does not, and lone surrogates survive in the JSON
 * projection while stdout is node's own. Both JavaScript paths.
 */
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestExecutor, startWarmAndFresh, records, runThrough } from './warm.js';

function plainNode(source: string, flags: string[] = []): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'ct-values-'));
  try {
    writeFileSync(join(dir, 'main.js'), source);
    return execFileSync(process.execPath, [...flags, join(dir, 'main.js')], { cwd: dir });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

type Value = { repr: string; json: unknown };
/** Every recorded value of a variable (E and X records), in order. */
function valuesOf(channel: string, name: string): Value[] {
  const out: Value[] = [];
  for (const r of records(channel)) {
    const vars = r[0] === 'E' ? r[3] : r[0] === 'X' ? r[3] : null;
    if (vars && typeof vars === 'object' && name in vars) out.push((vars as Record<string, Value>)[name]);
  }
  return out;
}

let warm: TestExecutor;
let fresh: TestExecutor;
startWarmAndFresh((w, f) => { warm = w; fresh = f; });

describe('one value budget for every type (issue 16.4)', () => {
  for (const path of ['warm', 'fresh'] as const) {
    const executor = () => (path === 'warm' ? warm : fresh);

    it(`7n ** 2000000n is recorded by its size, with the value_size flag (${path})`, async () => {
      const source = 'const big = 7n ** 2000000n;\nconst small = big % 1000n;\nconsole.log(small);\n';
      const expected = plainNode(source).toString();
      const { result } = await runThrough(executor(), source, { limits: { timeout_ms: 20000, cpu_ms: 20000 } });
      expect(result.status).toBe('ok');
      expect(result.stdout).toBe(expected);
      const bits = (7n ** 2000000n).toString(2).length; // computed here, independently
      const big = valuesOf(result.channel, 'big');
      expect(big.length).toBeGreaterThan(0);
      for (const v of big) {
        expect(v.json).toEqual({ $type: 'bigint', bits, negative: false });
        expect(v.repr).toBe(`<bigint with ${bits} bits>`);
      }
      expect(records(result.channel)).toContainEqual(['L', 'value_size']);
      expect(valuesOf(result.channel, 'small').at(-1)).toEqual({ repr: expected.trim(), json: { $type: 'bigint', value: expected.trim().slice(0, -1) } });
    });

    it(`a 256 MB string joined with one character traces where it runs plain (${path})`, async () => {
      const source = "const s = 'x'.repeat(2 ** 28 - 64) + 'y';\nconst n = s.length;\nconsole.log(n);\n";
      const limits = { memory_mb: 512, timeout_ms: 20000, cpu_ms: 20000 };
      const expected = plainNode(source, ['--max-old-space-size=512']).toString();
      expect(expected).toBe(`${2 ** 28 - 63}\n`);
      const { result } = await runThrough(executor(), source, { limits });
      expect(result.status).toBe('ok');
      expect(result.stdout).toBe(expected);
      expect(valuesOf(result.channel, 's').at(-1)).toEqual({ repr: `<string of ${2 ** 28 - 63} characters>`, json: { $type: 'str', length: 2 ** 28 - 63 } });
    });

    it(`lone surrogates survive in the JSON projection; stdout is node's bytes (${path})`, async () => {
      const source = "const s = 'a\\ud800b';\nconst t = '\\udc00';\nconsole.log(s + t);\n";
      const expected = plainNode(source);
      expect(expected.toString('hex')).toBe('61efbfbd62efbfbd0a');
      const { result } = await runThrough(executor(), source);
      expect(Buffer.from(result.stdout)).toEqual(expected);
      expect(valuesOf(result.channel, 's').at(-1)).toEqual({ repr: "'a\\uD800b'", json: 'a\ud800b' });
      expect(valuesOf(result.channel, 't').at(-1)).toEqual({ repr: "'\\uDC00'", json: '\udc00' });
    });
  }
});
