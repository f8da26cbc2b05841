"""Warm executor: runs jobs from the tool, one sandboxed run per job.

The tool starts one executor per --jobs slot and writes jobs to its stdin as
JSON lines (protocol in tracers/README.md). The executor never runs user
code itself. For each job it starts a run (tracers/sandbox.py has the
tiers): in the namespace tiers a small trusted init, pid 1 of a fresh PID
namespace, which mounts the run's private /tmp and forks the program as pid
2; the program drops to the executor's sandbox uid, sets its limits and runs:
Python in-process through tracers/python/runtime.py (a fork of a warm
interpreter costs ~1.5 ms, a fresh one ~15 ms), JavaScript by exec'ing node
on tracers/javascript/runner.js. The executor waits with a wall-clock
timeout, kills the run (killing pid 1 kills its whole namespace), reads the
capped outputs and answers with one JSON line.

    executor.py CONFIG_JSON             serve jobs on stdin
    executor.py --probe CONFIG_JSON     say which protections work here (doctor)

CONFIG_JSON: {"node": path, "tier": "bwrap" | "namespaces" | "rlimits"}.
"""

import fcntl
import json
import os
import re
import resource
import secrets
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "python"))

import sandbox  # noqa: E402
import jsworker  # noqa: E402
import runtime  # noqa: E402  (imported before forking so children start warm)

CHANNEL_CAP = 64 * 1024 * 1024
# Exit code of a run whose set-up failed before user code ran.
SETUP_FAILED = 121
# The program's working directory (and $HOME) inside the run's namespaces.
RUN_DIR = "/tmp/run"
# In a run's init: the status pipe to the executor; in its program: the job pipe.
STATUS_FD = 4
JOB_FD = 5
OUT_OF_MEMORY = re.compile(r"heap out of memory|out of memory|MemoryError|Cannot allocate memory")


def read_capped(path, cap):
    try:
        with open(path, "rb") as f:
            data = f.read(cap + 1)
    except OSError:
        return b"", False
    return data[:cap], len(data) > cap


def text(data):
    return data.decode("utf-8", "replace")


# -- the run ------------------------------------------------------------------


def program(job, node, cwd, uid):
    """The program's process: confine, then run. Never returns."""
    status = SETUP_FAILED
    try:
        os.setsid()
        os.chdir(cwd)
        if uid is not None:
            sandbox.drop_privileges(uid)
        env = sandbox.scrubbed_env(cwd)
        limits = job["limits"]
        if job["language"] == "javascript":
            with open("job.json", "w") as f:
                json.dump(job, f)
            sandbox.set_limits(limits, "javascript")
            heap = max(16, int(limits["memory_mb"]))
            # Traced frames use ~1.8x the stack of plain ones: give traced runs
            # a deeper V8 stack (984 KB is node's default) so a program that
            # recurses fine plain also does traced. RLIMIT_STACK (8 MB) covers it.
            stack = 2000 if job["mode"] == "trace" else 984
            os.execve(node, [node, "--max-old-space-size=%d" % heap, "--stack-size=%d" % stack,
                             os.path.join(HERE, "javascript", "runner.js"), "job.json"], env)
        seal_python_channel(job.pop("channel_seal", None))
        os.environ.clear()
        os.environ.update(env)
        sandbox.set_limits(limits, "python")
        status = runtime.run(job)
    except BaseException as exc:  # set-up failure: say why on stderr
        try:
            os.write(2, ("coderl-trace sandbox: %s: %s\n" % (type(exc).__name__, exc)).encode())
        except BaseException:
            pass
    finally:
        os._exit(status)


