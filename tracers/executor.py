"""Warm executor: runs jobs from the tool, one sandboxed run per job.

The tool starts one executor per --jobs slot and writes jobs to its stdin as
JSON lines (protocol in tracers/README.md). The executor never runs user
code itself. In the namespace tiers (tracers/sandbox.py) its runs are forked
by its zygote (tracers/zygote.py), a small fork server that is pid 1 of the
executor's own PID namespace: each program runs as pid 2, in fresh IPC and
/tmp, drops to the executor's sandbox uid, sets its limits and runs: Python
in-process through tracers/python/harness.py (a fork of a warm interpreter
costs ~1 ms, a fresh one ~15-40 ms), JavaScript by exec'ing node on
tracers/javascript/runner.js (or in the warm worker, tracers/jsworker.py).
The executor waits with a wall-clock timeout (on a timeout it kills the
zygote, and the kernel its whole namespace), reads the capped outputs and
answers with one JSON line.

    executor.py CONFIG_JSON             serve jobs on stdin
    executor.py --probe CONFIG_JSON     say which protections work here (doctor)

CONFIG_JSON: {"node": path, "tier": "bwrap" | "namespaces" | "rlimits", "cpu":
slot | null, "preload": [module, ...]}: with a slot, the executor, its zygote
and its runs stay on that core of the ones this process may use (the pool
gives one per core); preload: modules imported before runs are forked.
"""

import json
import marshal
import os
import secrets
import select
import shutil
import signal
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "python"))

import sandbox  # noqa: E402
import jsworker  # noqa: E402
import probe  # noqa: E402
import verdict  # noqa: E402
import warmup  # noqa: E402
import zygote  # noqa: E402  (the rlimits tier forks the executor itself: this imports the harness)
from sandbox import SETUP_FAILED  # noqa: E402

CHANNEL_CAP = 64 * 1024 * 1024
RUN_DIR = zygote.RUN_DIR
# Every limit a run uses. The tool sends them all with every job (their
# defaults live in src/run/limits.ts only); the tracers have no defaults.
LIMITS = ("timeout_ms", "cpu_ms", "memory_mb", "max_output_bytes", "max_events",
          "max_processes", "max_file_bytes", "max_value_chars")


def read_capped(fd, cap):
    """(up to cap bytes of the file, whether it had more). The run is over:
    the file no longer grows."""
    want = min(os.fstat(fd).st_size, cap + 1)
    chunks = []
    offset = 0
    while offset < want:
        chunk = os.pread(fd, want - offset, offset)
        if not chunk:
            break
        chunks.append(chunk)
        offset += len(chunk)
    data = chunks[0] if len(chunks) == 1 else b"".join(chunks)
    return data[:cap], len(data) > cap


def write_file(fd, data):
    """Rewrite a file in place (a waiting program already holds it open)."""
    view = memoryview(data)
    done = 0
    while done < len(view):
        done += os.pwrite(fd, view[done:], done)
    os.ftruncate(fd, done)


# -- the run ------------------------------------------------------------------


def plain_child(job, node, paths, run_dir):
    """rlimits tier: the program in a plain forked child of the executor."""
    try:
        sandbox.redirect_fds(paths)
    except BaseException:
        os._exit(SETUP_FAILED)
    zygote.program(job, node, run_dir, None)


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


class ForkServer:
    """The executor's end of its zygote (tracers/zygote.py): a fresh
    interpreter started as pid 1 of a new PID namespace, in new mount and
    IPC namespaces. Commands on its stdin, one report line per run on its
    stdout."""

    def __init__(self, node, uid, base_dir, file_names, tmp_bytes, keep, preload):
        config = {"path": sys.path, "node": node, "uid": uid, "base_dir": base_dir,
                  "files": file_names, "tmp_bytes": tmp_bytes, "keep": keep, "preload": preload}
        # -S: a small heap (site pulls in whatever .pth files import); the
        # zygote puts back the builtins site adds. Its environment is the
        # runs' scrubbed one from the start.
        argv = [sys.executable, "-S", "-s", "-B", zygote.__file__, json.dumps(config)]
        env = sandbox.scrubbed_env(RUN_DIR)
        command_r, self.commands = os.pipe()
        self.reports, report_w = os.pipe()
        try:
            self.pid = sandbox.enter_run_namespaces()
            if self.pid == 0:
                try:
                    os.dup2(command_r, 0)
                    os.dup2(report_w, 1)
                    sandbox.close_from(3)
                    os.execve(sys.executable, argv, env)
                finally:
                    os._exit(SETUP_FAILED)
        finally:
            os.close(command_r)
            os.close(report_w)
        ready, _, _ = select.select([self.reports], [], [], 60)
        hello = os.read(self.reports, 4096) if ready else b""
        if hello != b"ready\n":
            self.kill()
            raise sandbox.SandboxError("the fork server did not start: %s" % (hello.decode(errors="replace").strip() or "no answer"))

    def run(self, tmp_bytes, timeout_s):
        """Let the prepared program run (its job is in its job file).
        Returns (its wait status, cpu_ms, max_rss_kb) of the whole run, or
        None on a timeout."""
        os.write(self.commands, b"g%d" % tmp_bytes)
        ready, _, _ = select.select([self.reports], [], [], timeout_s)
        if not ready:
            return None
        report = os.read(self.reports, 128).split()
        if len(report) != 4:
            raise sandbox.SandboxError("the fork server died")
        return int(report[0]), (float(report[1]) + float(report[2])) * 1000, int(report[3])

    def kill(self):
        """SIGKILL the zygote: the kernel kills everything in its namespace.
        Returns its wait status and rusage."""
        kill_pid(self.pid)
        _, status, usage = os.wait4(self.pid, 0)
        self._close_pipes()
        return status, usage

    def close(self):
        """A closed command pipe makes the zygote kill its waiting program and exit."""
        self._close_pipes()
        os.waitpid(self.pid, 0)

    def _close_pipes(self):
        for fd in (self.commands, self.reports):
            try:
                os.close(fd)
            except OSError:
                pass


