/**
 * Threads as plain Python has them, through the real CLI: the run waits for
 * non-daemon threads as the interpreter does at shutdown, code in other
 * threads is traced (its frames say which thread), and deep recursion in a
 * thread with a raised recursion limit and stack size survives as it does
 * plain. Expected stdout, stderr and exit status come from plain
 * `python3 main.py` runs of the same programs.
 */
import { describe, expect, it } from 'vitest';
import { normalizePaths, runPlainAsync, traceRuns } from './helpers.js';

const programs: [string, string, string][] = [
  ['solver in a thread, main returns at once', `import threading
def solve():
    n = int(input())
    total = 0
    for i in range(n):
        total += i
    print(total)
threading.Thread(target=solve).start()
`, '5\n'],
  ['LiveCodeBench style: recursion limit and stack size raised, deep recursion in the thread', `import sys, threading
def main():
    sys.setrecursionlimit(1 << 25)
    threading.stack_size(1 << 26)
    def depth(n):
        return 0 if n == 0 else 1 + depth(n - 1)
    def run():
        print(depth(int(sys.stdin.readline())))
    t = threading.Thread(target=run)
    t.start()
if __name__ == "__main__":
    main()
`, '20000\n'],
  ['several threads joined by the main thread', `import threading
results = [0] * 3
def work(k):
    s = 0
    for i in range(k * 10):
        s += i
    results[k] = s
threads = [threading.Thread(target=work, args=(k,)) for k in range(3)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(results)
`, ''],
  ['an uncaught error in a thread: printed, exit status still 0', `import threading
def boom():
    raise ValueError("in thread")
threading.Thread(target=boom).start()
print("main done")
`, ''],
  ['main thread raises while a thread still runs: the thread finishes, exit 1', `import threading, time
def slow():
    time.sleep(0.05)
    print("thread done")
threading.Thread(target=slow).start()
raise RuntimeError("main")
`, ''],
  ['sys.exit in the main thread waits for the thread too', `import sys, threading, time
def slow():
    time.sleep(0.05)
    print("late")
threading.Thread(target=slow).start()
sys.exit(3)
`, ''],
  ['a daemon thread that never ends does not hold the run', `import threading, time
def forever():
    while True:
        time.sleep(0.01)
threading.Thread(target=forever, daemon=True).start()
print("bye")
`, ''],
  ['atexit handlers run after the threads', `import atexit, threading, time
atexit.register(lambda: print("atexit"))
def slow():
    time.sleep(0.05)
    print("thread")
threading.Thread(target=slow).start()
print("main")
`, ''],
];

describe('threads as plain Python has them', () => {
  it.each(programs)('%s: same stdout, stderr and exit status as python3', async (_name, code, stdin) => {
    const [trace] = await traceRuns([{ id: 't', language: 'python', code, stdin }]);
    const plain = await runPlainAsync(code, stdin);
    expect(trace.stdout).toBe(plain.stdout);
    expect(normalizePaths(trace.stderr)).toBe(normalizePaths(plain.stderr));
    expect(trace.exit_code).toBe(plain.status);
    expect(trace.warnings).not.toContain('channel-tampered');
  });

  it('the same programs run --plain through the tool agree with python3 too', async () => {
    const runs = programs.map(([name, code, stdin]) => ({ id: name, language: 'python', code, stdin }));
    const traces = await traceRuns(runs, ['--plain']);
    for (const [i, [, code, stdin]] of programs.entries()) {
      const plain = await runPlainAsync(code, stdin);
      expect([traces[i].id, traces[i].stdout, traces[i].exit_code]).toEqual([programs[i][0], plain.stdout, plain.status]);
    }
  });

  it('events in another thread are traced, and say which thread; main-thread events say none', async () => {
    const code = `import threading
def work(n):
    s = 0
    for i in range(n):
        s += i
    return s
t = threading.Thread(target=work, args=(3,), name="worker")
t.start()
t.join()
x = work(2)
`;
    const [trace] = await traceRuns([{ id: 't', language: 'python', code, stdin: '' }]);
    const inThread = trace.events.filter((e) => e.thread === 'worker');
    const inMain = trace.events.filter((e) => e.thread === undefined);
    expect(inThread.map((e) => e.scope)).toEqual(Array(inThread.length).fill('work'));
    // s: 0, then 0 + 0 (the same object: no event), 1, 3.
    expect(inThread.filter((e) => 's' in e.vars).map((e) => e.vars.s.json)).toEqual([0, 1, 3]);
    expect(inMain.some((e) => e.scope === 'work')).toBe(true);
    expect(trace.events.every((e) => e.thread === undefined || e.thread === 'worker')).toBe(true);
    // Finals: the last exit of `work` is the main thread's call, and the module's x.
    expect(trace.finals.work.s.json).toBe(1);
    expect(trace.finals['<module>'].x.json).toBe(1);
  });

  it('a thread started on the last line: its events follow that line\'s, the same in every run', async () => {
    // The LiveCodeBench idiom. Unordered, the thread's first events raced
    // the event of the line that started it (3 of 30 traces differed).
    const code = `import threading
def main():
    n = int(input())
    total = 0
    for i in range(n):
        total += i * i
    print(total)
threading.Thread(target=main).start()
`;
    const runs = Array.from({ length: 16 }, (_, i) => ({ id: String(i), language: 'python', code, stdin: '30\n' }));
    const traces = await traceRuns(runs, ['--jobs', '2']);
    const plain = await runPlainAsync(code, '30\n');
    const steps = traces.map((t) => JSON.stringify(t.events.map((e) => [e.line, e.scope, e.thread ?? null, e.vars])));
    expect(new Set(steps).size).toBe(1);
    const events = traces[0].events;
    const startLine = events.findIndex((e) => e.line === 8 && e.thread === undefined);
    const firstInThread = events.findIndex((e) => e.thread !== undefined);
    expect(startLine).toBeGreaterThanOrEqual(0);
    expect(firstInThread).toBe(startLine + 1);
    expect(traces.every((t) => t.stdout === plain.stdout)).toBe(true);
  });

  it('a traced thread past the recursion limit raises RecursionError where plain Python does', async () => {
    const code = `import sys, threading
sys.setrecursionlimit(200)
def depth(n):
    return 0 if n == 0 else 1 + depth(n - 1)
def run():
    for n in (150, 195, 196, 197, 198, 199, 250):
        try:
            depth(n)
            print(n, "ok")
        except RecursionError:
            print(n, "RecursionError")
t = threading.Thread(target=run)
t.start()
t.join()
`;
    const [trace] = await traceRuns([{ id: 't', language: 'python', code, stdin: '' }]);
    const plain = await runPlainAsync(code);
    expect(trace.stdout).toBe(plain.stdout);
  });
});