def init(paths, status_w, job_r, tmp_bytes, node, uid):
    """pid 1 of a run's namespace, started ahead of its job: private mounts,
    then fork the program as pid 2 (so it gets ordinary signal semantics,
    which pid 1 lacks), which waits for its job on the job pipe. When the
    program ends, kill and reap whatever it left behind, then report the
    program's wait status and the CPU time and peak RSS of everything the
    run started on the status pipe: the executor can answer before this
    namespace is torn down. Exiting makes the kernel kill anything left."""
    try:
        high = [fcntl.fcntl(fd, fcntl.F_DUPFD, 10) for fd in (status_w, job_r)]
        os.dup2(high[0], STATUS_FD)
        os.dup2(high[1], JOB_FD)
        sandbox.redirect_fds(paths, keep=(STATUS_FD, JOB_FD))
        sandbox.private_run_mounts(RUN_DIR, tmp_bytes, uid)
        pid = os.fork()
        if pid == 0:
            os.close(STATUS_FD)
            waiting_program(node, uid)
        os.close(JOB_FD)
        status = reap_run(pid)
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        os.write(STATUS_FD, b"%d %.6f %.6f %d\n" % (status, usage.ru_utime, usage.ru_stime, usage.ru_maxrss))
        os._exit(0)
    except BaseException as exc:
        try:
            os.write(2, ("coderl-trace sandbox: %s: %s\n" % (type(exc).__name__, exc)).encode())
        except BaseException:
            pass
    os._exit(SETUP_FAILED)


def reap_run(pid):
    """In the run's init: wait for the program, then SIGKILL everything
    else in the namespace (kill(-1) from pid 1 reaches all of it) until no
    child is left. Returns the program's wait status."""
    while True:
        done, status = os.waitpid(-1, 0)
        if done == pid:
            break
    while True:
        try:
            os.kill(-1, signal.SIGKILL)
        except OSError:
            pass
        try:
            os.waitpid(-1, 0)
        except ChildProcessError:
            return status


