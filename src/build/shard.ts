/**
 * `--shard i/n`: which records a shard processes.
 *
 * A rollout goes to the shard its program hashes to, (language, code), so
 * every copy of one program lands in the same shard. The (program, input)
 * deduplication decides which tests of a program are traced, and it then
 * sees, in each shard, exactly what it would see in one build over
 * everything: the shards' traces are the one-machine build's traces, and
 * `merge` only has to redo the (input, output) deduplication across shards.
 * Records the reader rejected have no program; they go round-robin by
 * input position.
 */
import { createHash } from 'node:crypto';
import type { ReadResult } from '../read/index.js';
import { UsageError } from '../errors.js';

export interface Shard {
  index: number;
  count: number;
}

export function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text);
  if (!m || Number(m[2]) < 1 || Number(m[1]) >= Number(m[2])) throw new UsageError(`--shard must be i/n with 0 <= i < n, got "${text}"`);
  return { index: Number(m[1]), count: Number(m[2]) };
}

/** The shard (0-based) of the read result at input position `position`. */
export function shardOf(result: ReadResult, position: number, count: number): number {
  if (!result.ok) return position % count;
  const digest = createHash('sha256').update(result.rollout.language).update('\0').update(result.rollout.code).digest();
  return digest.readUInt32BE(0) % count;
}
