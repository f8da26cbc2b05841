/**
 * A JavaScript program that floods stdout (issue 14.5) ends as `output_limit`
 * (at the file-size limit, long before its 10 s timeout: before, `timeout`
 * with no output), with the first max_output_bytes of its output kept, on
 * both paths (the warm worker and a fresh node).
 */
import { describe, expect, it } from 'vitest';
import { TestExecutor, startWarmAndFresh, runThrough } from './warm.js';

// 200 MB through console.log, then through process.stdout.write.
const FLOODS = {
  'console.log': "const line = 'x'.repeat(999);\nfor (let i = 0; i < 200000; i++) console.log(line);\n",
  'stdout.write': "const chunk = 'y'.repeat(1 << 20);\nfor (let i = 0; i < 200; i++) process.stdout.write(chunk);\n",
};

let warm: TestExecutor;
let fresh: TestExecutor;
startWarmAndFresh((w, f) => { warm = w; fresh = f; });

describe('JavaScript output floods (issue 14.5)', () => {
  for (const path of ['warm', 'fresh'] as const) {
    for (const [name, source] of Object.entries(FLOODS)) {
      it(`${name}: output_limit with the first bytes kept (${path})`, async () => {
        const cap = 65536;
        const { result } = await runThrough(path === 'warm' ? warm : fresh, source, {
          mode: 'plain', limits: { max_output_bytes: cap, timeout_ms: 10000, cpu_ms: 10000 },
        });
        expect(result.status).toBe('output_limit');
        expect(result.stdout_truncated).toBe(true);
        const unit = name === 'console.log' ? 'x'.repeat(999) + '\n' : 'y';
        expect(result.stdout).toBe(unit.repeat(Math.ceil(cap / unit.length)).slice(0, cap));
      });
    }
  }
});
