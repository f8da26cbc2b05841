/**
 * What `build` and `merge` write: tasks in the chosen format (JSONL, or
 * Parquet when the -o name ends in .parquet; stdout without -o) and one JSON
 * line per reject (--rejects). Files appear under their names only once
 * complete (src/output-file.ts); the funnel (--stats) is written after them
 * with writeFileAtomic.
 */
import type { Writable } from 'node:stream';
import { writeJsonl } from '../jsonl.js';
import { OutputFile, openOutputStream } from '../output-file.js';
import type { RejectRecord } from '../build/pipeline.js';
import type { Task } from '../tasks/task.js';
import { exportTask, type ExportFormat } from './formats.js';
import { parquetOutputStream } from './parquet.js';

export interface OutputOptions {
  output?: string;
  format: ExportFormat;
  rejects?: string;
}

export interface Outputs {
  task(task: Task): Promise<void>;
  reject(reject: RejectRecord): Promise<void>;
  /** End the streams and give every file its final name. */
  commit(): Promise<void>;
  /** Drop what was written (after a failure or an interrupt). */
  discard(): void;
}

/** Opens the files before any program runs, so a bad path fails fast and clearly. */
export async function openOutputs(options: OutputOptions): Promise<Outputs> {
  const files: OutputFile[] = [];
  const streams: Writable[] = [];
  const discard = () => {
    for (const s of streams) s.destroy();
    for (const f of files) f.discard();
  };
  const open = async (path: string): Promise<Writable> => {
    const { file, stream } = await openOutputStream(path);
    files.push(file);
    streams.push(stream);
    return stream;
  };
  try {
    let tasks: Writable = process.stdout;
    if (options.output?.endsWith('.parquet')) {
      const file = new OutputFile(options.output);
      files.push(file);
      tasks = parquetOutputStream(file.tempPath, options.format);
      streams.push(tasks);
    } else if (options.output !== undefined) {
      tasks = await open(options.output);
    }
    const rejects = options.rejects === undefined ? null : await open(options.rejects);
    let index = 0;
    return {
      task: (task) => writeJsonl(tasks, exportTask(task, options.format, index++)),
      reject: async (rej) => { if (rejects) await writeJsonl(rejects, rej); },
      async commit() {
        await Promise.all(streams.map(close));
        for (const file of files) await file.commit();
      },
      discard,
    };
  } catch (err) {
    discard();
    throw err;
  }
}

/** End a stream and wait until its data is written. */
export function close(stream: Writable | null): Promise<void> {
  if (!stream) return Promise.resolve();
  return new Promise((resolve, reject) => stream.end((err?: Error | null) => (err ? reject(err) : resolve())));
}
