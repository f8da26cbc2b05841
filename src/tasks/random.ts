import { createHash } from 'node:crypto';

/**
 * A small seeded generator (mulberry32). Each item gets its own stream,
 * derived from the build seed and the item's key, so choices do not depend
 * on processing order or --jobs.
 */
export class Random {
  private state: number;

  constructor(seed: string) {
    this.state = createHash('sha256').update(seed).digest().readUInt32LE(0);
  }

  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** k items without replacement, in their original order. */
  sample<T>(items: readonly T[], k: number): T[] {
    if (k >= items.length) return [...items];
    const picked = new Set<number>();
    while (picked.size < k) picked.add(this.int(items.length));
    return [...picked].sort((a, b) => a - b).map((i) => items[i]);
  }
}
