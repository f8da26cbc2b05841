/**
 * Which sandbox protections this machine gives, decided once per process by
 * asking the executor itself (`executor.py --probe`), which starts a real
 * executor of each tier, strongest first, and runs a test program in it.
 * Required protections that are missing fail with SandboxUnavailableError
 * (exit 4); an explicit opt-out runs weaker, with a warning on every start.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SandboxUnavailableError, UsageError } from '../errors.js';
import type { Interpreters } from './interpreters.js';
import { cached, stamp } from './startup-cache.js';

/** tracers/ sits next to src/ (run from source) or next to dist/ (compiled). */
export const EXECUTOR_PATH = ['../../tracers/executor.py', '../../../tracers/executor.py']
  .map((rel) => fileURLToPath(new URL(rel, import.meta.url)))
  .find((p) => existsSync(p)) ?? fileURLToPath(new URL('../../../tracers/executor.py', import.meta.url));

export const PROTECTIONS = ['rlimits', 'uid', 'pid', 'net', 'ipc', 'fs-write', 'fs-read'] as const;
export type Protection = (typeof PROTECTIONS)[number];

/** Required unless the user opts out; `fs-read` needs bubblewrap and is used when present. */
export const DEFAULT_REQUIRED: readonly Protection[] = ['rlimits', 'uid', 'pid', 'net', 'ipc', 'fs-write'];

export type Tier = 'bwrap' | 'namespaces' | 'rlimits';

export interface SandboxOptions {
  /** Protections whose absence fails the run instead of running weaker. */
  require: readonly Protection[];
  /** --unsafe-no-sandbox: rlimits, timeout and a scrubbed environment only. */
  unsafe: boolean;
}

export const DEFAULT_SANDBOX: SandboxOptions = { require: DEFAULT_REQUIRED, unsafe: false };

export interface ProtectionStatus {
  active: boolean;
  description: string;
  why_not: string | null;
}

export interface SandboxReport {
  tier: Tier | null;
  /** argv that starts an executor of that tier (the config JSON is appended). */
  launch: string[] | null;
  protections: Record<Protection, ProtectionStatus>;
  attempts: { tier: Tier; ok: boolean; error: string | null }[];
  bwrap: string | null;
  root: boolean;
}

/** What each trace records in its provenance. */
export interface SandboxProvenance {
  tier: Tier;
  active: Protection[];
  missing: Protection[];
  unsafe: boolean;
}

const probes = new Map<string, SandboxReport>();

/**
 * Probe once per (interpreters, mode) and process (~0.3 s with bubblewrap),
 * and remember the report across runs (startup-cache.ts) unless `fresh`.
 */
export function probeSandbox(interpreters: Interpreters, unsafe = false, fresh = false): SandboxReport {
  const config = { node: interpreters.node, tier: unsafe ? 'rlimits' : 'auto' };
  // CODERL_TRACE_BWRAP=none skips bubblewrap (the namespaces tier is then the strongest).
  const bwrap = process.env.CODERL_TRACE_BWRAP;
  const key = `${interpreters.python}\0${JSON.stringify(config)}\0${bwrap}`;
  let report = probes.get(key);
  if (!report) {
    const probe = () => runProbe(interpreters, config, bwrap);
    report = fresh ? probe() : cached('sandbox', probeFingerprint(interpreters, config, bwrap), probe, { keep: cleanProbe });
    probes.set(key, report);
  }
  return report;
}

function runProbe(interpreters: Interpreters, config: Record<string, unknown>, bwrap: string | undefined): SandboxReport {
  let out: string;
  try {
    out = execFileSync(interpreters.python, ['-s', '-B', EXECUTOR_PATH, '--probe', JSON.stringify(config)], {
      encoding: 'utf8', timeout: 120_000, stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8', ...(bwrap ? { CODERL_TRACE_BWRAP: bwrap } : {}) },
    });
  } catch (err) {
    throw new SandboxUnavailableError(`cannot probe the sandbox: ${(err as Error).message}`);
  }
  return JSON.parse(out.trim().split('\n').pop()!) as SandboxReport;
}

