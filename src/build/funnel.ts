import type { Status } from '../model/trace.js';

/**
 * Counts of the build funnel. The invariant, checked by the tests:
 *   records = shard_skipped + with_tasks + sum(rejected)
 */
export class Funnel {
  records = 0;
  shardSkipped = 0;
  withTasks = 0;
  tasks = 0;
  /** `stage/reason` -> units that ended there. */
  readonly rejected: Record<string, number> = {};
  /** reason -> tests that gave no task (a unit can still have tasks from its other tests). */
  readonly testRejects: Record<string, number> = {};
  readonly runs: Partial<Record<Status, number>> = {};

  reject(stage: string, reason: string): void {
    const key = `${stage}/${reason}`;
    this.rejected[key] = (this.rejected[key] ?? 0) + 1;
  }

  countRuns(statuses: Status[]): void {
    for (const s of statuses) this.runs[s] = (this.runs[s] ?? 0) + 1;
  }

  get rejectedTotal(): number {
    return Object.values(this.rejected).reduce((a, b) => a + b, 0);
  }

  get balanced(): boolean {
    return this.records === this.shardSkipped + this.withTasks + this.rejectedTotal;
  }

  toJSON(): Record<string, unknown> {
    return {
      records: this.records,
      shard_skipped: this.shardSkipped,
      with_tasks: this.withTasks,
      rejected: this.rejectedTotal,
      rejected_by_reason: sorted(this.rejected),
      tasks: this.tasks,
      test_rejects_by_reason: sorted(this.testRejects),
      runs_by_status: sorted(this.runs as Record<string, number>),
      balanced: this.balanced,
    };
  }

  summary(): string {
    const reasons = Object.entries(sorted(this.rejected)).map(([k, v]) => `${k}=${v}`).join(', ');
    return `${this.records} records: ${this.tasks} tasks from ${this.withTasks}, ${this.rejectedTotal} rejected` +
      (this.shardSkipped ? `, ${this.shardSkipped} in other shards` : '') + (reasons ? ` (${reasons})` : '');
  }
}

function sorted(obj: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(obj).sort(([a], [b]) => (a < b ? -1 : 1)));
}
