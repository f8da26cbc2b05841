/**
 * Output that is not valid UTF-8, through the real CLI: the trace keeps the
 * exact bytes (`output_bytes`, base64) and says so (`output-not-utf8`);
 * valid output, and a character cut in two by the output cap, carry
 * neither. Expected bytes come from plain `python3 main.py` runs.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { realPython, traceRuns } from './helpers.js';

/** stdout and stderr of `python3 main.py`, as bytes. */
function plainBytes(code: string): { stdout: Buffer; stderr: Buffer } {
  const dir = mkdtempSync(path.join(tmpdir(), 'bytes-'));
  try {
    writeFileSync(path.join(dir, 'main.py'), code);
    const res = spawnSync(realPython(), ['main.py'], { cwd: dir, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8' } });
    return { stdout: res.stdout, stderr: res.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const decode = (b64: string | undefined) => (b64 === undefined ? undefined : Buffer.from(b64, 'base64'));

describe('output that is not UTF-8', () => {
  const code = `import sys
print("text first")
sys.stdout.flush()
sys.stdout.buffer.write(b"raw \\xff\\xfe bytes, caf\\xc3\\xa9, lone \\xed\\xa0\\x80\\n")
sys.stderr.buffer.write(b"\\x80 on stderr\\n")
`;

  it.each([['trace'], ['plain']])('%s mode: exact bytes kept and flagged', async (mode) => {
    const [trace] = await traceRuns([{ id: 'b', language: 'python', code, stdin: '' }], mode === 'plain' ? ['--plain'] : []);
    const plain = plainBytes(code);
    expect(decode(trace.output_bytes?.stdout)).toEqual(plain.stdout);
    expect(decode(trace.output_bytes?.stderr)).toEqual(plain.stderr);
    expect(trace.warnings).toContain('output-not-utf8');
    // The text form stays readable: the invalid bytes become U+FFFD.
    expect(trace.stdout).toBe(plain.stdout.toString('utf8'));
  });

  it('valid UTF-8 output (any script) carries no bytes and no warning', async () => {
    const valid = 'print("héllo wörld, 日本語, emoji \\U0001F600")\n';
    const [trace] = await traceRuns([{ id: 'v', language: 'python', code: valid, stdin: '' }]);
    expect(trace.stdout).toBe(plainBytes(valid).stdout.toString('utf8'));
    expect(trace.output_bytes).toBeUndefined();
    expect(trace.warnings).toEqual([]);
  });

  it('a character cut in two by the output cap is not flagged', async () => {
    const cut = 'print("é" * 100)\n'; // 2 bytes each: a cap of 101 bytes cuts the 51st in two
    const [trace] = await traceRuns([{ id: 'c', language: 'python', code: cut, stdin: '' }], ['--max-output', '101']);
    expect(trace.truncated.stdout).toBe(true);
    expect(trace.output_bytes).toBeUndefined();
    expect(trace.warnings).not.toContain('output-not-utf8');
  });
});
