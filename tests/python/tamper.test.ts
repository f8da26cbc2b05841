/**
 * What a Python program can do to its own record, through the real CLI
 * (tracers/README.md, "What a program can do to its record"): the hooks it
 * can reach are plain functions (no `__self__`), and what it can still
 * change of the tracer (hooks in builtins, the tracer's classes and
 * globals, reached with names the static scan does not see) is flagged
 * `channel-tampered`, never silent. Clean programs carry no warning.
 */
import { describe, expect, it } from 'vitest';
import { runPlainAsync, traceRuns } from './helpers.js';

// Reach builtins without writing its name (the static scan flags the word).
const BUILTINS = "b = __import__('bui' + 'ltins')\nh = getattr(b, '__c' + 'tp__')\n";

const forgeries: [string, string, string][] = [
  ['hook replaced in builtins', `${BUILTINS}setattr(b, '__c' + 'tp__', lambda k: None)\nx = 1\nx = 2\nprint(x)\n`, '2\n'],
  ['recording flag turned off', `${BUILTINS}setattr(b, '__c' + 'tt__', False)\nx = 1\nprint(x)\n`, '1\n'],
  ['encoder wrapped through the hook\'s closure', `${BUILTINS}cells = getattr(h, '__clo' + 'sure__')
t = [c.cell_contents for c in cells if type(c.cell_contents).__name__ == 'Tracer'][0]
t.encoder.encode = lambda v: {'repr': '999', 'json': 999}
x = 1
print(x)
`, '1\n'],
  ['encoder class patched through the hook\'s globals', `${BUILTINS}g = getattr(h, '__glo' + 'bals__')
g['Encoder'].encode = lambda self, v: {'repr': '999', 'json': 999}
x = 1
print(x)
`, '1\n'],
  ['a tracer module global rebound', `${BUILTINS}g = getattr(h, '__glo' + 'bals__')
g['_to_json'] = lambda record: '{}'
x = 1
print(x)
`, '1\n'],
];

describe('what a program can do to its record', () => {
  it('the hooks it can reach are plain functions: no __self__, nothing bound to the tracer', async () => {
    const code = `${BUILTINS}print(hasattr(h, '__self__'), type(h).__name__)\n`;
    const [trace] = await traceRuns([{ id: 'h', language: 'python', code, stdin: '' }]);
    expect(trace.stdout).toBe('False function\n');
    expect(trace.warnings).not.toContain('channel-tampered');
  });

  // (A plain python3 has no hooks to reach: these programs fail there, so
  // the expected output is what each prints.)
  it.each(forgeries)('%s: flagged channel-tampered; the program still runs', async (_name, code, stdout) => {
    const [trace] = await traceRuns([{ id: 'f', language: 'python', code, stdin: '' }]);
    expect(trace.warnings).toContain('channel-tampered');
    expect([trace.status, trace.stdout]).toEqual(['ok', stdout]);
  });

  it('ordinary programs, threads and exit handlers included, carry no warning', async () => {
    const code = `import threading, atexit
atexit.register(print, "bye")
def work(n):
    return sum(range(n))
t = threading.Thread(target=work, args=(5,))
t.start()
t.join()
print(work(3))
`;
    const [trace] = await traceRuns([{ id: 'c', language: 'python', code, stdin: '' }]);
    const plain = await runPlainAsync(code);
    expect(trace.stdout).toBe(plain.stdout);
    expect(trace.warnings).toEqual([]);
  });
});
