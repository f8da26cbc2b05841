/**
 * Summaries of a list of numbers for the report: count, mean, quantiles
 * and a histogram with round bucket edges.
 */
export interface Distribution {
  count: number;
  min: number;
  p50: number;
  p90: number;
  max: number;
  mean: number;
  /** Buckets [from, to), the last one closed. */
  histogram: { from: number; to: number; count: number }[];
}

const BUCKETS = 12;

export function distribution(values: number[]): Distribution | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
  const min = sorted[0];
  const max = sorted[sorted.length - 1];
  const width = niceStep((max - min) / BUCKETS) || 1;
  const start = Math.floor(min / width) * width;
  const n = Math.max(1, Math.floor((max - start) / width) + 1);
  const histogram = Array.from({ length: n }, (_, i) => ({ from: start + i * width, to: start + (i + 1) * width, count: 0 }));
  for (const v of sorted) histogram[Math.min(n - 1, Math.floor((v - start) / width))].count++;
  const mean = sorted.reduce((a, b) => a + b, 0) / sorted.length;
  return { count: sorted.length, min, p50: q(0.5), p90: q(0.9), max, mean: Math.round(mean * 10) / 10, histogram };
}

/** 1, 2 or 5 times a power of ten, at least `raw` (whole numbers: at least 1). */
function niceStep(raw: number): number {
  if (raw <= 1) return 1;
  const power = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * power >= raw) return m * power;
  return 10 * power;
}

/** Count occurrences: key -> n, most frequent first (ties by key). */
export class Counter {
  private readonly counts = new Map<string, number>();

  add(key: string, n = 1): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + n);
  }

  get size(): number {
    return this.counts.size;
  }

  toJSON(): Record<string, number> {
    return Object.fromEntries([...this.counts].sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1)));
  }
}
