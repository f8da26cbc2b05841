/** Exit codes (documented in README "Exit codes"). */
export const EXIT = {
  ok: 0,
  /** The command ran but some records failed or were rejected (e.g. `trace` with a non-ok run under --fail-on-error). */
  partial: 1,
  usage: 2,
  /** An input file is missing or unreadable. */
  input: 3,
  /** A required sandbox protection is unavailable on this machine. */
  sandbox: 4,
  internal: 70,
  /** Interrupted: 128 + the signal's number, as shells report it. */
  sigint: 130,
  sigterm: 143,
} as const;

export class UsageError extends Error {}
export class InputError extends Error {}
export class SandboxUnavailableError extends Error {}
