import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { approxTokens, loadTokenCounter } from '../../src/build/tokens.js';
import { cli, jsonLines, ROOT } from './helpers.js';

// fixtures/tokenizer/tokenizer.json: a byte-level BPE over {a, b, c, ab, abc, Ġ, Ġa}
// with merges (a b), (ab c), (Ġ a), in that rank order.
const TOKENIZER = join(ROOT, 'fixtures/tokenizer/tokenizer.json');

describe('prompt token counts', () => {
  it('counts exactly with a tokenizer.json (BPE merges applied by rank)', async () => {
    const count = await loadTokenCounter(TOKENIZER);
    // "abc" -> [abc]; " abc" -> Ġ,a,b,c -> (a b) first -> Ġ,ab,c -> (ab c) -> [Ġ, abc]
    expect(count('abc')).toBe(1);
    expect(count('abc abc')).toBe(3);
    // " ab" -> [Ġ, ab]; " c" -> [Ġ, c]
    expect(count('abc abc ab c')).toBe(7);
  });

  it('approximates without one, erring high', () => {
    expect(approxTokens('hello world')).toBe(4); // 5-letter words count 2 each
    expect(approxTokens('x = 1\ny = 2')).toBe(7); // x = 1 newline y = 2
  });

  it('drops tasks over --max-prompt-tokens, with the reason', async () => {
    const rollouts = join(ROOT, 'fixtures/rollouts/verl/10.jsonl');
    const dir = mkdtempSync(join(tmpdir(), 'ct-tok-'));
    const rejectsOf = (file: string) => jsonLines<{ reason: string }>(readFileSync(file, 'utf8')).map((r) => r.reason);
    const allRejects = join(dir, 'all.jsonl');
    const all = await cli(['build', rollouts, '--keep', 'all', '--max-prompt-tokens', '100000', '--tokenizer', TOKENIZER, '--rejects', allRejects]);
    expect(all.code, all.stderr).toBe(0);
    expect(rejectsOf(allRejects)).not.toContain('prompt-too-long');
    // The length check comes before the (input, output) dedup, so with a tiny
    // limit the duplicates of the first build are rejected for length too.
    const kept = jsonLines(all.stdout).length + rejectsOf(allRejects).filter((r) => r === 'duplicate-input-output').length;
    expect(kept).toBeGreaterThan(0);
    const rejects = join(dir, 'none.jsonl');
    const none = await cli(['build', rollouts, '--keep', 'all', '--max-prompt-tokens', '5', '--tokenizer', TOKENIZER, '--rejects', rejects]);
    expect(none.code, none.stderr).toBe(0);
    expect(none.stdout).toBe('');
    expect(rejectsOf(rejects).filter((r) => r === 'prompt-too-long')).toHaveLength(kept);
  });
});