def waiting_program(node, uid):
    """pid 2, still root and unconfined: wait for the job (the seal, a
    newline, the job's JSON line), then confine and run it. An empty job
    pipe means the executor discarded this run unused."""
    try:
        chunks = []
        while True:
            chunk = os.read(JOB_FD, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
        os.close(JOB_FD)
        if not chunks:
            os._exit(0)
        seal, _, line = b"".join(chunks).partition(b"\n")
        job = json.loads(line)
        job["channel_seal"] = seal.decode()
    except BaseException as exc:
        try:
            os.write(2, ("coderl-trace sandbox: %s: %s\n" % (type(exc).__name__, exc)).encode())
        except BaseException:
            pass
        os._exit(SETUP_FAILED)
    program(job, node, RUN_DIR, uid)


def plain_child(job, node, paths, run_dir):
    """rlimits tier: the program in a plain forked child of the executor."""
    try:
        sandbox.redirect_fds(paths)
    except BaseException:
        os._exit(SETUP_FAILED)
    program(job, node, run_dir, None)


def wait_with_timeout(pid, timeout_s, kill):
    """Wait for the child; on timeout kill the run. Returns (wait status,
    rusage, timed_out)."""
    timed_out = False
    try:
        fd = os.pidfd_open(pid)
        ready, _, _ = select.select([fd], [], [], timeout_s)
        os.close(fd)
        timed_out = not ready
    except (AttributeError, OSError):
        deadline = time.monotonic() + timeout_s
        while os.waitpid(pid, os.WNOHANG) == (0, 0):
            if time.monotonic() > deadline:
                timed_out = True
                break
            time.sleep(0.002)
    if timed_out:
        kill()
    _, status, usage = os.wait4(pid, 0)
    return status, usage, timed_out


def kill_group(pid):
    try:
        os.killpg(pid, signal.SIGKILL)
    except OSError:
        pass


def kill_pid(pid):
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:
        pass


def classify(status, cpu_ms, timed_out, limits, stdout_cut, stderr_cut, stderr):
    exit_code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else None
    sig = os.WTERMSIG(status) if os.WIFSIGNALED(status) else None
    sig_name = signal.Signals(sig).name if sig else None
    if timed_out:
        return "timeout", "wall-clock timeout of %d ms" % limits["timeout_ms"], exit_code, sig_name
    if sig == signal.SIGXCPU or (sig == signal.SIGKILL and cpu_ms >= limits["cpu_ms"]):
        return "cpu_limit", "CPU time limit of %d ms" % limits["cpu_ms"], exit_code, sig_name
    if sig == signal.SIGXFSZ:
        return "output_limit", "file size limit of %d bytes" % limits["max_file_bytes"], exit_code, sig_name
    if exit_code == SETUP_FAILED and stderr.startswith("coderl-trace sandbox:"):
        return "sandbox_error", "sandbox set-up failed: %s" % stderr.strip()[-500:], exit_code, sig_name
    if (sig is not None or exit_code not in (0, 1)) and OUT_OF_MEMORY.search(stderr[-4000:]):
        return "memory_limit", "memory limit of %d MiB" % limits["memory_mb"], exit_code, sig_name
    if sig is not None:
        return "killed", "killed by %s" % sig_name, exit_code, sig_name
    if stdout_cut or stderr_cut:
        return "output_limit", "output over %d bytes" % limits["max_output_bytes"], exit_code, sig_name
    return ("ok" if exit_code == 0 else "runtime_error"), None, exit_code, sig_name


class Prepared:
    """A run's sandbox made ahead of its job: init and program are waiting."""
    __slots__ = ("pid", "status_r", "job_w", "tmp_bytes")

    def __init__(self, pid, status_r, job_w, tmp_bytes):
        self.pid, self.status_r, self.job_w, self.tmp_bytes = pid, status_r, job_w, tmp_bytes

    def discard(self):
        kill_pid(self.pid)
        os.waitpid(self.pid, 0)
        self.close()

    def close(self):
        for fd in (self.status_r, self.job_w):
            if fd is not None:
                try:
                    os.close(fd)
                except OSError:
                    pass
        self.status_r = self.job_w = None


class Executor:
    """Per job: the job goes to a sandbox prepared while the tool handled
    the previous result (namespaces, mounts and the program's fork are off
    the critical path); the answer is sent as soon as the run's init has
    reaped the run, and the namespace's teardown is waited for afterwards."""

    def __init__(self, config):
        self.node = config.get("node") or shutil.which("node") or "node"
        self.tier = config["tier"]
        self.timing = bool(config.get("timing"))
        self.uid = sandbox.sandbox_uid() if self.tier != "rlimits" else None
        if self.tier == "namespaces":
            sandbox.confine_executor(sandbox.interpreter_paths(self.node, HERE))
        self.base_dir = tempfile.mkdtemp(prefix="coderl-trace-", dir="/tmp")
        # One set of files serves every run: a run's init opens (and
        # truncates) them before its program exists, and the executor has
        # read them back before the next run's init is started.
        self.paths = [os.path.join(self.base_dir, name) for name in ("stdin", "stdout", "stderr", "channel")]
        for path in self.paths:
            open(path, "wb").close()
        self.prepared = None
        self.zombies = []
        self.tmp_bytes = None
        self.idle_ms = {}
        # JavaScript runs the warm worker can reproduce exactly go there (tracers/jsworker.py).
        self.jsworker = jsworker.JsWorker(self.node, self.tier, self.base_dir, {
            "classify": classify, "check_channel": check_channel, "tracer_access": tracer_access,
        }) if config.get("js_worker", True) else None

    def close(self):
        if self.jsworker is not None:
            self.jsworker.stop()
        if self.prepared is not None:
            self.prepared.discard()
            self.prepared = None
        self.reap()
        shutil.rmtree(self.base_dir, ignore_errors=True)

    def idle(self):
        """Between jobs: prepare the next run's sandbox, reap the last one."""
        if self.tier == "rlimits" or self.tmp_bytes is None:
            return
        t0 = time.perf_counter()
        if self.prepared is None:
            self.prepared = self._prepare(self.tmp_bytes)
        t1 = time.perf_counter()
        self.reap()
        if self.timing:
            self.idle_ms = {"idle_prepare": (t1 - t0) * 1000, "idle_reap": (time.perf_counter() - t1) * 1000}

    def reap(self):
        for pid in self.zombies:
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass
        self.zombies = []

    def _prepare(self, tmp_bytes):
        status_r, status_w = os.pipe()
        job_r, job_w = os.pipe()
        try:
            pid = sandbox.enter_run_namespaces()
            if pid == 0:
                os.close(status_r)
                os.close(job_w)
                init(self.paths, status_w, job_r, tmp_bytes, self.node, self.uid)
        except BaseException:
            for fd in (status_r, job_w):
                os.close(fd)
            raise
        finally:
            os.close(status_w)
            os.close(job_r)
        return Prepared(pid, status_r, job_w, tmp_bytes)

    def run_job(self, job, line=None):
        """Run one job (line: its JSON text as received, forwarded as is)."""
        if self.jsworker is not None and job["language"] == "javascript" and jsworker.eligible(job):
            result = self.jsworker.run(job, secrets.token_hex(16))
            if result is not None:
                return result
        marks = [("start", time.perf_counter())]
        limits = job["limits"]
        # Made before the seal exists, so no run's memory ever holds another's seal.
        prepared = None if self.tier == "rlimits" else self._take_prepared(int(limits["max_file_bytes"]))
        marks.append(("prepare", time.perf_counter()))
        seal = secrets.token_hex(16)
        with open(self.paths[0], "w", encoding="utf-8") as f:
            f.write(job["input"].get("stdin", "") if job["input"]["kind"] == "stdin" else "")
        marks.append(("stdin", time.perf_counter()))
        if self.tier == "rlimits":
            started = time.monotonic()
            status, usage, timed_out, reported = self._run_plain(dict(job, channel_seal=seal), limits)
            cpu_ms = (usage.ru_utime + usage.ru_stime) * 1000
            max_rss = usage.ru_maxrss
        else:
            if line is None:
                line = json.dumps(job)
            started = time.monotonic()
            status, cpu_ms, max_rss, timed_out, reported = self._run_sandboxed(prepared, line, seal, limits, marks)
        duration_ms = (time.monotonic() - started) * 1000
        marks.append(("run", time.perf_counter()))
        cap = int(limits["max_output_bytes"])
        stdout, stdout_cut = read_capped(self.paths[1], cap)
        stderr, stderr_cut = read_capped(self.paths[2], cap)
        channel, channel_cut = read_capped(self.paths[3], CHANNEL_CAP)
        marks.append(("read", time.perf_counter()))
        if reported is not None:
            status = reported
        verdict, detail, exit_code, sig_name = classify(
            status, cpu_ms, timed_out, limits, stdout_cut, stderr_cut, text(stderr))
        check, problem = check_channel(channel, seal, channel_cut)
        if check == "tampered":
            # A record the decoder cannot accept: the trace is marked channel-tampered.
            channel += json.dumps(["TAMPERED", problem]).encode() + b"\n"
        result = {
            "job": job["job"], "status": verdict, "detail": detail,
            "exit_code": exit_code, "signal": sig_name,
            "duration_ms": round(duration_ms, 3),
            "cpu_ms": round(cpu_ms, 3),
            "max_rss_kb": max_rss,
            "stdout": text(stdout), "stdout_truncated": stdout_cut,
            "stderr": text(stderr), "stderr_truncated": stderr_cut,
            "channel": text(channel), "channel_truncated": channel_cut,
            "channel_check": check, "channel_problem": problem,
            "tracer_access": tracer_access(job["language"], job["source"]),
        }
        marks.append(("result", time.perf_counter()))
        if self.timing:
            timing = {name: round((t - marks[i][1]) * 1000, 3) for i, (name, t) in enumerate(marks[1:])}
            timing.update({k: round(v, 3) for k, v in self.idle_ms.items()})
            result["timing"] = timing
        return result

    def _take_prepared(self, tmp_bytes):
        self.tmp_bytes = tmp_bytes
        prepared, self.prepared = self.prepared, None
        if prepared is not None and prepared.tmp_bytes != tmp_bytes:
            prepared.discard()
            prepared = None
        return prepared or self._prepare(tmp_bytes)

    def _run_sandboxed(self, prepared, line, seal, limits, marks):
        """Returns (wait status, cpu_ms, max_rss_kb, timed_out, program's
        wait status as reported by the run's init or None)."""
        try:
            data = seal.encode() + b"\n" + (line.encode() if isinstance(line, str) else line)
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(prepared.job_w, view):]
            except OSError:
                pass  # the program died before reading its job: its status says why
            os.close(prepared.job_w)
            prepared.job_w = None
            marks.append(("send", time.perf_counter()))
            ready, _, _ = select.select([prepared.status_r], [], [], limits["timeout_ms"] / 1000.0)
            report = os.read(prepared.status_r, 128).split() if ready else []
            if len(report) == 4:
                self.zombies.append(prepared.pid)
                cpu_ms = (float(report[1]) + float(report[2])) * 1000
                return 0, cpu_ms, int(report[3]), False, int(report[0])
            if not ready:
                kill_pid(prepared.pid)
            _, status, usage = os.wait4(prepared.pid, 0)
            return status, (usage.ru_utime + usage.ru_stime) * 1000, usage.ru_maxrss, not ready, None
        finally:
            prepared.close()

    def _run_plain(self, job, limits):
        """rlimits tier: a plain fork per run, in a fresh working directory."""
        run_dir = tempfile.mkdtemp(prefix="run-", dir=self.base_dir)
        try:
            pid = os.fork()
            if pid == 0:
                plain_child(job, self.node, self.paths, run_dir)
            status, usage, timed_out = wait_with_timeout(pid, limits["timeout_ms"] / 1000.0, lambda: kill_group(pid))
            kill_group(pid)  # orphans left in the group by a finished child
            return status, usage, timed_out, None
        finally:
            shutil.rmtree(run_dir, ignore_errors=True)


