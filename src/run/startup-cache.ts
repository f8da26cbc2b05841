/**
 * Start-up facts worth remembering between runs of the CLI: which Python
 * `python3` really is (a pyenv shim costs a shell and an interpreter start
 * to ask) and what the sandbox probe found (an executor of each tier started
 * and tested: most of a cold start). Each entry is keyed by everything it
 * depends on (files by path, inode and mtime; the environment; the boot, so
 * a reboot or a changed kernel setting re-probes), and a key that does not
 * match exactly is a miss.
 *
 * A stale entry cannot weaken the sandbox: executors are still started in
 * the recorded tier, and one that cannot start fails its runs. `doctor`
 * always probes afresh. CODERL_TRACE_CACHE=off turns the cache off.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { VERSION } from '../version.js';

export function cacheDir(): string {
  return process.env.CODERL_TRACE_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'coderl-trace');
}

/** The value stored under `key`, or `compute()` stored for next time. */
export interface CacheRules<T> {
  /** Is a stored value still good (e.g. its file still there)? */
  valid?: (value: T) => boolean;
  /** Is a computed value worth storing? */
  keep?: (value: T) => boolean;
}

export function cached<T>(name: string, key: unknown, compute: () => T, rules: CacheRules<T> = {}): T {
  if (process.env.CODERL_TRACE_CACHE === 'off') return compute();
  const fullKey = JSON.stringify({ key, version: VERSION, boot: bootId(), uid: process.getuid?.() ?? null });
  const file = join(cacheDir(), `${name}-${createHash('sha256').update(fullKey).digest('hex').slice(0, 24)}.json`);
  try {
    const entry = JSON.parse(readFileSync(file, 'utf8')) as { key: string; value: T };
    if (entry.key === fullKey && (rules.valid?.(entry.value) ?? true)) return entry.value;
  } catch {
    // no entry yet, or unreadable: compute it
  }
  const value = compute();
  if (rules.keep && !rules.keep(value)) return value;
  try {
    mkdirSync(cacheDir(), { recursive: true, mode: 0o700 });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify({ key: fullKey, value }), { mode: 0o600 });
    renameSync(tmp, file);
  } catch {
    // a read-only home only costs the next start its probe
  }
  return value;
}

/** Path, inode and mtime: changes when the file is replaced or edited. */
export function stamp(path: string): [string, number, number] | null {
  try {
    const s = statSync(path);
    return [path, s.ino, s.mtimeMs];
  } catch {
    return null;
  }
}

function bootId(): string {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return 'unknown';
  }
}
