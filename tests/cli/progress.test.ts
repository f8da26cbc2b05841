/**
 * The build's progress line: its figures (with a fake clock, worked out by
 * hand) and when it shows: on a terminal by default, forced by
 * --progress, never with --no-progress or when stderr is a file.
 */
import { describe, expect, test } from 'vitest';
import { spawnSync } from 'node:child_process';
import { Funnel } from '../../src/build/funnel.js';
import { Progress, duration } from '../../src/build/progress.js';
import { CLI, ROOT, cli } from '../build/helpers.js';

describe('Progress line', () => {
  test('records done of the total estimated from bytes, rate, ETA, tasks and rejects', () => {
    let now = 1_000;
    const written: string[] = [];
    const p = new Progress(10_000, (t) => written.push(t), () => now);
    for (let i = 0; i < 10; i++) p.read(100); // 10 records in the first 1,000 of 10,000 bytes: ~100 in all
    const f = new Funnel();
    f.records = 10;
    f.tasks = 7;
    f.reject('run', 'run-timeout');
    now += 5_000; // 10 records in 5 s: 2/s, 90 to go: 45 s
    p.update(f);
    expect(written).toEqual(['\rbuild: 10 / ~100 records (10%), 2.0/s, ETA 45s; 7 tasks, 1 rejected\x1b[K']);
    p.update(f); // within 250 ms: not redrawn
    expect(written).toHaveLength(1);
    p.end(f);
    expect(written.slice(1)).toEqual([written[0], '\n']);
  });

  test('no total (stdin): records and rate only', () => {
    const p = new Progress(null, () => {}, () => 0);
    const f = new Funnel();
    expect(p.line(f, 2_000)).toBe('build: 0 records, 0.0/s; 0 tasks, 0 rejected');
  });

  test('durations', () => {
    expect([duration(45), duration(125), duration(7_260), duration(Infinity)]).toEqual(['45s', '2m05s', '2h01m', '?']);
  });
});

describe('when it shows', () => {
  const demo = `${ROOT}fixtures/demo/rollouts.jsonl`;

  test('stderr not a terminal: off by default, on with --progress, ending at the whole input', async () => {
    const quiet = await cli(['build', demo, '--keep', 'all', '-o', '/dev/null']);
    expect(quiet.code, quiet.stderr).toBe(0);
    expect(quiet.stderr).not.toContain('\rbuild:');
    const forced = await cli(['build', demo, '--keep', 'all', '-o', '/dev/null', '--progress']);
    expect(forced.code, forced.stderr).toBe(0);
    const lines = forced.stderr.split('\r').filter((l) => l.startsWith('build:'));
    expect(lines.length).toBeGreaterThan(0);
    // the fixture has 4 lines, each ending in a newline: the estimate is exact at the end
    expect(lines[lines.length - 1]).toMatch(/^build: 4 \/ ~4 records \(100%\), [\d.]+\/s, ETA 0s; \d+ tasks, \d+ rejected/);
  });

  const hasScript = spawnSync('which', ['script']).status === 0;
  test.skipIf(!hasScript)('on a terminal (a pty from script(1)): on by default, off with --no-progress', () => {
    const run = (extra: string) => spawnSync('script', ['-qec', `${process.execPath} ${CLI} build ${demo} --keep all -o /dev/null ${extra}`, '/dev/null'], { encoding: 'utf8', cwd: ROOT, timeout: 110_000 });
    const on = run('');
    expect(on.status, on.stdout).toBe(0);
    expect(on.stdout).toContain('\rbuild: 4 / ~4 records (100%)');
    const off = run('--no-progress');
    expect(off.status).toBe(0);
    expect(off.stdout).not.toContain('\rbuild:');
    expect(off.stdout).toContain('coderl-trace build: 4 records');
  });
});
