/**
 * Output at exit as plain Python has it, through the real CLI: atexit
 * handlers and the finalizers (`__del__`) that run at shutdown print into
 * the recorded stdout/stderr, in the order a plain run prints them.
 * Expected output and exit status come from plain `python3 main.py` runs.
 */
import { describe, expect, it } from 'vitest';
import { normalizePaths, runPlainAsync, traceRuns } from './helpers.js';

/** Paths and memory addresses (a function's repr in an atexit report) differ from run to run. */
const normalize = (text: string) => normalizePaths(text).replace(/ at 0x[0-9a-f]+/g, ' at 0x');

const programs: [string, string][] = [
  ['atexit handlers, last registered first', `import atexit
atexit.register(print, "first registered")
@atexit.register
def bye():
    print("bye", total)
total = sum(range(10))
print("main")
`],
  ['__del__ of a global at shutdown', `class Noisy:
    def __init__(self, name):
        self.name = name
    def __del__(self):
        print("del", self.name)
a = Noisy("a")
print("main")
`],
  ['atexit before finalizers, and a failing handler is reported, not fatal', `import atexit, sys
class Last:
    def __del__(self):
        print("finalized")
keep = Last()
def broken():
    raise ValueError("in handler")
atexit.register(lambda: print("second handler"))
atexit.register(broken)
print("main")
`],
  ['handler output after sys.exit, exit status kept', `import atexit, sys
atexit.register(lambda: print("cleanup", file=sys.stderr))
print("exiting")
sys.exit(4)
`],
  ['handler output after an uncaught error', `import atexit
atexit.register(lambda: print("after error"))
raise KeyError("k")
`],
  ['a finalizer in a reference cycle, collected at shutdown', `class Node:
    def __init__(self):
        self.me = self
    def __del__(self):
        print("cycle finalized")
n = Node()
del n
print("main")
`],
  ['unregistered handlers do not run', `import atexit
def h():
    print("never")
atexit.register(h)
atexit.unregister(h)
print("done")
`],
];

describe('output at exit', () => {
  it.each(programs)('%s: same stdout, stderr and exit status as python3', async (_name, code) => {
    for (const flags of [[], ['--plain']]) {
      const [trace] = await traceRuns([{ id: 'x', language: 'python', code, stdin: '' }], flags);
      const plain = await runPlainAsync(code);
      expect(trace.stdout).toBe(plain.stdout);
      expect(normalize(trace.stderr)).toBe(normalize(plain.stderr));
      expect(trace.exit_code).toBe(plain.status);
      expect(trace.warnings).not.toContain('channel-tampered');
    }
  });

  it('atexit handlers are traced like the program; finals of the module are taken after them', async () => {
    const code = `import atexit
state = []
def handler():
    state.append(1)
    done = len(state)
atexit.register(handler)
`;
    const [trace] = await traceRuns([{ id: 'x', language: 'python', code, stdin: '' }]);
    expect(trace.events.some((e) => e.scope === 'handler')).toBe(true);
    expect(trace.finals.handler.done.json).toBe(1);
    expect(trace.finals['<module>'].state.json).toEqual([1]);
  });
});
