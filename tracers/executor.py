"""Warm executor: runs jobs from the tool, one sandboxed child per job.

The tool starts one executor per --jobs slot and writes jobs to its stdin as
JSON lines (protocol in tracers/README.md). For each job the executor forks
a child, which confines itself (tracers/sandbox.py) and runs the program:
Python in-process through tracers/python/runtime.py (a fork of a warm
interpreter costs ~1.5 ms, a fresh one ~15 ms), JavaScript by exec'ing node
on tracers/javascript/runner.js. The executor waits with a wall-clock
timeout, kills the child's whole process group, reads the capped outputs and
answers with one JSON line. It never runs user code itself.
"""

import json
import os
import select
import shutil
import signal
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "python"))

import sandbox  # noqa: E402
import runtime  # noqa: E402  (imported before forking so children start warm)

CHANNEL_CAP = 64 * 1024 * 1024
# Exit code the child uses when its own set-up failed (before user code ran).
SETUP_FAILED = 121


def read_capped(path, cap):
    try:
        with open(path, "rb") as f:
            data = f.read(cap + 1)
    except OSError:
        return "", False
    return data[:cap].decode("utf-8", "replace"), len(data) > cap


def child(job, run_dir, node):
    """In the forked child: confine, then run. Never returns."""
    status = SETUP_FAILED
    try:
        os.setsid()
        os.chdir(run_dir)
        sandbox.redirect_fds("stdin", "stdout", "stderr", "channel")
        env = sandbox.scrubbed_env(run_dir)
        limits = job["limits"]
        if job["language"] == "javascript":
            with open("job.json", "w") as f:
                json.dump(job, f)
            sandbox.set_limits(limits, "javascript")
            heap = max(16, int(limits["memory_mb"]))
            os.execve(node, [node, "--max-old-space-size=%d" % heap, "--stack-size=984",
                             os.path.join(HERE, "javascript", "runner.js"), "job.json"], env)
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


def wait_with_timeout(pid, timeout_s):
    """Wait for the child; on timeout kill its process group. Returns
    (wait status, rusage, timed_out)."""
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
        kill_group(pid)
    _, status, usage = os.wait4(pid, 0)
    kill_group(pid)  # orphans left in the group by a finished child
    return status, usage, timed_out


def kill_group(pid):
    try:
        os.killpg(pid, signal.SIGKILL)
    except OSError:
        pass


def classify(status, usage, timed_out, limits, stdout_cut, stderr_cut):
    cpu_ms = (usage.ru_utime + usage.ru_stime) * 1000
    exit_code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else None
    sig = os.WTERMSIG(status) if os.WIFSIGNALED(status) else None
    sig_name = signal.Signals(sig).name if sig else None
    if timed_out:
        return "timeout", "wall-clock timeout of %d ms" % limits["timeout_ms"], exit_code, sig_name
    if sig == signal.SIGXCPU or (sig == signal.SIGKILL and cpu_ms >= limits["cpu_ms"]):
        return "cpu_limit", "CPU time limit of %d ms" % limits["cpu_ms"], exit_code, sig_name
    if sig == signal.SIGXFSZ:
        return "output_limit", "output file size limit of %d bytes" % limits["max_file_bytes"], exit_code, sig_name
    if exit_code == SETUP_FAILED:
        return "sandbox_error", "sandbox set-up failed (see stderr)", exit_code, sig_name
    if sig is not None:
        return "killed", "killed by %s" % sig_name, exit_code, sig_name
    if stdout_cut or stderr_cut:
        return "output_limit", "output over %d bytes" % limits["max_output_bytes"], exit_code, sig_name
    return ("ok" if exit_code == 0 else "runtime_error"), None, exit_code, sig_name


def run_job(job, base_dir, node):
    run_dir = tempfile.mkdtemp(prefix="run-", dir=base_dir)
    try:
        with open(os.path.join(run_dir, "stdin"), "w", encoding="utf-8") as f:
            f.write(job["input"].get("stdin", "") if job["input"]["kind"] == "stdin" else "")
        limits = job["limits"]
        started = time.monotonic()
        pid = os.fork()
        if pid == 0:
            child(job, run_dir, node)
        status, usage, timed_out = wait_with_timeout(pid, limits["timeout_ms"] / 1000.0)
        duration_ms = (time.monotonic() - started) * 1000
        cap = int(limits["max_output_bytes"])
        stdout, stdout_cut = read_capped(os.path.join(run_dir, "stdout"), cap)
        stderr, stderr_cut = read_capped(os.path.join(run_dir, "stderr"), cap)
        channel, channel_cut = read_capped(os.path.join(run_dir, "channel"), CHANNEL_CAP)
        verdict, detail, exit_code, sig_name = classify(status, usage, timed_out, limits, stdout_cut, stderr_cut)
        return {
            "job": job["job"], "status": verdict, "detail": detail,
            "exit_code": exit_code, "signal": sig_name,
            "duration_ms": round(duration_ms, 3),
            "cpu_ms": round((usage.ru_utime + usage.ru_stime) * 1000, 3),
            "max_rss_kb": usage.ru_maxrss,
            "stdout": stdout, "stdout_truncated": stdout_cut,
            "stderr": stderr, "stderr_truncated": stderr_cut,
            "channel": channel, "channel_truncated": channel_cut,
        }
    finally:
        shutil.rmtree(run_dir, ignore_errors=True)


def main():
    node = sys.argv[1] if len(sys.argv) > 1 else shutil.which("node") or "node"
    base_dir = tempfile.mkdtemp(prefix="coderl-trace-")
    out = sys.stdout
    out.write(json.dumps({"ready": True, "python": sys.version.split()[0], "pid": os.getpid()}) + "\n")
    out.flush()
    try:
        for line in sys.stdin:
            if not line.strip():
                continue
            job = json.loads(line)
            try:
                result = run_job(job, base_dir, node)
            except Exception as exc:  # our own failure, reported as data
                result = {"job": job.get("job"), "status": "sandbox_error",
                          "detail": "executor: %s: %s" % (type(exc).__name__, exc)}
            out.write(json.dumps(result, ensure_ascii=False) + "\n")
            out.flush()
    finally:
        shutil.rmtree(base_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
