"""Warm JavaScript worker, managed by the executor: one reused `node`
(tracers/javascript/worker.js) per executor, inside the sandbox, so a short
JavaScript run costs a fresh vm context (~1 ms) instead of a node start-up
(~40-80 ms).

Sandbox: in the namespace tiers the worker gets the same treatment as a run
(fresh PID, mount and IPC namespaces, a trusted init as pid 1, private /tmp,
no network, read-only host filesystem) and runs as an unprivileged uid of
its own, outside the runs' uid range, with rlimits (heap, data, threads,
files, no core). Runs inside it are separated by vm contexts: each run has
its own realm and shims; nothing of the worker's realm is reachable.

Only programs that the shims reproduce exactly go there (`eligible`: a
static check of the source); a run the worker cannot reproduce byte for
byte comes back as a fallback and the executor runs it in a fresh process
(`run` returns None). The worker is replaced after a timeout, a crash (an
out-of-memory included), a change of heap/stack flags, and every
RECYCLE_RUNS runs.
"""

import json
import os
import re
import select
import signal
import time

import sandbox
import verdict

HERE = os.path.dirname(os.path.abspath(__file__))
WORKER_JS = os.path.join(HERE, "javascript", "worker.js")
RUN_DIR = "/tmp/run"
RECYCLE_RUNS = 500
# Worker uids: WORKER_UID_BASE + the executor's pid, beyond every run uid
# (sandbox.UID_BASE + pid), so the worker's threads never count against a
# run's process limit, and no run can signal it.
WORKER_UID_BASE = 10_000_000
RESULT_CAP = 256 * 1024 * 1024
# V8 optimizes a function once it has run this much bytecode (node's default
# is 67,584). Every run's code, the tracer's included, is new in its fresh
# context, so V8 would compile it again in every run, mostly for functions
# that stop soon after: on HumanEval-X that compiling was 40% of the worker's
# CPU. At 2M only what keeps running is optimized: 26% less CPU in all.
INTERRUPT_BUDGET = 2_000_000

# Globals the worker binds in the program's enclosing scope (worker.js GLOBALS).
_SCOPED = "|".join("""Object Function Array Number Boolean String Symbol BigInt Math JSON Reflect Promise Map Set WeakMap
    WeakSet Date RegExp Error TypeError RangeError SyntaxError ReferenceError EvalError URIError parseInt parseFloat
    isNaN isFinite Infinity NaN undefined ArrayBuffer DataView Int8Array Uint8Array Uint8ClampedArray Int16Array
    Uint16Array Int32Array Uint32Array Float32Array Float64Array BigInt64Array BigUint64Array Proxy Intl
    encodeURIComponent decodeURIComponent encodeURI decodeURI console process setTimeout setInterval setImmediate
    clearTimeout clearInterval clearImmediate queueMicrotask""".split())
_ALLOWED_MODULES = ("util", "assert", "readline", "fs")
_PROCESS_MEMBERS = r"(stdout\s*\.\s*write|stderr\s*\.\s*write|stdin|exit|exitCode|argv|env|hrtime|nextTick|platform|version)\b(?!\s*\.\s*(?:on|once|emit|binding)\b)"
# Names and forms the warm shims do not provide, or whose output names the
# worker's own frames (stack traces): such programs run in a fresh process.
# Each form comes with a literal that every match contains, so a source
# without it skips the pattern (one alternation of all the forms, tried at
# every position, cost about 1 ms per program).
_INELIGIBLE_WORDS = """import export Symbol Buffer stack RangeError WebAssembly SharedArrayBuffer Atomics performance fetch
    TextEncoder TextDecoder URL URLSearchParams AbortController AbortSignal Blob crypto atob btoa structuredClone
    MessageChannel BroadcastChannel EventTarget Event navigator inspect WeakRef FinalizationRegistry gc""".split()
_INELIGIBLE = [(literal, re.compile(pattern, re.S)) for literal, pattern in [
    *((word, r"\b%s\b" % word) for word in _INELIGIBLE_WORDS),
    ("require", r"\brequire\s*[.\[]"),
    ("module", r"\bmodule\s*(\.\s*(?!exports\b)|\[)"),
    ("__ct$", r"__ct\$"),
    ("global", r"\bglobal(This)?\b(?!\s*\.\s*\w)"),
    ("global", r"\bglobal(This)?\s*\.\s*(%s)\b" % _SCOPED),
    ("this", r"\bthis\s*\.\s*(%s)\b" % _SCOPED),
    ("StackTrace", r"\bStackTrace"),
    ("stackTraceLimit", r"stackTraceLimit"),
    ("console", r"\bconsole\s*\.\s*(?!log\b|error\b|warn\b|info\b|debug\b|assert\b)\w"),
    ("console", r"\bconsole\s*[^.\s]"),
    ("/proc/", r"/proc/"),
    ("/dev/fd", r"/dev/fd"),
]]


