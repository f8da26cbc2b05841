import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { DEFAULT_SANDBOX, PROTECTIONS, parseProtections, requiredWithout, type SandboxOptions } from './sandbox.js';

/** Per-run caps, sent with every job and recorded in each trace's provenance. */
export interface Limits {
  timeout_ms: number;
  cpu_ms: number;
  memory_mb: number;
  max_output_bytes: number;
  max_events: number;
  max_processes: number;
  max_file_bytes: number;
  max_value_chars: number;
}

export const DEFAULT_LIMITS: Readonly<Limits> = {
  timeout_ms: 5000,
  cpu_ms: 5000,
  memory_mb: 512,
  max_output_bytes: 1024 * 1024,
  max_events: 10_000,
  max_processes: 16,
  // Files the program writes, and the trace channel; past this the kernel
  // stops the program with SIGXFSZ (reported as output_limit).
  max_file_bytes: 64 * 1024 * 1024,
  max_value_chars: 500,
};

export interface LimitFlags {
  timeout?: string;
  cpuTime?: string;
  memoryMb?: string;
  maxOutput?: string;
  maxEvents?: string;
  maxProcesses?: string;
}

/**
 * The per-run limit flags of `trace` and `build`. Their defaults are
 * DEFAULT_LIMITS, the one place limits have defaults: every job carries the
 * whole Limits object, and the tracers take it as given.
 */
export function addLimitOptions(cmd: Command): Command {
  return cmd
    .option('--timeout <ms>', 'wall-clock limit per run', String(DEFAULT_LIMITS.timeout_ms))
    .option('--cpu-time <ms>', 'CPU-time limit per run (default: the timeout)')
    .option('--memory-mb <mib>', 'memory limit per run', String(DEFAULT_LIMITS.memory_mb))
    .option('--max-output <bytes>', 'cap on stdout and on stderr per run', String(DEFAULT_LIMITS.max_output_bytes))
    .option('--max-events <n>', 'line events recorded per run; past it the program runs on unrecorded', String(DEFAULT_LIMITS.max_events))
    .option('--max-processes <n>', 'processes/threads per run', String(DEFAULT_LIMITS.max_processes));
}

/** Turn CLI flags into limits, validated up front with precise messages. */
export function limitsFromFlags(flags: LimitFlags): Limits {
  const limits: Limits = { ...DEFAULT_LIMITS };
  if (flags.timeout !== undefined) limits.timeout_ms = positive('--timeout', flags.timeout, 'milliseconds');
  limits.cpu_ms = flags.cpuTime !== undefined ? positive('--cpu-time', flags.cpuTime, 'milliseconds') : limits.timeout_ms;
  if (flags.memoryMb !== undefined) limits.memory_mb = positive('--memory-mb', flags.memoryMb, 'MiB');
  if (flags.maxOutput !== undefined) limits.max_output_bytes = positive('--max-output', flags.maxOutput, 'bytes');
  if (flags.maxEvents !== undefined) limits.max_events = positive('--max-events', flags.maxEvents, 'events');
  if (flags.maxProcesses !== undefined) limits.max_processes = positive('--max-processes', flags.maxProcesses, 'processes');
  limits.max_file_bytes = Math.max(limits.max_file_bytes, limits.max_output_bytes + 1);
  return limits;
}

function positive(flag: string, value: string, unit: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`${flag} must be a positive whole number of ${unit}, got "${value}"`);
  return n;
}

/** Sandbox opt-outs (see src/run/sandbox.ts); both print a warning on every start. */
export interface SandboxFlags {
  requireSandbox?: string;
  allowWeakSandbox?: string;
  unsafeNoSandbox?: boolean;
}

/** Add the sandbox opt-out flags to a command that runs programs. */
export function addSandboxOptions(cmd: Command): Command {
  return cmd
    .option('--allow-weak-sandbox <protections>',
      `run even if these protections are unavailable (comma list of ${PROTECTIONS.join(', ')}, or all); loud`)
    .option('--require-sandbox <protections>', 'also require these protections (e.g. fs-read: fail unless bubblewrap hides the host filesystem)')
    .option('--unsafe-no-sandbox', 'run with resource limits and a timeout only (no uid, namespaces or read-only filesystem); for trusted code');
}

export function sandboxFromFlags(flags: SandboxFlags): SandboxOptions {
  if (flags.unsafeNoSandbox === true) return { require: [], unsafe: true };
  const base = flags.allowWeakSandbox !== undefined ? requiredWithout(flags.allowWeakSandbox) : [...DEFAULT_SANDBOX.require];
  const extra = flags.requireSandbox !== undefined ? parseProtections('--require-sandbox', flags.requireSandbox) : [];
  return { require: [...new Set([...base, ...extra])], unsafe: false };
}
