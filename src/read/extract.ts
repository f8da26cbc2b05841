/**
 * Find the program in a model response.
 *
 * Order of rules (the one that fired is reported in `rule`, so a surprising
 * extraction can be explained):
 * 1. Reasoning is dropped: everything up to the last `</think>`. A response
 *    that opens `<think>` and never closes it was cut off while thinking, so
 *    it has no answer (drafts inside the reasoning are not the answer).
 * 2. The last fenced block labelled with the wanted language (```python,
 *    ```py, ```python3, ```javascript, ```js, ```node, ...). The last, because
 *    models revise; the graders (verl prime_code: `split("```python")[-1]`)
 *    do the same.
 * 3. Else the last unlabelled fence, when no fence is labelled with a
 *    supported language (then the unlabelled one is unambiguous).
 * 4. Else, with no fence at all, the whole text if it looks like code.
 * A fence left open at the end (truncated response) runs to the end of text.
 *
 * The language is, in order: the caller's hint, the fence label, heuristics
 * on the code (keyword/punctuation scores); undecidable means a reject.
 */
import type { Language } from './types.js';

const LABELS: Record<string, Language> = {
  python: 'python', py: 'python', python3: 'python', py3: 'python', python2: 'python', ipython: 'python',
  javascript: 'javascript', js: 'javascript', node: 'javascript', nodejs: 'javascript',
  mjs: 'javascript', cjs: 'javascript', jsx: 'javascript', ecmascript: 'javascript',
};

/** Labels of other programming languages: a response with only these is code we cannot run. */
const OTHER_LANGUAGES = new Set([
  'c', 'cpp', 'c++', 'cc', 'cxx', 'java', 'rust', 'rs', 'go', 'golang', 'ruby', 'rb', 'csharp', 'c#', 'cs',
  'kotlin', 'kt', 'swift', 'scala', 'php', 'perl', 'haskell', 'hs', 'typescript', 'ts', 'lua', 'r', 'julia',
  'pascal', 'd', 'ocaml', 'fsharp', 'f#', 'dart', 'elixir', 'clojure', 'zig', 'nim',
]);

export interface Fence {
  /** Lower-cased first word of the info string ('' when unlabelled). */
  label: string;
  body: string;
  closed: boolean;
}

export type Extraction =
  | { ok: true; code: string; language: Language; codeRule: string; languageRule: string }
  | { ok: false; reason: 'no-code' | 'unknown-language'; detail: string };

