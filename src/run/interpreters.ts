/**
 * Find the interpreters once per process. `python3` is often a shell shim
 * (pyenv: ~200 ms per start), so ask it once for its real executable.
 */
import { execFileSync } from 'node:child_process';

export interface Interpreters {
  python: string;
  pythonVersion: string;
  node: string;
  nodeVersion: string;
}

let cached: Interpreters | null = null;

export function findInterpreters(overrides: { python?: string; node?: string } = {}): Interpreters {
  if (cached && !overrides.python && !overrides.node) return cached;
  const pythonCmd = overrides.python ?? process.env.CODERL_TRACE_PYTHON ?? 'python3';
  const nodeCmd = overrides.node ?? process.env.CODERL_TRACE_NODE ?? process.execPath;
  let python: string;
  let pythonVersion: string;
  try {
    [python, pythonVersion] = execFileSync(pythonCmd, ['-c', 'import sys; print(sys.executable); print(sys.version.split()[0])'], {
      encoding: 'utf8', timeout: 20_000, stdio: ['ignore', 'pipe', 'pipe'],
    }).trim().split('\n');
  } catch (err) {
    throw new Error(`cannot run Python interpreter "${pythonCmd}" (set --python or CODERL_TRACE_PYTHON): ${(err as Error).message}`);
  }
  let nodeVersion: string;
  try {
    nodeVersion = execFileSync(nodeCmd, ['--version'], { encoding: 'utf8', timeout: 20_000 }).trim().replace(/^v/, '');
  } catch (err) {
    throw new Error(`cannot run node "${nodeCmd}" (set CODERL_TRACE_NODE): ${(err as Error).message}`);
  }
  const found = { python, pythonVersion, node: nodeCmd, nodeVersion };
  if (!overrides.python && !overrides.node) cached = found;
  return found;
}
