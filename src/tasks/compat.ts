/**
 * `build --compat coderl`: the task as the CodeRL+ reference recipe renders
 * it (jiangxxxue/CODERLPLUS, recipe/code_extractor.py,
 * create_exec_semantics_align_prompt and _task_record), for users who want
 * its exact numbers:
 *
 * - targets: the variables of module scope when the program exits, of the
 *   plain types it keeps (no names starting with `_`, no functions, modules
 *   or instances), the last three in binding order; possibly none;
 * - its prompt template, word for word, with its two slips fixed: the code
 *   starts on its own line after the opening fence (the recipe glues it to
 *   "```python"), and the sample answer is one line of valid JSON (the
 *   recipe's "3\n6" is a real line break inside an unquoted value);
 * - its ground truth keys (input, expected_output, expected_local_variable,
 *   code, problem_id) plus coderl-trace's typed ones, so both `score` and
 *   `score --compat coderl` read it.
 * Kept apart from the recipe on purpose: values the answer cannot write
 * exactly (see src/values/json-form.ts) or that change under another hash
 * seed are not targets, and sets are sorted instead of in hash order.
 */
import type { Trace } from '../model/trace.js';
import type { RunInput } from '../model/run.js';
import { isTargetable, type Target } from './targets.js';
import { inputText } from './render.js';

export const REFERENCE_TARGETS = 3;

export function referenceTargets(trace: Trace, unstable: ReadonlySet<string> = new Set()): Target[] {
  const module = trace.finals['<module>'] ?? {};
  const kept = Object.entries(module).filter(([name, value]) => !name.startsWith('_') && isTargetable(value, trace.language) && !unstable.has(`<module>\0${name}`));
  return kept.slice(-REFERENCE_TARGETS).map(([name, value]) => ({ key: name, scope: '<module>', name, value }));
}

/** The recipe's prompt, its slips fixed. */
export function referencePrompt(code: string, input: RunInput, language: Trace['language'], targets: Target[]): string {
  const names = `[${targets.map((t) => `'${t.key}'`).join(', ')}]`;
  return `Given the following Python Code and Input, predict:
1) The code's output value (final_output)
2) The final values of the listed local variables at the moment the code outputs

Python code: \`\`\`python
${code}
\`\`\`
Input: ${inputText(input, language, code)}
Target local variables: ${names}

Instructions:
1. First, write a reasoning section explaining step-by-step how the code executes with the given Input
2. Do not include any JSON in the reasoning section
3. On the LAST line only, output a strict JSON object with the required format

Example of final answer (LAST line only):
{"final_output": "3\\n6", "variables": {"cnt": 2, "buf": [1, 2]}}
`;
}
