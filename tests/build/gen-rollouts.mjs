#!/usr/bin/env node
/**
 * Generate a verl-dump-shaped rollout file (one JSON object per line:
 * input, output, gts, score, step, uid) of 1,000+ rollouts from the public
 * corpora in ../shared/corpora (else the slices in fixtures/corpora), deterministically:
 *   - MBPP solutions with their assert tests (call style), as passing
 *     rollouts, plus a mutated copy of each as a failing one;
 *   - CRUXEval functions, their call turned into an assert (call style);
 *   - stdin programs (module level, `def main()`, `class Solution`) over
 *     generated inputs, with expected stdout;
 *   - a handful of broken records (bad JSON, missing fields, wrong types,
 *     unknown language, no code) that must end as rejects.
 * Usage: node tests/build/gen-rollouts.mjs OUT.jsonl [COUNT_SCALE]
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const shared = process.env.CODERL_CORPORA ?? fileURLToPath(new URL('../../../shared/corpora', import.meta.url));
const corpora = `${existsSync(shared) ? shared : fileURLToPath(new URL('../../fixtures/corpora', import.meta.url))}/`;
const load = (name) => readFileSync(corpora + name, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
const out = process.argv[2];
const scale = Number(process.argv[3] ?? 1);

let seed = 12345;
const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
const fence = (code) => `Here is my solution.\n\n\`\`\`python\n${code}\n\`\`\`\n`;
const lines = [];
const push = (rec) => lines.push(JSON.stringify(rec));

// MBPP: correct and mutated.
for (const p of load('mbpp.jsonl').slice(0, Math.round(350 * scale))) {
  const gts = JSON.stringify(p.tests);
  push({ input: `user\n${p.prompt}\nassistant\n`, output: fence(p.solution), gts, score: 1.0, step: 1, uid: p.id });
  const mutated = p.solution.replace(/ \+ 1\b/, ' + 2').replace(/ < /, ' <= ');
  if (mutated !== p.solution) {
    push({ input: `user\n${p.prompt}\nassistant\n`, output: `<think>\nmaybe off by one\n</think>\n${fence(mutated)}`, gts, score: 0.0, step: 1, uid: p.id });
  }
}

// CRUXEval: call style through an assert.
for (const p of load('cruxeval.jsonl').slice(0, Math.round(400 * scale))) {
  const gts = JSON.stringify([`assert ${p.input_call} == ${p.expected_output}`]);
  push({ input: 'user\nWrite f.\nassistant\n', output: fence(p.code), gts, score: rand() < 0.5 ? 1.0 : 0.0, step: 2, uid: p.id });
}

// stdin programs in three styles.
const styles = [
  (op) => `n = int(input())\nnums = list(map(int, input().split()))\nacc = 0\nfor x in nums[:n]:\n    acc = ${op}\nprint(acc)`,
  (op) => `def main():\n    n = int(input())\n    nums = list(map(int, input().split()))\n    acc = 0\n    for x in nums[:n]:\n        acc = ${op}\n    print(acc)\n\nif __name__ == "__main__":\n    main()`,
  (op) => `import sys\n\nclass Solution:\n    def solve(self, nums):\n        acc = 0\n        for x in nums:\n            acc = ${op}\n        return acc\n\ndata = sys.stdin.read().split()\nn = int(data[0])\nprint(Solution().solve([int(v) for v in data[1:n + 1]]))`,
];
const ops = [['acc + x', (a, x) => a + x], ['acc + x * x', (a, x) => a + x * x], ['max(acc, x)', (a, x) => Math.max(a, x)], ['acc * 2 + x', (a, x) => a * 2 + x]];
for (let i = 0; i < Math.round(330 * scale); i++) {
  const [opText, opFn] = ops[i % ops.length];
  const code = styles[i % styles.length](opText);
  const tests = [0, 1].map(() => {
    const nums = Array.from({ length: 2 + Math.floor(rand() * 5) }, () => Math.floor(rand() * 20) - 5);
    return { stdin: `${nums.length}\n${nums.join(' ')}\n`, stdout: `${nums.reduce(opFn, 0)}\n` };
  });
  const wrong = i % 5 === 0;
  push({
    input: 'user\nRead n numbers and fold them.\nassistant\n', output: fence(code),
    gts: JSON.stringify({ inputs: tests.map((t) => t.stdin), outputs: tests.map((t) => (wrong ? 'wrong\n' : t.stdout)) }),
    score: wrong ? 0.0 : 1.0, step: 3, uid: `stdin-${i}`,
  });
}

// Broken records: each must become a reject with a reason.
lines.push('{"input": "user\\nbroken', '[1, 2, 3]', '{"input": "x", "gts": "{}", "score": 1}');
push({ input: 'u', output: 42, gts: '{"inputs": [], "outputs": []}', score: 0 });
push({ input: 'u', output: 'I cannot solve this.', gts: '{"inputs": ["1\\n"], "outputs": ["1\\n"]}', score: 0 });
push({ input: 'u', output: '```rust\nfn main() {}\n```', gts: '{"inputs": ["1\\n"], "outputs": ["1\\n"]}', score: 0 });
push({ input: 'u', output: fence('print(1)'), score: 0 });

writeFileSync(out, lines.join('\n') + '\n');
process.stderr.write(`${lines.length} records -> ${out}\n`);
