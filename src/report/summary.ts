/**
 * The terminal summary of `stats`: each section's facts, then its charts
 * as bars of block characters.
 */
import { bucketLabel, fmt, type Chart, type Section } from './sections.js';

const BAR = 30;

export function renderSummary(all: Section[]): string {
  const out: string[] = [];
  for (const section of all) {
    out.push(`== ${section.title} ==`);
    const labelWidth = Math.max(0, ...section.facts.map(([k]) => k.length));
    for (const [k, v] of section.facts) out.push(`  ${k.padEnd(labelWidth)}  ${v}`);
    for (const chart of section.charts) out.push(...renderChart(chart));
    out.push('');
  }
  return out.join('\n');
}

function renderChart(chart: Chart): string[] {
  const rows: [string, number][] = chart.kind === 'bars' ? chart.data : chart.dist.histogram.map((b) => [bucketLabel(b), b.count]);
  if (rows.length === 0) return [];
  const max = Math.max(...rows.map(([, n]) => n), 1);
  const labelWidth = Math.max(...rows.map(([k]) => k.length));
  const countWidth = Math.max(...rows.map(([, n]) => fmt(n).length));
  return [
    `  ${chart.title}:`,
    ...rows.map(([k, n]) => `    ${k.padEnd(labelWidth)}  ${fmt(n).padStart(countWidth)}  ${'█'.repeat(Math.round((BAR * n) / max)) || (n > 0 ? '▏' : '')}`),
  ];
}
