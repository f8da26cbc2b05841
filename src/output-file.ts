/**
 * Output files that appear under their final name only when complete: the
 * one way the tool writes a file (build and merge -o, --rejects, --stats,
 * build --part, stats --html).
 *
 * Data is written to a temporary name in the same folder (so the final
 * rename is atomic: same file system) and renamed when the command
 * finishes. A build that is interrupted, or fails, leaves no half file
 * that looks like a finished one: the temporary file is removed, also
 * when the process exits without cleaning up (a second Ctrl-C). A device,
 * pipe or socket (`-o /dev/null`) is written in place, never renamed over.
 */
import { createWriteStream, statSync, unlinkSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Writable } from 'node:stream';
import { InputError } from './errors.js';

/** Temporary files not yet renamed or removed; removed at exit. */
const pending = new Set<string>();
process.once('exit', () => {
  for (const path of pending) removeQuietly(path);
});

export class OutputFile {
  /** Where the data goes until commit(). */
  readonly tempPath: string;

  /** A device, pipe or socket (`-o /dev/null`, `/dev/stdout`) is written in place: renaming over it would replace it. */
  private readonly inPlace: boolean;

  constructor(readonly path: string) {
    this.inPlace = isSpecialFile(path);
    this.tempPath = this.inPlace ? path : join(dirname(path), `.${basename(path)}.${process.pid}.partial`);
    if (!this.inPlace) pending.add(this.tempPath);
  }

  /** Move the finished file to its final name. */
  async commit(): Promise<void> {
    if (this.inPlace) return;
    await rename(this.tempPath, this.path);
    pending.delete(this.tempPath);
  }

  /** Drop the unfinished file. */
  discard(): void {
    if (this.inPlace) return;
    removeQuietly(this.tempPath);
    pending.delete(this.tempPath);
  }
}

/** A stream to a new OutputFile, opened now so that a bad path fails before any work. */
export function openOutputStream(path: string): Promise<{ file: OutputFile; stream: Writable }> {
  const file = new OutputFile(path);
  return new Promise((resolve, reject) => {
    const stream = createWriteStream(file.tempPath);
    stream.once('open', () => resolve({ file, stream }));
    stream.once('error', (err: NodeJS.ErrnoException) => {
      file.discard();
      reject(new InputError(`cannot write ${path}: ${err.code ?? err.message}`));
    });
  });
}

/** Write a whole small file (e.g. --stats JSON) under a temporary name, then rename it. */
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  const file = new OutputFile(path);
  try {
    await writeFile(file.tempPath, text);
    await file.commit();
  } catch (err) {
    file.discard();
    throw new InputError(`cannot write ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

function isSpecialFile(path: string): boolean {
  const stat = statSync(path, { throwIfNoEntry: false });
  return stat !== undefined && !stat.isFile() && !stat.isDirectory();
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    /* already gone */
  }
}