class Executor:
    """Per job (namespace tiers): the job goes to a program the zygote forked
    while the tool handled the previous result; the answer is sent as soon as
    the zygote has reaped the run."""

    def __init__(self, config):
        self.node = config.get("node") or shutil.which("node") or "node"
        self.tier = config["tier"]
        self.preload = config.get("preload") or []
        self.timing = bool(config.get("timing"))
        self.uid = sandbox.sandbox_uid() if self.tier != "rlimits" else None
        if config.get("cpu") is not None:
            # Before the zygote and the JS worker start: they and every run
            # inherit it. Only a speed-up: where it is refused, runs go anywhere.
            try:
                cpus = sorted(os.sched_getaffinity(0))
                os.sched_setaffinity(0, {cpus[config["cpu"] % len(cpus)]})
            except OSError:
                pass
        # What the runs must read (interpreters, tracers): kept in view by
        # every private /tmp when it lives under /tmp.
        self.keep = sandbox.interpreter_paths(self.node, HERE)
        if self.tier == "namespaces":
            sandbox.confine_executor(self.keep)
        self.base_dir = tempfile.mkdtemp(prefix="coderl-trace-", dir="/tmp")
        # Two file sets, used in turn: the zygote forks the next run (whose
        # program holds its set open, truncated) while the executor still
        # reads the last run's set.
        names = ("stdin", "stdout", "stderr", "channel", "job")
        self.file_names = [["%s.%d" % (name, turn) for name in names] for turn in (0, 1)]
        self.file_sets = [[os.path.join(self.base_dir, name) for name in names] for names in self.file_names]
        for path in self.file_sets[0] + self.file_sets[1]:
            open(path, "wb").close()
        # Kept open: a run is over when they are read, and its program had no
        # way to replace them (the zygote truncates the same inodes).
        self.file_fds = [[os.open(path, os.O_RDWR) for path in paths] for paths in self.file_sets]
        self.turn = 0
        # The size of the runs' private /tmp, /dev/shm: the last job's (a job
        # asking for another one resizes its own).
        self.tmp_bytes = sandbox.MIB
        self.zygote = None
        self.idle_ms = {}
        if self.tier != "rlimits":
            self._start_zygote()
        else:
            warmup.preload(self.preload)  # the runs are forks of this process
        # JavaScript runs the warm worker can reproduce exactly go there (tracers/jsworker.py).
        self.jsworker = jsworker.JsWorker(self.node, self.tier, self.base_dir, self.keep) \
            if config.get("js_worker", True) else None

    def close(self):
        if self.jsworker is not None:
            self.jsworker.stop()
        if self.zygote is not None:
            self.zygote.close()
            self.zygote = None
        for fd in self.file_fds[0] + self.file_fds[1]:
            os.close(fd)
        shutil.rmtree(self.base_dir, ignore_errors=True)

    def idle(self):
        """Between jobs: replace a zygote killed by a timeout."""
        if self.tier != "rlimits" and self.zygote is None:
            t0 = time.perf_counter()
            self._start_zygote()
            if self.timing:
                self.idle_ms = {"idle_zygote": (time.perf_counter() - t0) * 1000}

    def _start_zygote(self):
        self.zygote = ForkServer(self.node, self.uid, self.base_dir, self.file_names, self.tmp_bytes, self.keep, self.preload)
        self.turn = 0

    def run_job(self, job):
        """Run one job (a parsed job line)."""
        if self.jsworker is not None and job["language"] == "javascript" and jsworker.eligible(job):
            result = self.jsworker.run(job, secrets.token_hex(16))
            if result is not None:
                return result
        marks = [("start", time.perf_counter())]
        limits = job["limits"]
        if self.tier != "rlimits" and self.zygote is None:
            self.idle()
        paths = self.file_sets[self.turn]
        fds = self.file_fds[self.turn]
        # The program was forked before this seal existed: no run's memory
        # ever holds another's seal.
        seal = secrets.token_hex(16)
        stdin = job["input"].get("stdin", "") if job["input"]["kind"] == "stdin" else ""
        stdin = stdin.encode("utf-8", "surrogatepass")
        if stdin or os.fstat(fds[0]).st_size:  # most runs have none, as the last one
            write_file(fds[0], stdin)
        marks.append(("stdin", time.perf_counter()))
        if self.tier == "rlimits":
            started = time.monotonic()
            status, usage, timed_out = self._run_plain(dict(job, channel_seal=seal), limits, paths)
            cpu_ms = (usage.ru_utime + usage.ru_stime) * 1000
            max_rss = usage.ru_maxrss
        else:
            # marshal, not JSON: the program decodes it in C, touching (and so
            # copying) fewer of the zygote's pages. The probe table stays here.
            wire = {key: value for key, value in job.items() if key != "probes"}
            wire["channel_seal"] = seal
            if job["language"] == "python":
                wire["compiled"] = zygote.compile_ahead(job)
            write_file(fds[4], marshal.dumps(wire))
            marks.append(("job", time.perf_counter()))
            started = time.monotonic()
            status, cpu_ms, max_rss, timed_out = self._run_sandboxed(limits)
        duration_ms = (time.monotonic() - started) * 1000
        marks.append(("run", time.perf_counter()))
        cap = int(limits["max_output_bytes"])
        stdout, stdout_cut = read_capped(fds[1], cap)
        stderr, stderr_cut = read_capped(fds[2], cap)
        channel, channel_cut = read_capped(fds[3], CHANNEL_CAP)
        marks.append(("read", time.perf_counter()))
        outcome = verdict.classify(status, cpu_ms, timed_out, limits, stdout_cut, stderr_cut, verdict.text(stderr))
        result = verdict.result_record(job, outcome, seal, (stdout, stdout_cut), (stderr, stderr_cut),
                                       (channel, channel_cut), duration_ms, cpu_ms, max_rss)
        marks.append(("result", time.perf_counter()))
        if self.timing:
            timing = {name: round((t - marks[i][1]) * 1000, 3) for i, (name, t) in enumerate(marks[1:])}
            timing.update({k: round(v, 3) for k, v in self.idle_ms.items()})
            result["timing"] = timing
        return result

    def _run_sandboxed(self, limits):
        """Returns (the program's wait status, cpu_ms, max_rss_kb, timed_out)."""
        tmp_bytes = int(limits["max_file_bytes"])
        try:
            report = self.zygote.run(tmp_bytes, limits["timeout_ms"] / 1000.0)
        except BaseException:
            self.zygote.kill()
            self.zygote = None
            raise
        if report is None:
            # The run's processes die with the zygote's namespace; the next
            # job gets a new zygote (idle).
            status, usage = self.zygote.kill()
            self.zygote = None
            return status, (usage.ru_utime + usage.ru_stime) * 1000, usage.ru_maxrss, True
        self.turn ^= 1
        self.tmp_bytes = tmp_bytes
        return report + (False,)

    def _run_plain(self, job, limits, paths):
        """rlimits tier: a plain fork per run, in a fresh working directory."""
        run_dir = tempfile.mkdtemp(prefix="run-", dir=self.base_dir)
        try:
            pid = os.fork()
            if pid == 0:
                plain_child(job, self.node, paths[:4], run_dir)
            status, usage, timed_out = wait_with_timeout(pid, limits["timeout_ms"] / 1000.0, lambda: kill_group(pid))
            kill_group(pid)  # orphans left in the group by a finished child
            return status, usage, timed_out
        finally:
            shutil.rmtree(run_dir, ignore_errors=True)


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


