/**
 * `stats` through the real CLI over what `build` and `trace` wrote: its
 * figures against counts made here from the files themselves, and its
 * HTML report rendered by a real headless Chromium (Debian's `chromium`,
 * installed by .ci/run): it renders, its charts are there, and it shows
 * the numbers the terminal summary shows.
 */
import { describe, expect, test, beforeAll } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, cli, jsonLines } from '../build/helpers.js';
import { approxTokens } from '../../src/build/tokens.js';

const chromium = ['chromium', 'chromium-browser', 'google-chrome'].find((c) => spawnSync('which', [c]).status === 0) ?? null;
const inCI = process.env.CI === 'true';
if (!chromium && !inCI) console.warn('\n*** stats HTML report tests SKIPPED: no chromium on this machine (apt-get install chromium; in CI they run) ***\n');

let dir: string;
const files = { tasks: '', rejects: '', stats: '', traces: '' };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ct-stats-'));
  Object.assign(files, { tasks: join(dir, 'tasks.jsonl'), rejects: join(dir, 'rejects.jsonl'), stats: join(dir, 'stats.json'), traces: join(dir, 'traces.jsonl') });
  const b = await cli(['build', `${ROOT}fixtures/demo/rollouts.jsonl`, '--keep', 'all', '--tests-per-program', '2', '-o', files.tasks, '--rejects', files.rejects, '--stats', files.stats]);
  expect(b.code, b.stderr).toBe(0);
  const runs = [
    { id: 'a', language: 'python', code: 'for i in range(3):\n    print(i)\n' },
    { id: 'b', language: 'javascript', code: 'let s = 0;\nfor (let i = 0; i < 4; i++) {\n  s += i;\n}\nconsole.log(s);\n' },
    { id: 'c', language: 'python', code: 'x = 1 / 0\n' },
  ];
  const t = await cli(['trace', '-'], runs.map((r) => JSON.stringify(r)).join('\n') + '\n');
  expect(t.code, t.stderr).toBe(0);
  writeFileSync(files.traces, t.stdout);
});

const read = (f: string) => jsonLines(readFileSync(f, 'utf8'));
const gtOf = (rec: Record<string, unknown>) => JSON.parse((rec.reward_model as { ground_truth: string }).ground_truth);
const tally = (keys: string[]) => keys.reduce<Record<string, number>>((o, k) => ({ ...o, [k]: (o[k] ?? 0) + 1 }), {});

describe('stats --json', () => {
  test('figures match counts made from the files', async () => {
    const r = await cli(['stats', files.tasks, files.rejects, files.stats, files.traces, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    const tasks = read(files.tasks);
    const gts = tasks.map(gtOf);
    expect(report.tasks.total).toBe(tasks.length);
    expect(report.tasks.by_kind).toEqual(tally(gts.map((g) => g.task)));
    expect(report.tasks.by_language).toEqual(tally(gts.map((g) => g.language)));
    expect(report.tasks.targets_per_task).toEqual(tally(gts.map((g) => String(Object.keys(g.variables).length))));
    const prompts = tasks.map((t) => approxTokens((t.prompt as { content: string }[])[0].content)).sort((a, b) => a - b);
    expect(report.tasks.prompt_tokens.min).toBe(prompts[0]);
    expect(report.tasks.prompt_tokens.max).toBe(prompts[prompts.length - 1]);
    expect(report.tasks.prompt_tokens.count).toBe(tasks.length);
    const rejects = read(files.rejects);
    expect(report.rejects.by_reason).toEqual(tally(rejects.map((x) => `${x.stage}/${x.reason}`)));
    const funnel = JSON.parse(readFileSync(files.stats, 'utf8'));
    expect(report.funnel).toMatchObject({ records: funnel.records, tasks: funnel.tasks, rejected: funnel.rejected, rejected_by_reason: funnel.rejected_by_reason });
    const traces = read(files.traces);
    expect(report.traces.by_status).toEqual({ ok: 2, runtime_error: 1 });
    expect(report.traces.events_per_trace.max).toBe(Math.max(...traces.map((t) => (t.events as unknown[]).length)));
    expect(report.traces.by_language).toEqual({ python: 2, javascript: 1 });
  });

  test('two --stats files of shards add up', async () => {
    const r = await cli(['stats', files.stats, files.stats, '--json']);
    const report = JSON.parse(r.stdout);
    const funnel = JSON.parse(readFileSync(files.stats, 'utf8'));
    expect(report.funnel.records).toBe(2 * funnel.records);
    expect(report.funnel.files).toBe(2);
  });
});

/** The facts (two-space indent) and chart rows (four) of the terminal summary. */
function summaryNumbers(text: string): { facts: [string, string][]; rows: [string, string][] } {
  const facts: [string, string][] = [];
  const rows: [string, string][] = [];
  for (const line of text.split('\n')) {
    const row = /^ {4}(\S.*?)\s{2,}([\d,]+)\s/.exec(line + ' ');
    if (row) rows.push([row[1], row[2]]);
    else {
      const fact = /^ {2}(\S.*?)\s{2,}(\S.*)$/.exec(line);
      if (fact) facts.push([fact[1], fact[2]]);
    }
  }
  return { facts, rows };
}

const html = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

describe.skipIf(!chromium && !inCI)('stats --html in a real headless Chromium', () => {
  test('renders, has its charts, shows the numbers of the terminal summary, fetches nothing', async () => {
    expect(chromium, 'CI=true: chromium must be installed (see .ci/run)').not.toBeNull();
    const report = join(dir, 'report.html');
    const r = await cli(['stats', files.tasks, files.rejects, files.stats, files.traces, '--html', report]);
    expect(r.code, r.stderr).toBe(0);
    const source = readFileSync(report, 'utf8');
    expect(source).not.toMatch(/<script|<link|<img|(src|href)\s*=|url\(|@import/i);

    const flags = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', `--user-data-dir=${join(dir, 'profile')}`];
    const dom = execFileSync(chromium!, [...flags, '--dump-dom', `file://${report}`], { encoding: 'utf8', timeout: 90_000, stdio: ['ignore', 'pipe', 'ignore'] });
    const figures = [...dom.matchAll(/<figure data-chart="([^"]+)"/g)].map((m) => m[1]);
    for (const title of ['Rejected records by stage/reason', 'Task kinds', 'Targets per task', 'Target value types', 'Prompt length (tokens)', 'Answer length (tokens)', 'Status', 'Line events per trace']) {
      expect(figures).toContain(title);
    }
    expect((dom.match(/<svg/g) ?? []).length).toBe(figures.length);
    expect((dom.match(/<rect /g) ?? []).length).toBeGreaterThan(figures.length);

    const { facts, rows } = summaryNumbers(r.stdout);
    expect(facts.length).toBeGreaterThan(8);
    expect(rows.length).toBeGreaterThan(15);
    for (const [label, value] of facts) expect(dom, label).toContain(`<th>${html(label)}</th><td>${html(value)}</td>`);
    for (const [label, count] of rows) expect(dom, label).toContain(`<title>${html(label)}: ${count}</title>`);

    const png = join(dir, 'report.png');
    execFileSync(chromium!, [...flags, '--hide-scrollbars', `--screenshot=${png}`, '--window-size=1200,2600', `file://${report}`], { timeout: 90_000, stdio: 'ignore' });
    expect(existsSync(png)).toBe(true);
    expect(readFileSync(png).subarray(1, 4).toString()).toBe('PNG');
    // A blank page of this size compresses to a few KB; text and charts make it far larger.
    expect(statSync(png).size).toBeGreaterThan(40_000);
  });
});
