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

// Signals scored per line; the language with the clearly higher score wins.
const PYTHON_SIGNALS: RegExp[] = [
  /^\s*def\s+\w+\s*\(.*\)\s*(->\s*[^:]+)?:\s*(#.*)?$/,
  /^\s*class\s+\w+(\(.*\))?\s*:\s*$/,
  /^\s*(import\s+[\w.]+(\s+as\s+\w+)?(\s*,\s*[\w.]+)*|from\s+[\w.]+\s+import\s+.+)\s*$/,
  /^\s*(if|elif|while|for|with|try|except|else|finally)\b.*:\s*(#.*)?$/,
  /\bprint\s*\(/,
  /\b(None|True|False|self|elif|lambda|nonlocal)\b/,
  /\binput\(\)|sys\.stdin/,
  /^\s*#/,
];
const JS_SIGNALS: RegExp[] = [
  /\bfunction\b\s*\w*\s*\(/,
  /=>/,
  /^\s*(const|let|var)\s+[\w${[]/,
  /\bconsole\.log\s*\(/,
  /;\s*$/,
  /===|!==/,
  /\brequire\s*\(|process\.stdin|module\.exports/,
  /^\s*}\s*$|{\s*$/,
  /\b(null|undefined)\b/,
  /^\s*\/\//,
];

export function guessLanguage(code: string): { language: Language | null; rule: string } {
  let py = 0;
  let js = 0;
  for (const line of code.split('\n')) {
    if (line.trim() === '') continue;
    py += PYTHON_SIGNALS.filter((re) => re.test(line)).length;
    js += JS_SIGNALS.filter((re) => re.test(line)).length;
  }
  const rule = `heuristic score python ${py} vs javascript ${js}`;
  if (py === 0 && js === 0) return { language: null, rule };
  // A clear margin, so a couple of `;` in Python or `#` in JS do not decide.
  if (py >= 2 * js && py > js) return { language: 'python', rule };
  if (js >= 2 * py && js > py) return { language: 'javascript', rule };
  return { language: null, rule };
}

/**
 * Unfenced text counts as code when most non-blank lines carry code
 * punctuation or keywords and few read like prose sentences.
 */
export function looksLikeCode(text: string): boolean {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
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