/**
 * Only a clean answer is remembered: a tier that failed (perhaps only for
 * now, e.g. a self-test timed out on a loaded machine) is asked again next time.
 */
function cleanProbe(report: SandboxReport): boolean {
  return report.tier !== null && report.attempts.every((a) => a.ok || /not found|skipped/.test(a.error ?? ''));
}

/** What the probe's answer depends on: interpreters, the tracers' code, where bwrap is found. */
function probeFingerprint(interpreters: Interpreters, config: Record<string, unknown>, bwrap: string | undefined): unknown {
  const tracers = dirname(EXECUTOR_PATH);
  return {
    config, bwrap: bwrap ?? null, path: process.env.PATH ?? null,
    files: [interpreters.python, interpreters.node, ...['executor.py', 'sandbox.py', 'zygote.py'].map((f) => join(tracers, f))].map(stamp),
  };
}

/**
 * Check the report against the options: throw when a required protection
 * is missing; otherwise return the provenance and the warnings to print.
 */
export function checkSandbox(report: SandboxReport, options: SandboxOptions): { provenance: SandboxProvenance; warnings: string[] } {
  const active = PROTECTIONS.filter((p) => report.protections[p]?.active);
  const missing = PROTECTIONS.filter((p) => !report.protections[p]?.active);
  if (report.tier === null || report.launch === null) {
    throw new SandboxUnavailableError(`no sandbox tier works on this machine: ${report.attempts.map((a) => `${a.tier}: ${a.error}`).join('; ')}`);
  }
  const required = options.unsafe ? [] : options.require;
  const lacking = required.filter((p) => !active.includes(p));
  if (lacking.length > 0) {
    const reasons = lacking.map((p) => `  ${p}: ${report.protections[p]?.why_not ?? 'unavailable'}`).join('\n');
    throw new SandboxUnavailableError(
      `required sandbox protection${lacking.length > 1 ? 's' : ''} unavailable: ${lacking.join(', ')}\n${reasons}\n` +
      `Run \`coderl-trace doctor\` for details. To run anyway, weaker, pass --allow-weak-sandbox ${lacking.join(',')} ` +
      '(or --unsafe-no-sandbox): only do this for code you trust.',
    );
  }
  const warnings: string[] = [];
  if (options.unsafe) {
    warnings.push(`WARNING: --unsafe-no-sandbox: untrusted code runs with resource limits only (no ${NAMESPACE_LIST}); it can read and write what this user can, and use the network.`);
  } else {
    const weakened = DEFAULT_REQUIRED.filter((p) => !required.includes(p) && !active.includes(p));
    if (weakened.length > 0) {
      warnings.push(`WARNING: sandbox weakened by --allow-weak-sandbox: running WITHOUT ${weakened.join(', ')} (${weakened.map((p) => report.protections[p]?.why_not ?? '').join('; ')}).`);
    }
  }
  return { provenance: { tier: report.tier, active, missing, unsafe: options.unsafe }, warnings };
}

const NAMESPACE_LIST = 'separate uid, PID/network/IPC namespaces or read-only filesystem';

/** Parse a comma list of protection names (`all` for every one). */
export function parseProtections(flag: string, list: string): Protection[] {
  const names = list.split(',').map((s) => s.trim()).filter(Boolean);
  for (const name of names) {
    if (name !== 'all' && !(PROTECTIONS as readonly string[]).includes(name)) {
      throw new UsageError(`${flag}: unknown protection "${name}" (known: ${PROTECTIONS.join(', ')}, all)`);
    }
  }
  return names.includes('all') ? [...PROTECTIONS] : (names as Protection[]);
}

/** `--allow-weak-sandbox net,pid`: the default required protections minus those. */
export function requiredWithout(allowed: string): Protection[] {
  const waived = parseProtections('--allow-weak-sandbox', allowed);
  return DEFAULT_REQUIRED.filter((p) => !waived.includes(p));
}