# -- the trace channel's integrity ---------------------------------------------


def seal_python_channel(seal):
    """Make the Python runtime seal its END record (see check_channel).
    Until tracers/python/runtime.py does this itself (and says so with
    SEALS_END = True), wrap its Channel here: count the bytes it writes and
    add {"seal", "bytes"} to END. Runs in the program's process only."""
    if seal is None or getattr(runtime, "SEALS_END", False):
        return
    base = runtime.Channel

    class SealedChannel(base):
        def __init__(self, fd):
            base.__init__(self, fd)
            self.sealed_bytes = 0

        def write(self, record):
            if isinstance(record, list) and len(record) == 2 and record[0] == "END" and isinstance(record[1], dict):
                self.flush()
                record[1]["seal"] = seal
                record[1]["bytes"] = self.sealed_bytes
            base.write(self, record)

        def flush(self):
            for part in self.parts:
                self.sealed_bytes += len(part) if part.isascii() else len(part.encode("utf-8", "surrogatepass"))
            base.flush(self)

    runtime.Channel = SealedChannel


def check_channel(channel, seal, truncated):
    """Verify the channel's END record against the per-run seal. A runtime
    that seals its END writes {"seal": <the job's channel_seal>, "bytes":
    <bytes it wrote before END>}; anything else on fd 3 (a program writing
    or replacing the channel) breaks the byte count, and a forged END cannot
    know the seal without reaching into the tracer's memory (which the
    static scan flags). Returns (check, problem):
    "sealed" | "tampered" | "unsealed" (END without a seal) | "absent" (no END)."""
    if truncated:
        return "absent", "channel truncated"
    end_at = channel.rfind(b"\n", 0, len(channel) - 1) + 1
    last = channel[end_at:]
    if not last.startswith(b'["END"'):
        return "absent", None
    try:
        record = json.loads(last)[1]
    except (ValueError, IndexError, TypeError):
        return "tampered", "END record is not valid JSON"
    if not isinstance(record, dict) or "seal" not in record:
        return "unsealed", None
    if record.get("seal") != seal:
        return "tampered", "END record carries a wrong seal"
    if record.get("bytes") != end_at:
        return "tampered", "channel has %d bytes before END, the runtime wrote %s" % (end_at, record.get("bytes"))
    if not channel.endswith(b"\n"):
        return "tampered", "bytes after the END record"
    return "sealed", None


