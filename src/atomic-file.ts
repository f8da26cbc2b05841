/**
 * Files that appear complete or not at all: written under a temporary name
 * in the same folder and renamed over the final name once finished (a
 * rename within one file system is atomic), so a killed job never leaves a
 * half-written file where a complete one is expected.
 */
import { statSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export interface AtomicFile {
  /** Where to write meanwhile. */
  readonly temp: string;
  /** Move the finished file to its final name. */
  commit(): Promise<void>;
  /** Remove the unfinished file (safe to call after commit: it does nothing then). */
  abort(): Promise<void>;
}

export function atomicFile(path: string): AtomicFile {
  // A device or pipe (-o /dev/stdout) is written in place: renaming over it would replace it.
  if (isSpecial(path)) return { temp: path, commit: async () => {}, abort: async () => {} };
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  let done = false;
  return {
    temp,
    async commit() {
      await rename(temp, path);
      done = true;
    },
    async abort() {
      if (!done) await rm(temp, { force: true });
    },
  };
}

function isSpecial(path: string): boolean {
  try {
    return !statSync(path).isFile();
  } catch {
    return false; // not there yet
  }
}
