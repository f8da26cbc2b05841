/**
 * What `build` and `merge` write: tasks in the chosen format (JSONL, or
 * Parquet when the -o name ends in .parquet; stdout without -o), one JSON
 * line per reject (--rejects) and the funnel (--stats). Files appear under
 * their names only once complete (src/atomic-file.ts).
 */
import { createWriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { atomicFile, type AtomicFile } from '../atomic-file.js';
import type { Funnel } from '../build/funnel.js';
import type { RejectRecord } from '../build/pipeline.js';
import { InputError } from '../errors.js';
import { writeJsonl } from '../jsonl.js';
import type { Task } from '../tasks/task.js';
import { exportTask, type ExportFormat } from './formats.js';
import { parquetOutputStream } from './parquet.js';

export interface OutputOptions {
  output?: string;
  format: ExportFormat;
  rejects?: string;
  stats?: string;
}

export interface Outputs {
  task(task: Task): Promise<void>;
  reject(reject: RejectRecord): Promise<void>;
  /** Close the files, write the funnel and give every file its final name. */
  finish(funnel: Funnel): Promise<void>;
  /** Remove what was written (after a failure). */
  abort(): Promise<void>;
}

/** Opens the files before any program runs, so a bad path fails fast and clearly. */
export async function openOutputs(options: OutputOptions): Promise<Outputs> {
  const files: AtomicFile[] = [];
  const atomic = (path: string) => {
    const file = atomicFile(path);
    files.push(file);
    return file.temp;
  };
  const abort = () => Promise.all(files.map((f) => f.abort())).then(() => undefined);
  try {
    const out = options.output === undefined ? process.stdout
      : options.output.endsWith('.parquet') ? parquetOutputStream(atomic(options.output), options.format)
      : await openStream(atomic(options.output), options.output);
    const rejects = options.rejects === undefined ? null : await openStream(atomic(options.rejects), options.rejects);
    const stats = options.stats === undefined ? null : atomic(options.stats);
    let index = 0;
    return {
      task: (task) => writeJsonl(out, exportTask(task, options.format, index++)),
      reject: async (rej) => { if (rejects) await writeJsonl(rejects, rej); },
      async finish(funnel) {
        await Promise.all([close(options.output === undefined ? null : out), close(rejects)]);
        if (stats) await writeFile(stats, JSON.stringify(funnel.toJSON(), null, 2) + '\n');
        for (const file of files) await file.commit();
      },
      abort,
    };
  } catch (err) {
    await abort();
    throw err;
  }
}

/** A write stream on `temp`, once open; errors name `path`, the file the user asked for. */
export function openStream(temp: string, path: string): Promise<Writable> {
  return new Promise((resolve, reject) => {
    const stream = createWriteStream(temp);
    stream.once('open', () => resolve(stream));
    stream.once('error', (err: NodeJS.ErrnoException) => reject(new InputError(`cannot write ${path}: ${err.code ?? err.message}`)));
  });
}

export function close(stream: Writable | null): Promise<void> {
  if (!stream) return Promise.resolve();
  return new Promise((resolve, reject) => stream.end((err?: Error | null) => (err ? reject(err) : resolve())));
}