_TRACER_ACCESS = {
    "python": [
        ("gc", r"\bgc\b"), ("ctypes", r"\bctypes\b"), ("frames", r"_getframe|\bf_back\b|\bf_globals\b|\bf_locals\b|\binspect\b"),
        ("settrace", r"\bset(trace|profile)\b"), ("tracer-names", r"__ct"),
        ("fd-access", r"/proc/self|/dev/fd|\bdup2\b|\bcloserange\b|\bfdopen\s*\(\s*3\b|os\.(write|close)\s*\(\s*3\b"),
    ],
    "javascript": [
        ("internals", r"process\.binding|\binspector\b|require\(\s*['\"](node:)?v8['\"]"),
        ("fd-access", r"/proc/self|/dev/fd|\b(write|writeSync|close|closeSync)\s*\(\s*3\b|fd\s*:\s*3\b"),
        ("tracer-names", r"__ct\$"),
    ],
}


def tracer_access(language, source):
    """Static scan: names of the ways this program could reach the tracer or
    its channel (a warning for the consumer, not a verdict)."""
    return [name for name, pattern in _TRACER_ACCESS.get(language, []) if re.search(pattern, source)]


# -- entry points ---------------------------------------------------------------


def serve(config):
    out = sys.stdout
    try:
        executor = Executor(config)
    except Exception as exc:
        out.write(json.dumps({"ready": False, "error": "%s: %s" % (type(exc).__name__, exc)}) + "\n")
        out.flush()
        return 1
    out.write(json.dumps({"ready": True, "python": sys.version.split()[0], "pid": os.getpid(),
                          "tier": executor.tier, "uid": executor.uid}) + "\n")
    out.flush()
    try:
        for line in sys.stdin:
            if not line.strip():
                continue
            result = run_one(executor, line)
            out.write(json.dumps(result, ensure_ascii=False) + "\n")
            out.flush()
            # Nothing of this job stays reachable in the next run's fork.
            del result, line
            executor.idle()
    finally:
        executor.close()
    return 0


