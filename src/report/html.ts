/**
 * `stats --html`: one self-contained page (inline CSS and SVG charts, no
 * script, nothing fetched) with the same sections as the terminal summary.
 */
import { bucketLabel, fmt, type Chart, type Section } from './sections.js';
import { VERSION } from '../version.js';

export function renderHtml(all: Section[], title: string): string {
  const body = all.map((s, i) => `<section id="s${i}">
<h2>${esc(s.title)}</h2>
${s.facts.length ? `<table class="facts">${s.facts.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join('')}</table>` : ''}
<div class="charts">${s.charts.map(chartHtml).join('\n')}</div>
</section>`).join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2em auto; max-width: 1100px; padding: 0 1em; color: #1d2430; background: #fff; }
h1 { font-size: 1.5em; margin-bottom: .2em; }
h2 { font-size: 1.2em; border-bottom: 1px solid #dde3ea; padding-bottom: .2em; margin-top: 1.6em; }
.sub { color: #5b6675; margin-top: 0; }
table.facts { border-collapse: collapse; margin: .5em 0 1em; }
table.facts th { text-align: left; font-weight: 600; padding: 2px 1.5em 2px 0; color: #3b4656; vertical-align: top; }
table.facts td { font-variant-numeric: tabular-nums; padding: 2px 0; }
.charts { display: flex; flex-wrap: wrap; gap: 1.2em 2em; }
figure { margin: 0; }
figcaption { font-weight: 600; margin-bottom: .3em; color: #3b4656; }
svg text { font: 12px system-ui, sans-serif; fill: #1d2430; }
svg .n { fill: #3b4656; font-variant-numeric: tabular-nums; }
svg rect.bar { fill: #3d7ac7; }
svg rect.hist { fill: #5aa469; }
</style>
</head>
<body>
<h1>${esc(title)}</h1>
<p class="sub">coderl-trace ${esc(VERSION)} · stats report</p>
${body}
</body>
</html>
`;
}

function chartHtml(chart: Chart): string {
  const rows: [string, number][] = chart.kind === 'bars' ? chart.data : chart.dist.histogram.map((b) => [bucketLabel(b), b.count]);
  if (rows.length === 0) return '';
  const svg = chart.kind === 'bars' ? barsSvg(rows, chart.title) : histogramSvg(rows, chart.title);
  return `<figure data-chart="${esc(chart.title)}"><figcaption>${esc(chart.title)}</figcaption>${svg}</figure>`;
}

/** Horizontal bars: label, bar, count. */
function barsSvg(rows: [string, number][], title: string): string {
  const rowH = 20;
  const labelW = Math.min(280, 16 + 7.5 * Math.max(...rows.map(([k]) => Math.min(k.length, 36))));
  const barW = 240;
  const width = labelW + barW + 70;
  const max = Math.max(...rows.map(([, n]) => n), 1);
  const body = rows.map(([k, n], i) => {
    const y = i * rowH;
    const w = Math.max(n > 0 ? 1 : 0, Math.round((barW * n) / max));
    return `<text x="${labelW - 6}" y="${y + 14}" text-anchor="end">${esc(clip(k, 36))}</text>` +
      `<rect class="bar" x="${labelW}" y="${y + 3}" width="${w}" height="${rowH - 6}"><title>${esc(k)}: ${fmt(n)}</title></rect>` +
      `<text class="n" x="${labelW + w + 5}" y="${y + 14}">${fmt(n)}</text>`;
  }).join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="${esc(title)}" width="${width}" height="${rows.length * rowH}" viewBox="0 0 ${width} ${rows.length * rowH}">${body}</svg>`;
}

/** Vertical columns, one per bucket, counts above, bucket labels below. */
function histogramSvg(rows: [string, number][], title: string): string {
  const colW = Math.max(28, Math.min(96, 7 * Math.max(...rows.map(([k]) => k.length)) + 10));
  const plotH = 140;
  const width = rows.length * colW + 10;
  const height = plotH + 22;
  const max = Math.max(...rows.map(([, n]) => n), 1);
  const body = rows.map(([k, n], i) => {
    const x = 5 + i * colW;
    const h = Math.max(n > 0 ? 1 : 0, Math.round(((plotH - 16) * n) / max));
    return `<rect class="hist" x="${x + 2}" y="${plotH - h}" width="${colW - 4}" height="${h}"><title>${esc(k)}: ${fmt(n)}</title></rect>` +
      `<text class="n" x="${x + colW / 2}" y="${plotH - h - 3}" text-anchor="middle">${fmt(n)}</text>` +
      `<text x="${x + colW / 2}" y="${plotH + 15}" text-anchor="middle">${esc(k)}</text>`;
  }).join('') + `<line x1="5" y1="${plotH + 0.5}" x2="${width - 5}" y2="${plotH + 0.5}" stroke="#8a94a3"/>`;
  return `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="${esc(title)}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">${body}</svg>`;
}

const clip = (s: string, n: number) => (s.length > n ? s.slice(0, n - 1) + '…' : s);

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
