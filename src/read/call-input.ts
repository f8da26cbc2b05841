/**
 * Call inputs written in LeetCode notation, made runnable in Python.
 *
 * LeetCode statements (and LiveCodeBench's functional tests taken from them)
 * write calls like `Solution().f(nums = [1, 2], flag = true, root = null)`.
 * Keyword arguments are Python already; the literals true/false/null are
 * not. They are rewritten to True/False/None where they are bare names in
 * the call (not an attribute `x.true`, not a keyword's name `f(true=1)`,
 * not inside a string), and only when the program itself never uses that
 * name (a program that binds `true` keeps its meaning). JavaScript has
 * true/false/null already.
 */
import type { Node } from 'web-tree-sitter';
import { withTree } from '../instrument/parser.js';
import type { RunInput } from '../model/run.js';
import type { Rollout } from './types.js';

const PYTHON_NAME: Record<string, string> = { true: 'True', false: 'False', null: 'None' };
const LEETCODE_LITERAL = /\b(?:true|false|null)\b/;

/** The call with LeetCode literals as Python ones; unchanged when there is nothing to rewrite. */
export async function pythonCall(call: string, program: string): Promise<string> {
  if (!LEETCODE_LITERAL.test(call)) return call;
  const used = await namesIn(program);
  const edits: { start: number; end: number; text: string }[] = [];
  await withTree('python', call, (tree) => {
    visit(tree.rootNode, (node) => {
      const python = PYTHON_NAME[node.text];
      if (node.type !== 'identifier' || python === undefined || used.has(node.text)) return;
      const parent = node.parent;
      if (parent?.type === 'attribute' && parent.childForFieldName('attribute')?.id === node.id) return;
      if (parent?.type === 'keyword_argument' && parent.childForFieldName('name')?.id === node.id) return;
      edits.push({ start: node.startIndex, end: node.endIndex, text: python });
    });
  });
  // Offsets index the JS string (web-tree-sitter parses it as UTF-16); edit from the end so they stay valid.
  let out = call;
  for (const e of edits.sort((a, b) => b.start - a.start)) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}

/** A run input with its call (if any) made Python. */
export async function pythonInput(input: RunInput, program: string): Promise<RunInput> {
  return input.kind === 'call' ? { kind: 'call', call: await pythonCall(input.call, program) } : input;
}

/** A Python rollout's call tests with LeetCode literals rewritten, noted once. */
export async function withPythonCalls(rollout: Rollout): Promise<Rollout> {
  if (rollout.language !== 'python' || !rollout.tests.some((t) => t.input.kind === 'call' && LEETCODE_LITERAL.test(t.input.call))) return rollout;
  let changed = 0;
  const tests = await Promise.all(rollout.tests.map(async (t) => {
    const input = await pythonInput(t.input, rollout.code);
    if (input === t.input || (input.kind === 'call' && t.input.kind === 'call' && input.call === t.input.call)) return t;
    changed++;
    return { ...t, input };
  }));
  if (changed === 0) return rollout;
  return { ...rollout, tests, notes: [...rollout.notes, `tests: LeetCode true/false/null written as Python in ${changed} calls`] };
}

/** Every identifier the program uses (a superset of what it binds). */
async function namesIn(program: string): Promise<Set<string>> {
  if (!LEETCODE_LITERAL.test(program)) return new Set();
  const names = new Set<string>();
  await withTree('python', program, (tree) => visit(tree.rootNode, (n) => { if (n.type === 'identifier' && PYTHON_NAME[n.text]) names.add(n.text); }));
  return names;
}

function visit(node: Node, fn: (node: Node) => void): void {
  fn(node);
  for (const child of node.children) if (child) visit(child, fn);
}
