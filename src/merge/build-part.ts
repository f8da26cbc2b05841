/**
 * `build --part`: one shard's build written as a part (src/merge/part.ts)
 * for `merge`. The file appears under its name only once complete, and a
 * shard whose part is already complete, with the same options, is not
 * built again unless forced: re-running a failed job array redoes only the
 * missing shards.
 */
import type { Writable } from 'node:stream';
import { build, type BuildOptions } from '../build/pipeline.js';
import type { Funnel } from '../build/funnel.js';
import { close } from '../export/outputs.js';
import { openOutputStream, type OutputFile } from '../output-file.js';
import { writeJsonl } from '../jsonl.js';
import { partEnds, partOptions, unitLine, PART_FORMAT, type PartEnd, type PartHeader } from './part.js';

export interface PartTarget {
  /** The part file; stdout when absent (then nothing is atomic or skipped). */
  path?: string;
  force: boolean;
  /** --tokenizer, part of the options a part records. */
  tokenizer?: string;
  progress?: (funnel: Funnel) => void;
}

/** Builds this shard's part; null when a complete part was there already. */
export async function buildPart(options: BuildOptions, target: PartTarget): Promise<Funnel | null> {
  const shard = options.shard ?? { index: 0, count: 1 };
  const header: PartHeader = { format: PART_FORMAT, shard, options: partOptions(options, target.tokenizer) };
  if (target.path !== undefined && !target.force && (await isDone(target.path, header))) return null;
  let file: OutputFile | null = null;
  try {
    let out: Writable = process.stdout;
    if (target.path !== undefined) ({ file, stream: out } = await openOutputStream(target.path));
    await writeJsonl(out, header);
    const funnel = await build({ ...options, shard }, {
      task: () => Promise.reject(new Error('a part build writes units, not tasks')),
      reject: () => Promise.reject(new Error('a part build writes units, not rejects')),
      unit: (unit, position) => writeJsonl(out, unitLine(unit, position)),
      progress: target.progress,
    });
    const end: PartEnd = { records: funnel.records, units: funnel.records - funnel.shardSkipped, runs_by_status: funnel.toJSON().runs_by_status as Record<string, number> };
    await writeJsonl(out, { end });
    if (file) {
      await close(out);
      await file.commit();
    }
    return funnel;
  } catch (err) {
    file?.discard();
    throw err;
  }
}

async function isDone(path: string, header: PartHeader): Promise<boolean> {
  const found = await partEnds(path);
  return found?.end != null && JSON.stringify(found.header) === JSON.stringify(header);
}
