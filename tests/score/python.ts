/** The real python3 binary, resolved once (the pyenv shim is slow), and a helper to run a script on JSON input. */
import { execFileSync } from 'node:child_process';

let cached: string | null = null;

export function python(): string {
  cached ??= execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).trim();
  return cached;
}

/** Run `script` with `input` (JSON) on stdin; the script prints one JSON value. */
export function runPython(script: string, input: unknown): unknown {
  const out = execFileSync(python(), ['-c', script], { input: JSON.stringify(input), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return JSON.parse(out);
}