export function extractCode(response: string, hint: Language | null = null): Extraction {
  const answer = stripReasoning(response);
  if (answer === null) {
    return { ok: false, reason: 'no-code', detail: 'the response is an unfinished <think> block (cut off while reasoning)' };
  }
  const fences = findFences(answer);
  const labelled = fences.filter((f) => LABELS[f.label] !== undefined);
  const reasoningRule = answer === response ? '' : ' after </think>';

  const wanted = hint === null ? labelled : labelled.filter((f) => LABELS[f.label] === hint);
  if (wanted.length > 0) {
    const fence = wanted[wanted.length - 1];
    const language = LABELS[fence.label];
    return finish(fence.body, `last \`\`\`${fence.label} fence of ${fences.length}${reasoningRule}${fence.closed ? '' : ' (unclosed)'}`,
      language, hint === null ? `fence label \`\`\`${fence.label}` : 'given (record or --language)');
  }
  if (hint !== null && labelled.length > 0) {
    const found = [...new Set(labelled.map((f) => LABELS[f.label]))].join(', ');
    return { ok: false, reason: 'no-code', detail: `no ${hint} block in the response (found ${found})` };
  }

  const unlabelled = fences.filter((f) => f.label === '');
  if (unlabelled.length > 0) {
    const fence = unlabelled[unlabelled.length - 1];
    return finishGuessing(fence.body, `last unlabelled fence of ${fences.length}${reasoningRule}`, hint);
  }
  if (fences.length > 0) {
    const other = fences.map((f) => f.label).filter((l) => OTHER_LANGUAGES.has(l));
    if (other.length > 0) {
      return { ok: false, reason: 'unknown-language', detail: `the response's code is in a \`\`\`${other[other.length - 1]} fence, not python or javascript` };
    }
    return { ok: false, reason: 'no-code', detail: `no code fence (only \`\`\`${fences.map((f) => f.label).join(', ```')})` };
  }
  if (answer.trim() === '') return { ok: false, reason: 'no-code', detail: 'the response is empty' + reasoningRule };
  if (!looksLikeCode(answer)) return { ok: false, reason: 'no-code', detail: 'no code fence and the text does not look like code' };
  return finishGuessing(answer, `whole text, no fence${reasoningRule}`, hint);
}

function finish(code: string, codeRule: string, language: Language, languageRule: string): Extraction {
  if (code.trim() === '') return { ok: false, reason: 'no-code', detail: `the selected block is empty (${codeRule})` };
  return { ok: true, code: withFinalNewline(code), language, codeRule, languageRule };
}

function finishGuessing(code: string, codeRule: string, hint: Language | null): Extraction {
  if (hint !== null) return finish(code, codeRule, hint, 'given (record or --language)');
  const guess = guessLanguage(code);
  if (guess.language === null) {
    return { ok: false, reason: 'unknown-language', detail: `cannot tell the language of the code (${guess.rule})` };
  }
  return finish(code, codeRule, guess.language, guess.rule);
}

function withFinalNewline(code: string): string {
  return code.endsWith('\n') ? code : code + '\n';
}

/** Text after the last `</think>`; null when a `<think>` is never closed. */
export function stripReasoning(text: string): string | null {
  const close = text.lastIndexOf('</think>');
  if (close >= 0) return text.slice(close + '</think>'.length);
  if (/^\s*<think>/.test(text)) return null;
  return text;
}

/**
 * CommonMark-style fences: a line of 3+ backticks or tildes (indent <= 3)
 * opens, a line of the same character at least as long closes.
 */
export function findFences(text: string): Fence[] {
  const fences: Fence[] = [];
  const lines = text.split('\n');
  let open: { marker: string; label: string; body: string[] } | null = null;
  for (const rawLine of lines) {
    const line = rawLine.replace(/\r$/, '');
    if (open === null) {
      const m = /^ {0,3}(`{3,}|~{3,})\s*([^\s`]*)/.exec(line);
      if (m) open = { marker: m[1], label: m[2].toLowerCase().replace(/^\{?\.?/, '').replace(/\}$/, ''), body: [] };
      continue;
    }
    const close = /^ {0,3}(`{3,}|~{3,})\s*$/.exec(line);
    if (close && close[1][0] === open.marker[0] && close[1].length >= open.marker.length) {
      fences.push({ label: open.label, body: open.body.join('\n'), closed: true });
      open = null;
    } else {
      open.body.push(line);
    }
  }
  if (open !== null) fences.push({ label: open.label, body: open.body.join('\n'), closed: false });
  return fences;
}

// Signals scored per line, with weights: definitions and imports are
// decisive, punctuation (`;`, braces) is weak, since MBPP-style Python ends
// lines with `;` and docstrings are blanked before scoring (blankProse).
const PYTHON_SIGNALS: [RegExp, number][] = [
  [/^\s*def\s+\w+\s*\(.*\)\s*(->\s*[^:]+)?:/, 4],
  [/^\s*class\s+\w+(\(.*\))?\s*:/, 4],
  [/^\s*(import\s+[\w.]+(\s+as\s+\w+)?(\s*,\s*[\w.]+)*|from\s+[\w.]+\s+import\s+.+)\s*;?\s*$/, 3],
  [/^\s*(if|elif|while|for|with|try|except|else|finally)\b.*:\s*(#.*)?$/, 2],
  [/\bprint\s*\(/, 1],
  [/\b(None|True|False|self|elif|lambda|nonlocal|not in|is not)\b/, 1],
  [/\binput\(\)|sys\.stdin/, 2],
  [/^\s*#/, 1],
];
const JS_SIGNALS: [RegExp, number][] = [
  [/\bfunction\b\s*\w*\s*\(/, 4],
  [/=>/, 3],
  [/^\s*(const|let|var)\s+[\w${[]/, 3],
  [/\bconsole\.log\s*\(/, 3],
  [/;\s*$/, 1],
  [/===|!==/, 2],
  [/\brequire\s*\(|process\.stdin|module\.exports/, 3],
  [/^\s*}\s*$|{\s*$/, 1],
  [/\b(null|undefined)\b/, 1],
  [/^\s*\/\//, 1],
];

/**
 * Docstrings and comments are prose (HumanEval docstrings are full of `=>`
 * and `;`), so they are blanked before scoring; a docstring or block comment
 * still counts once for its language.
 */
function blankProse(code: string): { code: string; py: number; js: number } {
  let py = 0;
  let js = 0;
  const blanked = code
    .replace(/"""[\s\S]*?"""|'''[\s\S]*?'''/g, (m) => { py++; return '""' + '\n'.repeat(m.split('\n').length - 1); })
    .replace(/\/\*[\s\S]*?\*\//g, (m) => { js++; return '\n'.repeat(m.split('\n').length - 1); })
    .replace(/"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'/g, '""')
    .replace(/^(\s*)#.*$/gm, '$1#')
    .replace(/^(\s*)\/\/.*$/gm, '$1//');
  return { code: blanked, py, js };
}

const PYTHON_ONLY = /^\s*(def\s+\w+\s*\(.*\)\s*(->\s*[^:]+)?:|from\s+[\w.]+\s+import\s|import\s+[\w.]+\s*$|elif\b.*:\s*$)/m;
const JS_ONLY = /\bfunction\b\s*\w*\s*\(|=>|^\s*(const|let|var)\s+[\w${[]|\bconsole\.log\s*\(|\brequire\s*\(/m;

export function guessLanguage(source: string): { language: Language | null; rule: string } {
  const { code, py: pyDocs, js: jsDocs } = blankProse(source);
  let py = pyDocs;
  let js = jsDocs;
  for (const line of code.split('\n')) {
    if (line.trim() === '') continue;
    for (const [re, weight] of PYTHON_SIGNALS) if (re.test(line)) py += weight;
    for (const [re, weight] of JS_SIGNALS) if (re.test(line)) js += weight;
  }
  // Syntax only one language has decides alone (MBPP Python ending every line with `;`).
  const pyOnly = PYTHON_ONLY.test(code);
  const jsOnly = JS_ONLY.test(code);
  if (pyOnly && !jsOnly) return { language: 'python', rule: 'heuristic: python-only syntax (def ...: / import)' };
  if (jsOnly && !pyOnly) return { language: 'javascript', rule: 'heuristic: javascript-only syntax (function / => / const|let|var)' };
  const rule = `heuristic score python ${py} vs javascript ${js}`;
  // Otherwise a clear margin, so a couple of `;` in Python or `#` in JS do not decide.
  if (py >= 1.5 * js && py >= 2) return { language: 'python', rule };
  if (js >= 1.5 * py && js >= 2) return { language: 'javascript', rule };
  return { language: null, rule };
}

/**
 * Unfenced text counts as code when most non-blank lines carry code
 * punctuation or keywords and few read like prose sentences.
 */
export function looksLikeCode(text: string): boolean {
  const lines = blankProse(text).code.split('\n').filter((l) => l.trim() !== '');
  if (lines.length === 0) return false;
  let prose = 0;
  for (const line of lines) {
    const t = line.trim();
    const words = t.split(/\s+/);
    const isSentence = /^[A-Z]/.test(t) && words.length >= 5 && !/[=(){}[\];]/.test(t);
    if (isSentence) prose++;
  }
  const guess = guessLanguage(text);
  return prose / lines.length < 0.2 && guess.language !== null;
}