def eligible(job):
    """Cheap and conservative: may this job run in the warm worker?"""
    source = job.get("source")
    if job.get("language") != "javascript" or not isinstance(source, str):
        return False
    if any(literal in source and pattern.search(source) for literal, pattern in _INELIGIBLE):
        return False
    for m in re.finditer(r"\bprocess\b", source):
        if not re.match(r"process\s*\.\s*" + _PROCESS_MEMBERS, source[m.start():]):
            return False
    for m in re.finditer(r"\brequire\b", source):
        if not re.match(r"require\s*\(\s*(['\"])(node:)?(%s)\1\s*\)" % "|".join(_ALLOWED_MODULES), source[m.start():]):
            return False
    return True


def _worker_limits(limits):
    """The worker's own rlimits: a run's memory, process, file and fd limits
    (node's threads fit in a run's process limit, as in a fresh run), and
    twice a run's CPU: the worker retires once it has used one run's CPU
    (worker.js), so every run in it has at least its own CPU limit left."""
    return dict(limits, cpu_ms=2 * int(limits["cpu_ms"]),
                max_file_bytes=max(int(limits["max_file_bytes"]), 16 * 1024 * 1024))


class JsWorker:
    """The executor's warm node worker (started on first use)."""

    def __init__(self, node, tier, base_dir, keep):
        self.node = node
        self.tier = tier
        self.keep = keep  # what node must read, kept in view by the worker's private /tmp
        self.uid = WORKER_UID_BASE + os.getpid() if tier != "rlimits" else None
        self.log_path = os.path.join(base_dir, "jsworker.log")
        self.pid = None  # the worker's sandbox (init in the namespace tiers)
        self.node_pid = None  # node's pid as the worker reports it
        self.job_w = self.result_r = None
        self.flags = None
        self.runs = 0
        self.buffer = b""

    # -- lifecycle ------------------------------------------------------------

    def start(self, limits, mode):
        heap = max(16, int(limits["memory_mb"]))
        stack = 2000 if mode == "trace" else 984
        argv = [self.node, "--max-old-space-size=%d" % heap, "--stack-size=%d" % stack,
                "--interrupt-budget=%d" % INTERRUPT_BUDGET, WORKER_JS]
        job_r, job_w = os.pipe()
        result_r, result_w = os.pipe()
        log = os.open(self.log_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            pid = os.fork() if self.tier == "rlimits" else sandbox.enter_run_namespaces()
            if pid == 0:
                os.close(job_w)
                os.close(result_r)
                self._child(argv, job_r, result_w, log, _worker_limits(limits))
        finally:
            for fd in (job_r, result_w, log):
                os.close(fd)
        self.pid, self.job_w, self.result_r = pid, job_w, result_r
        self.flags = (heap, stack)
        self.runs = 0
        self.buffer = b""

    def _child(self, argv, job_r, result_w, log, limits):
        """In the worker's sandbox: fds 0 jobs, 1/2 log, 3 results; in the
        namespace tiers this process is pid 1 and forks node as pid 2."""
        try:
            for fd, target in ((job_r, 0), (log, 1), (log, 2), (result_w, 3)):
                high = os.dup(fd)
                os.dup2(high, target)
                os.close(high)
                os.set_inheritable(target, True)
            sandbox.close_from(4)
            if self.tier != "rlimits":
                sandbox.private_run_mounts(RUN_DIR, 1024 * 1024, self.uid, self.keep)
                pid = os.fork()
                if pid != 0:
                    for fd in (0, 3):
                        os.close(fd)
                    self._reap(pid)
            os.setsid()
            os.chdir(RUN_DIR if self.tier != "rlimits" else "/")
            if self.uid is not None:
                sandbox.drop_privileges(self.uid)
            env = sandbox.scrubbed_env(RUN_DIR)
            sandbox.set_limits(limits, "javascript")
            os.execve(self.node, argv, env)
        except BaseException as exc:
            try:
                os.write(2, ("coderl-trace jsworker: %s: %s\n" % (type(exc).__name__, exc)).encode())
            except BaseException:
                pass
        os._exit(sandbox.SETUP_FAILED)

    @staticmethod
    def _reap(pid):
        """pid 1 of the worker's namespace: wait for node, then kill what is left."""
        while True:
            done, _ = os.waitpid(-1, 0)
            if done == pid:
                break
        try:
            os.kill(-1, signal.SIGKILL)
        except OSError:
            pass
        os._exit(0)

    def stop(self):
        if self.pid is None:
            return
        for fd in (self.job_w, self.result_r):
            try:
                os.close(fd)
            except OSError:
                pass
        try:
            os.kill(self.pid, signal.SIGKILL)
        except OSError:
            pass
        try:
            os.waitpid(self.pid, 0)
        except ChildProcessError:
            pass
        self.pid = self.job_w = self.result_r = None

    # -- a run ----------------------------------------------------------------

    def run(self, job, seal):
        """Run one eligible job. Returns the executor's result dict, or None:
        run it in a fresh process instead (the worker could not reproduce it,
        or failed)."""
        limits = job["limits"]
        heap = max(16, int(limits["memory_mb"]))
        stack = 2000 if job["mode"] == "trace" else 984
        if self.pid is not None and (self.flags != (heap, stack) or self.runs >= RECYCLE_RUNS):
            self.stop()
        if self.pid is None:
            self.start(limits, job["mode"])
        self.runs += 1
        started = time.monotonic()
        line = json.dumps(dict(job, channel_seal=seal)).encode() + b"\n"
        try:
            view = memoryview(line)
            while view:
                view = view[os.write(self.job_w, view):]
        except OSError:
            self.stop()
            return None
        # The worker stops a synchronous loop itself at timeout_ms; the margin covers its reply.
        wall_s = limits["timeout_ms"] / 1000.0
        reply = self._read_line(started + wall_s + 0.5)
        duration_ms = (time.monotonic() - started) * 1000
        if reply is None or reply == b"":
            timed_out = reply is None
            self.stop()
            return self._timeout(job, duration_ms, {}, seal) if timed_out else None
        answer = json.loads(reply)
        if answer.get("timedOut"):
            self.stop()
            return self._timeout(job, duration_ms, answer, seal)
        result = None if answer.get("fallback") is not None else self._result(job, answer, duration_ms, seal)
        if answer.get("retire"):
            self.stop()
        return result

    def _read_line(self, deadline):
        """One result line; None on timeout, b"" if the worker died."""
        while b"\n" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            ready, _, _ = select.select([self.result_r], [], [], left)
            if not ready:
                return None
            chunk = os.read(self.result_r, 1 << 20)
            if not chunk:
                return b""
            self.buffer += chunk
            if len(self.buffer) > RESULT_CAP:
                return b""
        line, _, self.buffer = self.buffer.partition(b"\n")
        return line

    def _timeout(self, job, duration_ms, answer, seal):
        """A run stopped at its time limit, with what the worker had of its
        output and trace (nothing when the worker itself had to be killed)."""
        limits = job["limits"]
        # As in a fresh process: the wall clock wins unless the CPU limit is the smaller one.
        stopped = verdict.cpu_verdict(limits) if limits["cpu_ms"] < limits["timeout_ms"] else verdict.timeout_verdict(limits)
        data = lambda key: answer.get(key, "").encode("utf-8", "surrogatepass")  # noqa: E731
        return self._assemble(job, stopped + (None, "SIGKILL"), duration_ms, 0.0,
                              data("stdout"), data("stderr"), data("channel"), seal)

    def _result(self, job, answer, duration_ms, seal):
        limits = job["limits"]
        stdout = answer["stdout"].encode("utf-8", "surrogatepass")
        stderr = answer["stderr"].encode("utf-8", "surrogatepass")
        channel = answer["channel"].encode("utf-8", "surrogatepass")
        cap = int(limits["max_output_bytes"])
        outcome = verdict.classify(answer["exit_code"] << 8, answer["cpu_ms"], False, limits,
                                   len(stdout) > cap, len(stderr) > cap, answer["stderr"])
        return self._assemble(job, outcome, duration_ms, answer["cpu_ms"], stdout, stderr, channel, seal)

    def _assemble(self, job, outcome, duration_ms, cpu_ms, stdout, stderr, channel, seal):
        cap = int(job["limits"]["max_output_bytes"])
        result = verdict.result_record(job, outcome, seal, (stdout[:cap], len(stdout) > cap),
                                       (stderr[:cap], len(stderr) > cap), (channel, False), duration_ms, cpu_ms, 0)
        result["js_worker"] = {"pid": self.pid, "runs": self.runs}
        return result