def run_one(executor, line):
    job = None
    try:
        job = json.loads(line)
        return executor.run_job(job, line)
    except Exception as exc:  # our own failure, reported as data
        return {"job": job.get("job") if isinstance(job, dict) else None, "status": "sandbox_error",
                "detail": "executor: %s: %s" % (type(exc).__name__, exc)}


def self_test(config):
    """Start an executor of the given tier in this process and run one tiny
    job through it; print what happened as JSON."""
    report = {"tier": config["tier"], "ok": False, "error": None}
    try:
        executor = Executor(config)
        source = SELF_TEST % json.dumps(config["host"])
        job = {"job": 0, "language": "python", "mode": "plain", "source": source, "instrumented": None,
               "line_map": None, "input": {"kind": "stdin", "stdin": ""},
               "limits": {"timeout_ms": 5000, "cpu_ms": 5000, "memory_mb": 256, "max_output_bytes": 65536,
                          "max_events": 10, "max_processes": 8, "max_file_bytes": 65536, "max_value_chars": 100}}
        result = executor.run_job(job)
        executor.close()
        if result["status"] != "ok":
            report["error"] = "test run: %s: %s" % (result["status"], result["detail"] or result["stderr"].strip()[-300:])
        else:
            report["checks"] = json.loads(result["stdout"])
            report["ok"] = True
    except Exception as exc:
        report["error"] = "%s: %s" % (type(exc).__name__, exc)
    print(json.dumps(report))


# Run inside the sandbox by the self-test: each line checks one protection.
SELF_TEST = r'''
HOST = %s
import json, os, socket, resource
checks = {}
checks["uid"] = os.getuid() not in (0, HOST["uid"]) and os.geteuid() not in (0, HOST["uid"])
checks["pid"] = os.getpid() == 2
try:
    socket.create_connection(("1.1.1.1", 53), timeout=0.5); checks["net"] = False
except OSError:
    checks["net"] = len(socket.if_nameindex()) <= 1
checks["net"] = checks["net"] and os.readlink("/proc/self/ns/net") != HOST["net"]
checks["ipc"] = os.readlink("/proc/self/ns/ipc") != HOST["ipc"]
checks["fs-write"] = not any(os.access(p, os.W_OK) for p in HOST["writable"] + [os.path.dirname(os.__file__)])
checks["fs-read"] = not any(os.path.exists(p) for p in HOST["readable"])
checks["rlimits"] = resource.getrlimit(resource.RLIMIT_NPROC)[1] == 8 and resource.getrlimit(resource.RLIMIT_CORE)[1] == 0
print(json.dumps(checks))
'''


