/**
 * Prompt and answer text of a task. The wording is our own; a user template
 * (`--template FILE`) can replace it, with these placeholders:
 *
 *   {{language}}  Python | JavaScript          {{fence}}   python | javascript
 *   {{code}}      the program                  {{input}}   the concrete input
 *   {{input_kind}} "standard input" | "call"   {{question}} what to predict, in words
 *   {{answer_example}} a valid one-line JSON answer with placeholder values
 */
import type { Language } from '../model/trace.js';
import type { RunInput } from '../model/run.js';
import type { TaskKind } from '../model/task.js';
import type { Target } from './targets.js';

export interface PromptParts {
  language: Language;
  code: string;
  input: RunInput;
  kind: TaskKind;
  targets: Target[];
  /** For line-state tasks. */
  line?: number;
  hit?: number;
}

const LANGUAGE_NAMES: Record<Language, string> = { python: 'Python', javascript: 'JavaScript' };

export const DEFAULT_TEMPLATE = `Here is a {{language}} program and one concrete input for it.

\`\`\`{{fence}}
{{code}}
\`\`\`

Input ({{input_kind}}):
\`\`\`
{{input}}
\`\`\`

{{question}}

Reason step by step about how the program runs on this input. Then end your reply with a single line of JSON of exactly this shape, with every value written as a {{language}} literal inside a JSON string:
{{answer_example}}`;

/** The input as the prompt shows it: stdin text, or the call as source code. */
export function inputText(input: RunInput, language: Language, code = ''): string {
  switch (input.kind) {
    case 'stdin':
      return input.stdin;
    case 'call':
      return input.call;
    case 'fn':
      return `${callee(input.fn_name, language, code)}(${input.args.map((a) => jsonToLiteral(a, language)).join(', ')})`;
  }
}

/**
 * How the runner reaches `name` (tracers resolve it the same way): a
 * top-level function if the program defines one, else a method of a fresh
 * `Solution` instance.
 */
function callee(name: string, language: Language, code: string): string {
  const escaped = name.replace(/[$]/g, '\\$');
  const topLevel = language === 'python'
    ? new RegExp(`^(async\\s+)?def\\s+${escaped}\\s*\\(|^${escaped}\\s*=`, 'm')
    : new RegExp(`^\\s*(async\\s+)?function\\s*\\*?\\s*${escaped}\\s*\\(|^\\s*(const|let|var)\\s+${escaped}\\s*=`, 'm');
  if (topLevel.test(code) || !/\bclass\s+Solution\b/.test(code)) return name;
  return language === 'python' ? `Solution().${name}` : `new Solution().${name}`;
}

export function renderPrompt(parts: PromptParts, template = DEFAULT_TEMPLATE): string {
  const fence = longestFence(parts.code);
  const values: Record<string, string> = {
    language: LANGUAGE_NAMES[parts.language],
    fence: parts.language,
    code: parts.code.replace(/\s+$/, ''),
    input: inputText(parts.input, parts.language, parts.code).replace(/\n$/, ''),
    input_kind: parts.input.kind === 'stdin' ? 'standard input' : 'call',
    question: question(parts),
    answer_example: JSON.stringify(answerObject(parts, () => '...')),
  };
  let text = template.replace(/\{\{(\w+)\}\}/g, (whole, name: string) => values[name] ?? whole);
  // A program that itself contains ``` would end the fence early: widen it.
  if (fence > 3) text = text.replace(/^```/gm, '`'.repeat(fence));
  return text;
}

/** The expected answer line, as the model should write it. */
export function renderAnswer(parts: PromptParts, output: string | null): string {
  return JSON.stringify(answerObject(parts, (key) => (key === null ? output ?? '' : parts.targets.find((t) => t.key === key)!.value.repr)));
}

function answerObject(parts: PromptParts, valueOf: (key: string | null) => string): Record<string, unknown> {
  const answer: Record<string, unknown> = {};
  if (parts.kind !== 'line-state') answer.final_output = valueOf(null);
  if (parts.kind !== 'output') {
    answer.variables = Object.fromEntries(parts.targets.map((t) => [t.key, valueOf(t.key)]));
  }
  return answer;
}

function question(parts: PromptParts): string {
  const output = parts.input.kind === 'stdin'
    ? 'everything the program prints to standard output'
    : 'the value the call returns';
  const inScope = (t: Target) => (t.scope === '<module>' || parts.kind === 'line-state' ? '' : ` (in \`${t.scope}\`)`);
  const names = parts.targets.map((t) => `\`${t.key}\`${inScope(t)}`).join(', ');
  switch (parts.kind) {
    case 'output':
      return `Predict ${output}.`;
    case 'output-vars':
      return `Predict two things: ${output} ("final_output"), and the final value of each of these variables (when its function last returned, or at the end of the program): ${names} ("variables").`;
    case 'line-state':
      return `Predict the values of ${names} right after line ${parts.line} has run for the ${ordinal(parts.hit ?? 1)} time (lines are numbered from 1).`;
  }
}

function ordinal(n: number): string {
  const suffix = n % 100 >= 11 && n % 100 <= 13 ? 'th' : ['th', 'st', 'nd', 'rd'][n % 10] ?? 'th';
  return `${n}${suffix}`;
}

function longestFence(code: string): number {
  let longest = 0;
  for (const m of code.matchAll(/`{3,}/g)) longest = Math.max(longest, m[0].length);
  return longest >= 3 ? longest + 1 : 3;
}

/** A JSON test argument as a literal of the program's language. */
export function jsonToLiteral(value: unknown, language: Language): string {
  const py = language === 'python';
  if (value === null) return py ? 'None' : 'null';
  if (typeof value === 'boolean') return py ? (value ? 'True' : 'False') : String(value);
  if (typeof value === 'number') return JSON.stringify(value);
  if (typeof value === 'string') return py ? pythonString(value) : JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((v) => jsonToLiteral(v, language)).join(', ')}]`;
  const entries = Object.entries(value as Record<string, unknown>);
  if (py) return `{${entries.map(([k, v]) => `${pythonString(k)}: ${jsonToLiteral(v, language)}`).join(', ')}}`;
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}: ${jsonToLiteral(v, language)}`).join(', ')}}`;
}

/** Python's repr() of a str: single quotes unless the text has ' and no ". */
function pythonString(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const code = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (ch === quote) out += `\\${quote}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out + quote;
}
