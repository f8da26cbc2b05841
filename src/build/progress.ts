/**
 * The progress line of a long build (stderr, on a terminal only unless
 * --progress): records done of the estimated total, rate, ETA, tasks and
 * rejects so far.
 *
 * The total is known from the input sizes: the reader reports the bytes
 * of each record it reads, so records per byte so far times the bytes of
 * all inputs estimates the records in all (stdin has no size: no total).
 * The line is redrawn at most every UPDATE_MS.
 */
import { statSync } from 'node:fs';
import { expandPaths } from '../read/paths.js';
import type { Funnel } from './funnel.js';

const UPDATE_MS = 250;

export class Progress {
  private bytesRead = 0;
  private recordsRead = 0;
  private lastDraw = 0;
  private readonly started: number;

  constructor(
    /** Bytes of all inputs, or null when unknown (stdin). */
    private readonly totalBytes: number | null,
    private readonly write: (text: string) => void,
    private readonly now: () => number = Date.now,
  ) {
    this.started = now();
  }

  /** The reader's hook: one record of `bytes` was read. */
  read(bytes: number): void {
    this.bytesRead += bytes;
    this.recordsRead++;
  }

  update(funnel: Funnel, force = false): void {
    const t = this.now();
    if (!force && t - this.lastDraw < UPDATE_MS) return;
    this.lastDraw = t;
    this.write(`\r${this.line(funnel, t)}\x1b[K`);
  }

  /** Leave the last state on screen and move to a fresh line. */
  end(funnel: Funnel): void {
    this.update(funnel, true);
    this.write('\n');
  }

  line(funnel: Funnel, t = this.now()): string {
    const done = funnel.records;
    const seconds = Math.max((t - this.started) / 1000, 1e-3);
    const rate = done / seconds;
    const total = this.estimatedTotal();
    let head = `${done.toLocaleString('en-US')} records`;
    let eta = '';
    if (total !== null) {
      const shown = Math.max(total, done);
      head = `${done.toLocaleString('en-US')} / ~${shown.toLocaleString('en-US')} records (${Math.min(100, (100 * done) / shown).toFixed(0)}%)`;
      eta = rate > 0 && done > 0 ? `, ETA ${duration((shown - done) / rate)}` : '';
    }
    return `build: ${head}, ${rate.toFixed(rate < 10 ? 1 : 0)}/s${eta}; ${funnel.tasks.toLocaleString('en-US')} tasks, ${funnel.rejectedTotal.toLocaleString('en-US')} rejected`;
  }

  private estimatedTotal(): number | null {
    if (this.totalBytes === null || this.recordsRead === 0 || this.bytesRead === 0) return null;
    return Math.round((this.recordsRead * this.totalBytes) / Math.max(this.bytesRead, 1));
  }
}

/** Total bytes of the inputs, or null when one is stdin (or a size cannot be had). */
export function inputBytes(paths: readonly string[]): number | null {
  try {
    const files = expandPaths(paths);
    if (files.includes('-')) return null;
    return files.reduce((sum, f) => sum + statSync(f).size, 0);
  } catch {
    return null; // the reader reports the problem
  }
}

export function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
