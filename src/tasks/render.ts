/**
 * Prompt and answer text of a task. The wording is our own; a user template
 * (`--template FILE`) can replace it, with these placeholders:
 *
 *   {{language}}  Python | JavaScript          {{fence}}   python | javascript
 *   {{code}}      the program                  {{input}}   the concrete input
 *   {{input_kind}} "standard input" | "call"   {{question}} what to predict, in words
 *   {{reply}}     what the reply holds (reasoning, or the JSON line alone)
 *   {{answer_example}} the answer's shape with placeholder values
 *   {{answer_rules}} how each value is written, with one worked example
 *
 * The answer rules are the ones `score` applies (src/model/task.ts), so a
 * model that follows them to the letter scores 1.0.
 */
import type { Language } from '../model/trace.js';
import type { RunInput } from '../model/run.js';
import { TASK_KIND_RULES, type TaskKind } from '../model/task.js';
import type { Target } from './targets.js';
import { TASK_KIND_SPECS } from './kinds/index.js';
import { jsonForm, printJson } from '../values/json-form.js';
import { fromTaggedJson } from '../values/typed.js';

/**
 * What the reply holds: `reason` (RL: reasoning, then the JSON line),
 * `answer` (SFT without a rationale: the JSON line alone), `rationale`
 * (SFT with `--rationale trace`: a short explanation, then the JSON line).
 */
export type ReplyStyle = 'reason' | 'answer' | 'rationale';

export interface PromptParts {
  language: Language;
  code: string;
  input: RunInput;
  kind: TaskKind;
  targets: Target[];
  /** What final_output holds: printed text, or a returned value. */
  output: 'stdout' | 'return';
  reply: ReplyStyle;
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

{{reply}} The line has exactly this shape:
{{answer_example}}

{{answer_rules}}`;

const REPLIES: Record<ReplyStyle, string> = {
  reason: 'Reason step by step about how the program runs on this input. Then end your reply with one line of JSON.',
  answer: 'Reply with one line of JSON and nothing else.',
  rationale: 'First explain briefly how the program runs on this input (the lines that matter and the values they produce). Then end your reply with one line of JSON.',
};

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
    reply: REPLIES[parts.reply],
    answer_example: answerShape(parts),
    answer_rules: answerRules(parts),
  };
  let text = template.replace(/\{\{(\w+)\}\}/g, (whole, name: string) => values[name] ?? whole);
  // A program that itself contains ``` would end the fence early: widen it.
  if (fence > 3) text = text.replace(/^```/gm, '`'.repeat(fence));
  return text;
}

/** The expected answer line: final_output as text, each variable in its JSON form. */
export function renderAnswer(parts: PromptParts, output: string | null): string {
  const rules = TASK_KIND_RULES[parts.kind];
  const fields: string[] = [];
  if (rules.output) fields.push(`"final_output": ${JSON.stringify(output ?? '')}`);
  // The reference reward needs the key even when no variable is asked.
  if (rules.variables || rules.reference) {
    const vars = parts.targets.map((t) => `${JSON.stringify(t.key)}: ${printJson(jsonForm(fromTaggedJson(t.value.json))!)}`);
    fields.push(`"variables": {${vars.join(', ')}}`);
  }
  return `{${fields.join(', ')}}`;
}

/** The answer line with placeholders: `"<text>"` for final_output, `<value>` for each variable. */
function answerShape(parts: PromptParts): string {
  const rules = TASK_KIND_RULES[parts.kind];
  const fields: string[] = [];
  if (rules.output) fields.push('"final_output": "<text>"');
  if (rules.variables || rules.reference) fields.push(`"variables": {${parts.targets.map((t) => `${JSON.stringify(t.key)}: <value>`).join(', ')}}`);
  return `{${fields.join(', ')}}`;
}

function question(parts: PromptParts): string {
  const output = parts.output === 'stdout'
    ? 'everything the program prints to standard output'
    : 'the value the call returns';
  const inScope = (t: Target) => (t.scope === '<module>' || parts.kind === 'line-state' ? '' : ` (in \`${t.scope}\`)`);
  const names = parts.targets.map((t) => `\`${t.key}\`${inScope(t)}`).join(', ');
  return TASK_KIND_SPECS[parts.kind].question({ output, names, line: parts.line, hit: parts.hit });
}

/** How to write each value, with one worked example; the same rules `score` applies. */
export function answerRules(parts: PromptParts): string {
  const rules = TASK_KIND_RULES[parts.kind];
  const py = parts.language === 'python';
  const lines = ['How to write the values:'];
  const example: string[] = [];
  const exampleIs: string[] = [];
  if (rules.output) {
    if (parts.output === 'stdout') {
      lines.push('- "final_output" is a JSON string holding exactly the text the program prints, with \\n for each line break.');
      exampleIs.push('a program that prints the two lines 3 and ok');
      example.push('"final_output": "3\\nok\\n"');
    } else if (py) {
      lines.push(`- "final_output" is a JSON string holding the returned value as Python's repr() writes it: the list [1, 2] as "[1, 2]", the string ab as "'ab'", the tuple (1, 'a') as "(1, 'a')", None as "None".`);
      exampleIs.push(`a call that returns (1, 'a')`);
      example.push(`"final_output": "(1, 'a')"`);
    } else {
      lines.push(`- "final_output" is a JSON string holding the returned value as a JavaScript literal, as Node's util.inspect writes it: the array [1, 2] as "[ 1, 2 ]", the string ab as "'ab'", undefined as "undefined".`);
      exampleIs.push(`a call that returns [1, 'a']`);
      example.push(`"final_output": "[ 1, 'a' ]"`);
    }
  }
  if (rules.variables) {
    lines.push(py
      ? '- each variable\'s value is written as JSON: an int as a number (7), a float as a number with a decimal point (2.0), a str as a JSON string ("ab"), True/False/None as true/false/null, a list or a tuple as an array, a set as an array of its items in sorted order, a dict as an object whose keys are written as strings ({1: 2} as {"1": 2}).'
      : '- each variable\'s value is written as JSON: a number as a number, a string as a JSON string, true/false/null as themselves, an array as an array, a Set as an array of its items in sorted order, an object as an object.');
    exampleIs.push(py
      ? `variables count = 7, ratio = 2.0, pair = (1, 'a'), seen = {'b', 'a'}, index = {1: [2]}`
      : `variables count = 7, ratio = 0.5, pair = [1, 'a'], seen = new Set(['b', 'a']), index = {x: [2]}`);
    example.push(py
      ? '"variables": {"count": 7, "ratio": 2.0, "pair": [1, "a"], "seen": ["a", "b"], "index": {"1": [2]}}'
      : '"variables": {"count": 7, "ratio": 0.5, "pair": [1, "a"], "seen": ["a", "b"], "index": {"x": [2]}}');
  } else if (rules.reference) {
    lines.push('- "variables" stays {} (no variable is asked).');
    example.push('"variables": {}');
  }
  lines.push(`For example, for ${exampleIs.join(' and ')}, the line is:`, `{${example.join(', ')}}`);
  return lines.join('\n');
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
