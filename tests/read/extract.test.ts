import { describe, expect, it } from 'vitest';
import { extractCode, findFences, guessLanguage, stripReasoning } from '../../src/read/extract.js';

const PY = 'def f(x):\n    return x + 1\n';
const JS = 'function f(x) {\n  return x + 1;\n}\n';

describe('extractCode', () => {
  it.each([
    ['python', 'python'], ['py', 'python'], ['python3', 'python'], ['Python', 'python'],
    ['javascript', 'javascript'], ['js', 'javascript'], ['node', 'javascript'],
  ])('reads a ```%s fence as %s', (label, language) => {
    const code = language === 'python' ? PY : JS;
    const r = extractCode(`Here:\n\`\`\`${label}\n${code}\`\`\`\nDone.`);
    expect(r).toMatchObject({ ok: true, code, language, languageRule: `fence label \`\`\`${label.toLowerCase()}` });
  });

  it('takes the last block of the language, not the first', () => {
    const r = extractCode('```python\nprint(1)\n```\ntext\n```python\nprint(2)\n```\n```text\noutput\n```');
    expect(r).toMatchObject({ ok: true, code: 'print(2)\n', codeRule: 'last ```python fence of 3' });
  });

  it('with a language hint, skips blocks of the other language', () => {
    const text = `\`\`\`python\n${PY}\`\`\`\n\`\`\`js\n${JS}\`\`\``;
    expect(extractCode(text, 'python')).toMatchObject({ ok: true, code: PY, language: 'python' });
    expect(extractCode(text, 'javascript')).toMatchObject({ ok: true, code: JS, language: 'javascript' });
    expect(extractCode(text)).toMatchObject({ ok: true, code: JS }); // no hint: the last labelled block
    expect(extractCode(`\`\`\`js\n${JS}\`\`\``, 'python')).toMatchObject({ ok: false, reason: 'no-code', detail: expect.stringContaining('found javascript') });
  });

  it('drops reasoning up to the last </think>, ignoring drafts inside it', () => {
    const text = `<think>\ntry\n\`\`\`python\nprint('draft')\n\`\`\`\n</think>\nAnswer:\n\`\`\`python\n${PY}\`\`\``;
    expect(extractCode(text)).toMatchObject({ ok: true, code: PY, codeRule: 'last ```python fence of 1 after </think>' });
    expect(stripReasoning('a</think>b</think>c')).toBe('c');
  });

  it('an unfinished <think> has no answer', () => {
    expect(extractCode(`<think>\nmaybe\n\`\`\`python\n${PY}\`\`\`\nhmm`)).toMatchObject({ ok: false, reason: 'no-code' });
  });

  it('takes unlabelled fences when no fence is labelled, and guesses the language', () => {
    expect(extractCode(`\`\`\`\n${PY}\`\`\``)).toMatchObject({ ok: true, code: PY, language: 'python', codeRule: 'last unlabelled fence of 1' });
    expect(extractCode(`\`\`\`\n${JS}\`\`\``)).toMatchObject({ ok: true, code: JS, language: 'javascript' });
  });

  it('takes the whole text when there is no fence and it is code', () => {
    expect(extractCode(PY)).toMatchObject({ ok: true, code: PY, codeRule: 'whole text, no fence' });
    expect(extractCode('import sys\nprint(sum(map(int, sys.stdin.read().split())))')).toMatchObject({ ok: true, language: 'python', code: 'import sys\nprint(sum(map(int, sys.stdin.read().split())))\n' });
    expect(extractCode('The answer is to loop over the list and add each number to the total.')).toMatchObject({ ok: false, reason: 'no-code' });
  });

  it('reads an unclosed final fence (truncated response) to the end', () => {
    expect(extractCode(`Sure:\n\`\`\`python\n${PY}`)).toMatchObject({ ok: true, code: PY, codeRule: expect.stringContaining('(unclosed)') });
  });

  it('rejects code in other languages and empty responses', () => {
    expect(extractCode('```cpp\nint main() {}\n```')).toMatchObject({ ok: false, reason: 'unknown-language' });
    expect(extractCode('```text\n3\n```')).toMatchObject({ ok: false, reason: 'no-code' });
    expect(extractCode('   ')).toMatchObject({ ok: false, reason: 'no-code' });
    expect(extractCode('```python\n\n```')).toMatchObject({ ok: false, reason: 'no-code' });
  });

  it('does not close a fence with a shorter or different marker', () => {
    const fences = findFences('````python\nx = """\n```\n"""\n````\n~~~js\nlet a = 1;\n~~~');
    expect(fences).toEqual([
      { label: 'python', body: 'x = """\n```\n"""', closed: true },
      { label: 'js', body: 'let a = 1;', closed: true },
    ]);
  });

  it('says which heuristic decided, and refuses to guess on a tie', () => {
    expect(guessLanguage(PY)).toMatchObject({ language: 'python', rule: 'heuristic: python-only syntax (def ...: / import)' });
    // MBPP-style Python ending lines with `;`, and a docstring full of `=>`.
    const mbpp = 'def f(n) :  \n    s = (n*(n + 1))//2;  \n    """ f(2) => 3; {x} """\n    return s;\n';
    expect(guessLanguage(mbpp)).toMatchObject({ language: 'python' });
    expect(guessLanguage('x = 1;\ny = x === 2;\nif (y) {\n  x = 3;\n}\n')).toMatchObject({ language: 'javascript', rule: expect.stringMatching(/^heuristic score python \d+ vs javascript \d+$/) });
    expect(guessLanguage('x = 1')).toMatchObject({ language: null });
    expect(extractCode('```\nx = 1\n```')).toMatchObject({ ok: false, reason: 'unknown-language' });
  });
});
