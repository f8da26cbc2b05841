/**
 * The sandbox's adversarial programs (fixtures/sandbox) as one `build`
 * input file: the build completes, every record is accounted for, and each
 * program that does not end `ok` is rejected with its run's status as the
 * reason. Programs that forge or tamper with the trace never become tasks.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadFixtures } from '../sandbox/helpers.js';
import { cli, jsonLines, ROOT } from './helpers.js';

const fixtures = loadFixtures();
const dir = mkdtempSync(join(tmpdir(), 'ct-adv-'));
let listener: Server;
let port = 0;

beforeAll(async () => {
  listener = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  port = (listener.address() as { port: number }).port;
});

afterAll(() => listener.close());

function stdinFor(name: string): string {
  if (name === 'tcp_connect.py') return `${port}\n`;
  if (name === 'write_files.py') return `${JSON.stringify({ home: homedir(), tool: ROOT, name: `coderl-sbx-build-${process.pid}` })}\n`;
  return '';
}

describe('adversarial programs as one build input', () => {
  it('completes and accounts for every record with the right reason', async () => {
    const file = join(dir, 'adversarial.jsonl');
    writeFileSync(file, fixtures.map((f) => JSON.stringify({
      input: `user\n${f.name}\nassistant\n`,
      output: `\`\`\`${f.language}\n${f.code}\n\`\`\``,
      gts: JSON.stringify({ inputs: [stdinFor(f.name)], outputs: ['?'] }),
      score: 0,
      uid: f.name,
    })).join('\n') + '\n');
    const rejects = join(dir, 'rejects.jsonl');
    const stats = join(dir, 'stats.json');
    const r = await cli(['build', file, '--keep', 'all', '--jobs', '2', '--timeout', '1500', '--memory-mb', '256', '--max-output', '65536',
      '--rejects', rejects, '--stats', stats]);
    expect(r.code, r.stderr).toBe(0);
    const funnel = JSON.parse(readFileSync(stats, 'utf8'));
    expect(funnel.records).toBe(fixtures.length);
    expect(funnel.balanced).toBe(true);
    const byLine = new Map(jsonLines<{ source: { line: number }; reason: string }>(readFileSync(rejects, 'utf8')).map((x) => [x.source.line, x.reason]));
    const taskLines = new Set(jsonLines<{ reward_model: { ground_truth: string } }>(r.stdout)
      .map((t) => (JSON.parse(t.reward_model.ground_truth).provenance.source as { line: number }).line));
    expect(byLine.size + taskLines.size).toBe(fixtures.length);
    fixtures.forEach((f, i) => {
      const line = i + 1;
      if (!f.rechecked.includes('ok')) {
        expect(f.rechecked.map((status) => `run-${status}`), f.name).toContain(byLine.get(line));
      } else if (['write_channel.py', 'close_channel.py', 'tamper_tracer.py', 'forge_probe.py', 'raise_rlimits.py'].includes(f.name)) {
        // Caught by the channel check or by the static scan for tracer access: never a task.
        expect(['tracer-access', 'channel-tampered'], f.name).toContain(byLine.get(line));
      } else {
        // Ran fine: a task, or a reject that says why it makes none.
        expect(taskLines.has(line) || ['no-output', 'no-targets', 'duplicate-input-output'].includes(byLine.get(line) ?? ''), f.name).toBe(true);
      }
    });
  }, 240_000);
});