def protocol_error(job):
    """Why a job cannot be run as sent (a limit missing), else None."""
    limits = job.get("limits")
    if not isinstance(limits, dict):
        return "the job has no limits"
    missing = [name for name in LIMITS if type(limits.get(name)) not in (int, float) or limits[name] < 0]
    if missing:
        return "the job has no limits.%s (the tool sends every limit with every job)" % ", limits.".join(missing)
    return None


def run_one(executor, line):
    job = None
    try:
        job = json.loads(line)
        error = protocol_error(job)
        if error is not None:
            return {"job": job.get("job"), "status": "sandbox_error", "detail": "executor: protocol error: " + error}
        return executor.run_job(job)
    except Exception as exc:  # our own failure, reported as data
        return {"job": job.get("job") if isinstance(job, dict) else None, "status": "sandbox_error",
                "detail": "executor: %s: %s" % (type(exc).__name__, exc)}


def main(argv):
    if len(argv) >= 3 and argv[1] == "--probe":
        return probe.probe(json.loads(argv[2]))
    if len(argv) >= 3 and argv[1] == "--self-test":
        return probe.self_test(json.loads(argv[2]), Executor)
    config = json.loads(argv[1]) if len(argv) > 1 and argv[1].startswith("{") else {
        "node": argv[1] if len(argv) > 1 else None, "tier": "rlimits"}
    if os.environ.get("CODERL_TRACE_TIMING"):
        config["timing"] = True
    return serve(config)


if __name__ == "__main__":
    sys.exit(main(sys.argv) or 0)
