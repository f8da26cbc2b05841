/**
 * build --shard i/n --part, then merge: the one-machine build, byte for
 * byte, on data with duplicates across shards (tests/merge/rollouts.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { spawn } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, cli, jsonLines } from '../build/helpers.js';
import { writeRollouts } from './rollouts.js';

const OPTIONS = ['--keep', 'all', '--tests-per-program', '2'];
const SHARDS = 3;

interface PartLine {
  position?: number;
  tests?: ({ task: { language: string; kind: string; ground_truth: { input: string; expected_output: string; code: string } } } | { reject: unknown })[];
  end?: { records: number };
}

describe('build --shard i/n --part, then merge', () => {
  let dir: string;
  let input: string;
  const part = (i: number) => join(dir, 'parts', `${i}.part.jsonl`);
  const bytes = (name: string) => readFileSync(join(dir, name));

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ct-merge-'));
    input = join(dir, 'rollouts.jsonl');
    writeRollouts(input);
    mkdirSync(join(dir, 'parts'));
    const whole = await cli(['build', input, ...OPTIONS, '-o', join(dir, 'one.jsonl'), '--rejects', join(dir, 'one.rejects.jsonl'), '--stats', join(dir, 'one.stats.json')]);
    expect(whole.code, whole.stderr).toBe(0);
    for (let i = 0; i < SHARDS; i++) {
      const r = await cli(['build', input, ...OPTIONS, '--shard', `${i}/${SHARDS}`, '-o', part(i)]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(new RegExp(`shard ${i}/${SHARDS}: \\d+ of \\d+ records written as a part`));
    }
  }, 600_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('gives the tasks, rejects and funnel of the one-machine build, byte for byte', async () => {
    const r = await cli(['merge', join(dir, 'parts'), '-o', join(dir, 'm.jsonl'), '--rejects', join(dir, 'm.rejects.jsonl'), '--stats', join(dir, 'm.stats.json')]);
    expect(r.code, r.stderr).toBe(0);
    expect(bytes('m.jsonl').toString()).toBe(bytes('one.jsonl').toString());
    expect(bytes('m.rejects.jsonl').toString()).toBe(bytes('one.rejects.jsonl').toString());
    expect(bytes('m.stats.json').toString()).toBe(bytes('one.stats.json').toString());
    const stats = JSON.parse(bytes('m.stats.json').toString());
    expect(stats.balanced).toBe(true);
    expect(stats.shard_skipped).toBe(0);
    expect(r.stderr).toContain(`coderl-trace merge: ${stats.records} records: ${stats.tasks} tasks`);
  });

  it('drops (input, output) duplicates across shards, as one build does', () => {
    // Recount from the parts, in input order, with build's key: the first
    // task of each (language, input, output, kind) stays.
    const units = Array.from({ length: SHARDS }, (_, i) => jsonLines<PartLine>(readFileSync(part(i), 'utf8'))
      .filter((l) => l.position !== undefined).map((l) => ({ ...l, shard: i }))).flat().sort((a, b) => a.position! - b.position!);
    const first = new Map<string, number>();
    let acrossShards = 0;
    let duplicates = 0;
    let candidates = 0;
    for (const unit of units) {
      for (const test of unit.tests!) {
        if (!('task' in test)) continue;
        candidates++;
        const { language, kind, ground_truth: gt } = test.task;
        const key = createHash('sha256').update([language, gt.input, gt.expected_output, kind].map((p) => `${p}\0`).join('')).digest('hex');
        if (first.has(key)) {
          duplicates++;
          if (first.get(key) !== unit.shard) acrossShards++;
        } else {
          first.set(key, unit.shard);
        }
      }
    }
    expect(acrossShards).toBeGreaterThan(5);
    const stats = JSON.parse(bytes('one.stats.json').toString());
    expect(stats.tasks).toBe(candidates - duplicates);
    expect(stats.test_rejects_by_reason['duplicate-input-output']).toBe(duplicates);
    const rejects = jsonLines<{ reason: string }>(bytes('one.rejects.jsonl').toString());
    expect(rejects.filter((r) => r.reason === 'duplicate-input-output').length).toBeGreaterThan(0);
    // Every copy of a program is in one shard, so (program, input) dedup needs no merging.
    const shardsOf = new Map<string, Set<number>>();
    for (const unit of units) for (const t of unit.tests!) if ('task' in t) shardsOf.set(t.task.ground_truth.code, (shardsOf.get(t.task.ground_truth.code) ?? new Set()).add(unit.shard));
    expect([...shardsOf.values()].every((s) => s.size === 1)).toBe(true);
    expect(new Set(units.map((u) => u.shard)).size).toBe(SHARDS);
  });

  it('writes the other formats, Parquet included, as build does', async () => {
    for (const [format, name] of [['verl', 'v.parquet'], ['traces', 't.jsonl']]) {
      const one = await cli(['build', input, ...OPTIONS, '--format', format, '-o', join(dir, `one.${name}`)]);
      expect(one.code, one.stderr).toBe(0);
      const merged = await cli(['merge', ...[0, 1, 2].map(part), '--format', format, '-o', join(dir, `m.${name}`)]);
      expect(merged.code, merged.stderr).toBe(0);
      expect(bytes(`m.${name}`).equals(bytes(`one.${name}`)), `${format} ${name}`).toBe(true);
    }
    expect(bytes('m.v.parquet').subarray(0, 4).toString()).toBe('PAR1');
  }, 600_000);

  it('skips a shard whose part is complete, unless --force', async () => {
    const before = statSync(part(0)).mtimeMs;
    const again = await cli(['build', input, ...OPTIONS, '--shard', `0/${SHARDS}`, '-o', part(0)]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/shard 0\/3 is complete in .* already; skipped/);
    expect(statSync(part(0)).mtimeMs).toBe(before);
    const copy = readFileSync(part(0));
    const forced = await cli(['build', input, ...OPTIONS, '--shard', `0/${SHARDS}`, '-o', part(0), '--force']);
    expect(forced.stderr).toMatch(/records written as a part/);
    expect(readFileSync(part(0)).equals(copy)).toBe(true);
    // Other options: the part is not that shard's part, so it is built again.
    const other = join(dir, 'other.part.jsonl');
    writeFileSync(other, copy);
    const reseeded = await cli(['build', input, ...OPTIONS, '--seed', '7', '--shard', `0/${SHARDS}`, '-o', other]);
    expect(reseeded.stderr).toMatch(/records written as a part/);
  }, 300_000);

  it('never leaves a half part under its name when the build is killed', async () => {
    const slow = join(dir, 'slow.jsonl');
    writeFileSync(slow, Array.from({ length: 6 }, (_, i) => JSON.stringify({ input: 'u', output: '```python\nimport time\ntime.sleep(2)\nprint(1)\n```', gts: JSON.stringify({ inputs: [`${i}\n`], outputs: ['1\n'] }), score: 0, uid: `s${i}` })).join('\n') + '\n');
    const target = join(dir, 'killed.part.jsonl');
    const child = spawn(process.execPath, [CLI, 'build', slow, '--keep', 'all', '-j', '1', '-o', target], { stdio: 'ignore' });
    await new Promise((resolve) => setTimeout(resolve, 4000));
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('close', resolve));
    expect(existsSync(target)).toBe(false);
  }, 60_000);

  it('refuses missing shards, incomplete parts and parts of other builds (exit 3)', async () => {
    const never = join(dir, 'never.jsonl');
    const missing = await cli(['merge', part(0), part(2), '-o', never]);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/missing shard 1\/3/);
    const lines = readFileSync(part(1), 'utf8').trimEnd().split('\n');
    const cut = join(dir, 'cut.part.jsonl');
    writeFileSync(cut, lines.slice(0, -1).join('\n') + '\n');
    const incomplete = await cli(['merge', part(0), cut, part(2)]);
    expect(incomplete.code).toBe(3);
    expect(incomplete.stderr).toMatch(/cut\.part\.jsonl is not a complete part/);
    const twice = await cli(['merge', part(0), part(0), part(2)]);
    expect(twice.stderr).toMatch(/both shard 0\/3/);
    const reseeded = join(dir, 'reseeded.part.jsonl');
    const r = await cli(['build', input, ...OPTIONS, '--seed', '7', '--shard', `1/${SHARDS}`, '-o', reseeded]);
    expect(r.code, r.stderr).toBe(0);
    const mixed = await cli(['merge', part(0), reseeded, part(2)]);
    expect(mixed.code).toBe(3);
    expect(mixed.stderr).toMatch(/other options .*seed "7" vs "0"/);
    const notPart = await cli(['merge', input]);
    expect(notPart.code).toBe(3);
    expect(notPart.stderr).toMatch(/is not a coderl-trace.part\/1 file/);
    expect(existsSync(never)).toBe(false);
  }, 300_000);

  it('rejects flags a part cannot honour, and documents itself', async () => {
    const bad = await cli(['build', input, '--shard', '0/3', '--part', '--stats', join(dir, 's.json')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/give --rejects, --stats .* to merge/);
    const help = await cli(['merge', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Examples:[\s\S]*--shard \$i\/3[\s\S]*coderl-trace merge parts\//);
  });
  it('writes a device in place, never renaming over it (-o, --rejects, --stats and --part on links to /dev/null)', async () => {
    // Links in a scratch folder: were a device renamed over, the link would be
    // replaced by a regular file, not /dev/null itself.
    const links = mkdtempSync(join(tmpdir(), 'ct-devnull-'));
    try {
      const names = ['m.jsonl', 'm.rejects.jsonl', 'm.stats.json', 'p.part.jsonl'];
      for (const name of names) symlinkSync('/dev/null', join(links, name));
      const [out, rejects, stats, partLink] = names.map((name) => join(links, name));
      const merged = await cli(['merge', join(dir, 'parts'), '-o', out, '--rejects', rejects, '--stats', stats]);
      expect(merged.code, merged.stderr).toBe(0);
      const built = await cli(['build', input, ...OPTIONS, '--shard', '0/3', '--part', '-o', partLink, '--force']);
      expect(built.code, built.stderr).toBe(0);
      for (const name of names) expect(lstatSync(join(links, name)).isSymbolicLink(), name).toBe(true);
      expect(readdirSync(links).sort()).toEqual([...names].sort()); // no temporary file left beside them
      expect(statSync('/dev/null').isCharacterDevice()).toBe(true);
    } finally {
      rmSync(links, { recursive: true, force: true });
    }
  }, 300_000);
});