def probe(config):
    """Which protections work here? Try the strongest tier first: each
    attempt runs a real executor of that tier on a test program."""
    node = config.get("node")
    keep = sandbox.interpreter_paths(node, HERE)
    attempts = []
    skip_bwrap = os.environ.get("CODERL_TRACE_BWRAP") == "none"
    bwrap = None if skip_bwrap else sandbox.which_bwrap()
    tiers = []
    if config.get("tier") in (None, "auto", "bwrap"):
        tiers.append("bwrap")
    if config.get("tier") in (None, "auto", "bwrap", "namespaces"):
        tiers.append("namespaces")
    tiers.append("rlimits")
    chosen = None
    host = host_facts(keep)
    for tier in tiers:
        cfg = {"node": node, "tier": tier, "host": host}
        if tier == "bwrap":
            if not bwrap:
                why = "skipped (CODERL_TRACE_BWRAP=none)" if skip_bwrap else "bubblewrap (bwrap) not found; apt-get install bubblewrap"
                attempts.append({"tier": tier, "ok": False, "error": why})
                continue
            launch = sandbox.bwrap_argv(bwrap, keep) + ["--", sys.executable, "-s", "-B", os.path.abspath(__file__)]
        else:
            launch = [sys.executable, "-s", "-B", os.path.abspath(__file__)]
        try:
            done = subprocess.run(launch + ["--self-test", json.dumps(cfg)], capture_output=True, text=True, timeout=30)
            report = json.loads(done.stdout.strip().splitlines()[-1]) if done.stdout.strip() else {
                "tier": tier, "ok": False, "error": (done.stderr.strip() or "exit %d" % done.returncode)[-300:]}
        except (OSError, subprocess.TimeoutExpired, ValueError) as exc:
            report = {"tier": tier, "ok": False, "error": str(exc)}
        report["launch"] = launch
        attempts.append(report)
        if report["ok"]:
            chosen = report
            break
    protections = {}
    for name in sandbox.PROTECTIONS:
        active = bool(chosen and chosen.get("checks", {}).get(name))
        protections[name] = {"active": active, "description": sandbox.DESCRIPTIONS[name],
                             "why_not": None if active else _why_not(name, chosen, attempts)}
    print(json.dumps({
        "tier": chosen["tier"] if chosen else None,
        "launch": chosen["launch"] if chosen else None,
        "protections": protections,
        "attempts": [{k: a.get(k) for k in ("tier", "ok", "error")} for a in attempts],
        "bwrap": bwrap, "root": sandbox.is_root(), "python": sys.executable,
        "python_version": sys.version.split()[0],
    }))


def host_facts(keep):
    """What the self-test compares against: the host's namespaces, places
    that must not be writable, and readable places the sandbox must not see."""
    readable = [p for p in ("/home", "/var", "/opt", "/srv", "/mnt", "/root")
                if os.path.isdir(p) and os.access(p, os.R_OK) and not any(k.startswith(p + "/") for k in keep)]
    writable = ["/", "/usr", "/etc", "/var/tmp", os.path.expanduser("~"), HERE]
    return {"uid": os.getuid(), "net": os.readlink("/proc/self/ns/net"), "ipc": os.readlink("/proc/self/ns/ipc"),
            "readable": readable, "writable": [p for p in writable if os.path.isdir(p)]}


def _why_not(name, chosen, attempts):
    if chosen and chosen["tier"] == "rlimits" and all(a.get("ok") for a in attempts):
        return "not attempted (--unsafe-no-sandbox)"
    failures = "; ".join("%s tier: %s" % (a["tier"], a["error"]) for a in attempts if not a.get("ok"))
    if chosen and name in chosen.get("checks", {}):
        return "not provided by the %s tier%s" % (chosen["tier"], ("; " + failures) if failures else "")
    return failures or "unknown"


def main(argv):
    if len(argv) >= 3 and argv[1] == "--probe":
        return probe(json.loads(argv[2]))
    if len(argv) >= 3 and argv[1] == "--self-test":
        return self_test(json.loads(argv[2]))
    config = json.loads(argv[1]) if len(argv) > 1 and argv[1].startswith("{") else {
        "node": argv[1] if len(argv) > 1 else None, "tier": "rlimits"}
    if os.environ.get("CODERL_TRACE_TIMING"):
        config["timing"] = True
    return serve(config)


if __name__ == "__main__":
    sys.exit(main(sys.argv) or 0)
