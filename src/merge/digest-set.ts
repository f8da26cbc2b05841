/**
 * A set of sha256 digests, given as hex, kept as 32-byte slots of one flat
 * table (open addressing, linear probing, at most 70% full): at most ~90
 * bytes a key outside the JavaScript heap, where a Set of hex strings costs
 * ~170 in it. Holds merge's (input, output) keys, the one thing merge keeps
 * for every task. An all-zero slot is empty (no sha256 digest is all zeros).
 */
const SLOT = 32;

export class DigestSet {
  private table: Buffer;
  private slots: number;
  private count = 0;

  constructor(slots = 1 << 16) {
    this.slots = slots;
    this.table = Buffer.alloc(slots * SLOT);
  }

  get size(): number {
    return this.count;
  }

  has(hex: string): boolean {
    return !this.isEmpty(this.slotOf(toDigest(hex)));
  }

  add(hex: string): this {
    const digest = toDigest(hex);
    const slot = this.slotOf(digest);
    if (!this.isEmpty(slot)) return this;
    digest.copy(this.table, slot * SLOT);
    if (++this.count > this.slots * 0.7) this.grow();
    return this;
  }

  /** The slot holding `digest`, or the empty slot where it would go. */
  private slotOf(digest: Buffer): number {
    const mask = this.slots - 1;
    for (let slot = digest.readUInt32LE(0) & mask; ; slot = (slot + 1) & mask) {
      if (this.isEmpty(slot) || digest.compare(this.table, slot * SLOT, slot * SLOT + SLOT) === 0) return slot;
    }
  }

  private isEmpty(slot: number): boolean {
    for (let i = slot * SLOT, end = i + SLOT; i < end; i++) if (this.table[i] !== 0) return false;
    return true;
  }

  private grow(): void {
    const old = this.table;
    this.slots *= 2;
    this.table = Buffer.alloc(this.slots * SLOT);
    for (let at = 0; at < old.length; at += SLOT) {
      const digest = old.subarray(at, at + SLOT);
      if (digest.some((b) => b !== 0)) digest.copy(this.table, this.slotOf(digest) * SLOT);
    }
  }
}

function toDigest(hex: string): Buffer {
  const digest = Buffer.from(hex, 'hex');
  if (digest.length !== SLOT) throw new Error(`not a sha256 hex digest: ${hex.slice(0, 80)}`);
  return digest;
}
