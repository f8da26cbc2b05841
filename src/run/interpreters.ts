/**
 * Find the interpreters once per process. `python3` is often a shell shim
 * (pyenv: ~200 ms per start), so ask it once for its real executable.
 */
import { execFileSync } from 'node:child_process';
import { accessSync, constants, realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, isAbsolute, join } from 'node:path';
import { cached as remembered, stamp } from './startup-cache.js';

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
  const resolve = () => {
    try {
      const [python, pythonVersion] = execFileSync(pythonCmd, ['-c', 'import sys; print(sys.executable); print(sys.version.split()[0])'], {
        encoding: 'utf8', timeout: 20_000, stdio: ['ignore', 'pipe', 'pipe'],
      }).trim().split('\n');
      return { python, pythonVersion, stamp: stamp(python) };
    } catch (err) {
      throw new Error(`cannot run Python interpreter "${pythonCmd}" (set --python or CODERL_TRACE_PYTHON): ${(err as Error).message}`);
    }
  };
  // Asking a shim is a shell plus an interpreter start: remember the answer
  // while nothing it depends on changed (and the interpreter is still there).
  const { python, pythonVersion } = remembered('python', pythonFingerprint(pythonCmd), resolve,
    { valid: (v) => JSON.stringify(stamp(v.python)) === JSON.stringify(v.stamp) });
  let nodeVersion: string;
  try {
    nodeVersion = nodeCmd === process.execPath
      ? process.versions.node
      : execFileSync(nodeCmd, ['--version'], { encoding: 'utf8', timeout: 20_000 }).trim().replace(/^v/, '');
  } catch (err) {
    throw new Error(`cannot run node "${nodeCmd}" (set CODERL_TRACE_NODE): ${(err as Error).message}`);
  }
  const found = { python, pythonVersion, node: nodeCmd, nodeVersion };
  if (!overrides.python && !overrides.node) cached = found;
  return found;
}

/**
 * What decides which interpreter `cmd` is: the file PATH finds (a shim or
 * the binary), the environment, and pyenv's version files (the working
 * directory's and its parents' .python-version, the global one).
 */
function pythonFingerprint(cmd: string): unknown {
  const found = isAbsolute(cmd) ? cmd : (process.env.PATH ?? '').split(delimiter).map((d) => join(d, cmd)).find(executable);
  const versionFiles: unknown[] = [];
  for (let dir = process.cwd(); ; dir = dirname(dir)) {
    versionFiles.push(stamp(join(dir, '.python-version')));
    if (dir === dirname(dir)) break;
  }
  versionFiles.push(stamp(join(process.env.PYENV_ROOT ?? join(homedir(), '.pyenv'), 'version')));
  const env = ['PATH', 'PYENV_VERSION', 'PYENV_ROOT', 'VIRTUAL_ENV', 'CONDA_PREFIX'].map((k) => process.env[k] ?? null);
  return { cmd, found: found ? [stamp(found), stamp(realpathSync(found))] : null, env, versionFiles };
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
