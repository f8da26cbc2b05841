/**
 * A small verl rollout dump with duplicates of both kinds for shard/merge
 * tests, deterministic:
 * - many different programs computing the same function on the same test
 *   inputs (a variable renamed, a comment added): different programs, so
 *   they hash to different shards, but the same (input, output), which only
 *   a global deduplication drops;
 * - exact copies of earlier rollouts, whose (program, input) was traced
 *   already: a copy traces its next test, or is rejected when none is left;
 * - programs that crash, print nothing, a JavaScript pair, and broken lines
 *   that the reader rejects.
 */
import { writeFileSync } from 'node:fs';

const fence = (lang: string, code: string) => `Here you go.\n\n\`\`\`${lang}\n${code}\n\`\`\`\n`;

export function writeRollouts(path: string, count = 48): number {
  const lines: string[] = [];
  const push = (code: string, lang: string, inputs: string[], outputs: string[], uid: string) =>
    lines.push(JSON.stringify({ input: `user\nproblem ${uid}\nassistant\n`, output: fence(lang, code), gts: JSON.stringify({ inputs, outputs }), score: 0.0, step: 1, uid }));
  for (let i = 0; i < count; i++) {
    const factor = (i % 3) + 2;
    const name = ['total', 'acc', 'result', 'value'][i % 4];
    const code = `n = int(input())\n${name} = 0\nfor k in range(n):\n    ${name} += k * ${factor}\nprint(${name})  # variant ${i}`;
    const inputs = [`${i % 4}\n`, `${(i % 4) + 1}\n`, '5\n'];
    push(code, 'python', inputs, inputs.map(() => '0\n'), `p${i}`);
    if (i % 6 === 5) lines.push(lines[lines.length - 4]); // an exact copy of an earlier rollout
    if (i % 11 === 3) push(`x = int(input())\nprint(10 // (x - x))`, 'python', ['1\n'], ['0\n'], `crash${i}`);
    if (i % 13 === 7) lines.push('{"input": "user\\nbroken', '[1, 2]');
  }
  for (const [i, op] of ['+', '*'].entries()) {
    push(`const lines = require('fs').readFileSync(0, 'utf8').trim().split(' ').map(Number);\nlet out = lines[0] ${op} lines[1];\nconsole.log(out);`, 'javascript', ['2 2\n', '3 4\n'], ['4\n', '0\n'], `js${i}`);
  }
  push('import sys\nsys.stdin.read()', 'python', ['1\n'], ['1\n'], 'silent');
  writeFileSync(path, lines.join('\n') + '\n');
  return lines.length;
}
