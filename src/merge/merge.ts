/**
 * `merge`: shard parts back into the one-machine build. The parts' units
 * are replayed in input order through the same settle step `build` uses,
 * so the (input, output) deduplication, the rejects and the funnel are
 * those of one build: a task is dropped when an earlier record, in any
 * shard, already gave its (input, output). Memory: one unit per part, plus
 * the (input, output) keys seen, 32 bytes each in a DigestSet.
 */
import { Funnel } from '../build/funnel.js';
import { settle, type BuildSink } from '../build/pipeline.js';
import { InputError } from '../errors.js';
import { DigestSet } from './digest-set.js';
import { byPosition } from './ordered.js';
import { openPart, partEnds, type PartReader } from './part.js';

export async function mergeParts(paths: string[], sink: Pick<BuildSink, 'task' | 'reject' | 'progress'>): Promise<Funnel> {
  for (const path of paths) {
    const found = path === '-' ? null : await partEnds(path);
    if (found?.header && !found.end) throw new InputError(`${path} is not a complete part (no end line): build its shard again`);
  }
  const parts = await Promise.all(paths.map(openPart));
  checkSet(parts);
  const funnel = new Funnel();
  const seen = { runs: new Set<string>(), io: new DigestSet() };
  try {
    for await (const unit of byPosition(parts.map((p) => p.units))) {
      if (unit.position !== funnel.records) throw new InputError(`record ${funnel.records} is in no part (position ${unit.position} came next): are the parts from one build?`);
      await settle(unit, seen, funnel, sink);
      sink.progress?.(funnel);
    }
  } finally {
    await Promise.all(parts.map((p) => p.units.return(undefined)));
  }
  for (const part of parts) {
    const end = part.end;
    if (!end) throw new InputError(`${part.path} ends without its end line: build its shard again`);
    if (end.records !== funnel.records) throw new InputError(`${part.path} was built over ${end.records} records, the parts together hold ${funnel.records}`);
    for (const [status, n] of Object.entries(end.runs_by_status)) funnel.runs[status as keyof Funnel['runs']] = (funnel.runs[status as keyof Funnel['runs']] ?? 0) + n;
  }
  return funnel;
}

/** The parts must be shards 0..n-1 of one n, each once, built with the same options. */
function checkSet(parts: PartReader[]): void {
  const count = parts[0].header.shard.count;
  const options = JSON.stringify(parts[0].header.options);
  const seen = new Map<number, string>();
  for (const { path, header } of parts) {
    const { index } = header.shard;
    if (header.shard.count !== count) throw new InputError(`${path} is shard ${index}/${header.shard.count}, ${parts[0].path} is one of ${count}`);
    if (seen.has(index)) throw new InputError(`${path} and ${seen.get(index)} are both shard ${index}/${count}`);
    seen.set(index, path);
    if (JSON.stringify(header.options) !== options) throw new InputError(`${path} was built with other options than ${parts[0].path}: ${difference(header.options, parts[0].header.options)}`);
  }
  const missing = Array.from({ length: count }, (_, i) => i).filter((i) => !seen.has(i));
  if (missing.length > 0) throw new InputError(`missing shard${missing.length > 1 ? 's' : ''} ${missing.map((i) => `${i}/${count}`).join(', ')}: build ${missing.length > 1 ? 'them' : 'it'} and merge again`);
}

function difference(a: Record<string, unknown>, b: Record<string, unknown>): string {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]));
  return keys.map((k) => `${k} ${JSON.stringify(a[k])} vs ${JSON.stringify(b[k])}`).join('; ');
}
