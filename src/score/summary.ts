/** Running totals for the stderr summary of `coderl-trace score`. */
import type { ScoreResult } from './score.js';

interface KindTotals { records: number; allRight: number; correct: number; total: number }

export class ScoreSummary {
  records = 0;
  scoreSum = 0;
  formatFailures = 0;
  unreadable = 0;
  readonly byTask = new Map<string, KindTotals>();

  add(r: ScoreResult): void {
    this.records++;
    this.scoreSum += r.score;
    if (!r.format_ok) this.formatFailures++;
    const kind = r.task ?? '(unknown task)';
    const k = this.byTask.get(kind) ?? { records: 0, allRight: 0, correct: 0, total: 0 };
    k.records++;
    if (r.format_ok && r.correct === r.total) k.allRight++;
    k.correct += r.correct;
    k.total += r.total;
    this.byTask.set(kind, k);
  }

  toJSON(): Record<string, unknown> {
    return {
      records: this.records,
      mean_score: this.records ? this.scoreSum / this.records : 0,
      format_failures: this.formatFailures,
      format_failure_rate: this.records ? this.formatFailures / this.records : 0,
      unreadable_lines: this.unreadable,
      by_task: Object.fromEntries([...this.byTask].map(([kind, k]) => [kind, {
        records: k.records,
        all_right: k.allRight,
        item_accuracy: k.total ? k.correct / k.total : 0,
      }])),
    };
  }

  render(): string {
    const pct = (n: number, d: number): string => (d ? `${((100 * n) / d).toFixed(1)}%` : 'n/a');
    const lines = [
      `scored ${this.records} records: mean score ${(this.records ? this.scoreSum / this.records : 0).toFixed(4)}, ` +
        `format failures ${this.formatFailures} (${pct(this.formatFailures, this.records)})` +
        (this.unreadable ? `, ${this.unreadable} unreadable lines (scored 0)` : ''),
    ];
    for (const [kind, k] of this.byTask) {
      lines.push(`  ${kind}: ${k.records} records, all items right ${k.allRight} (${pct(k.allRight, k.records)}), item accuracy ${k.correct}/${k.total} (${pct(k.correct, k.total)})`);
    }
    return lines.join('\n') + '\n';
  }
}
