"""Python client of `coderl-trace serve` (stdlib only, Python 3.8+).

    from coderl_trace import Builder

    with Builder(keep="failed", jobs=4) as b:
        r = b.build(rows)          # rows: any records `coderl-trace build` reads
        r.tasks, r.rejects, r.stats

Keyword options are the build flags (`tests_per_program=2` is
`--tests-per-program 2`, `keep_errors=True` is `--keep-errors`); they are
given to `serve` once, as every request's defaults. `build(rows, **options)`
overrides them for one call (not jobs, python, limits or the sandbox, which
are fixed when the server starts).

One server process is started on first use and kept warm; if it died, the
next call starts a new one. An error answer raises BuildError. A Builder can
be shared by threads: requests are sent one at a time.
"""

import collections
import json
import os
import shutil
import subprocess
import sys
import threading

__all__ = ["Builder", "BuildResult", "BuildError", "ServerError", "default_command"]


class BuildError(Exception):
    """The server answered the request with an error (bad option, bad request, unreadable rows)."""

    def __init__(self, code, message, request_id=None):
        super().__init__("coderl-trace serve: %s: %s" % (code, message))
        self.code = code
        self.message = message
        self.request_id = request_id


class ServerError(Exception):
    """The server process could not be started or died during a request."""


class BuildResult:
    """One answer: tasks (in the chosen --format), rejects (with reasons) and the funnel counts."""

    __slots__ = ("tasks", "rejects", "stats")

    def __init__(self, tasks, rejects, stats):
        self.tasks = tasks
        self.rejects = rejects
        self.stats = stats

    def __repr__(self):
        return "BuildResult(%d tasks, %d rejects)" % (len(self.tasks), len(self.rejects))


def default_command():
    """argv that starts the CLI: this package's own bin, else `coderl-trace` on PATH."""
    here = os.path.dirname(os.path.abspath(__file__))
    own = os.path.join(here, "..", "..", "bin", "coderl-trace.js")
    if os.path.exists(own) and os.path.exists(os.path.join(here, "..", "..", "dist", "src", "cli.js")):
        return [shutil.which("node") or "node", os.path.normpath(own)]
    on_path = shutil.which("coderl-trace")
    if on_path:
        return [on_path]
    raise ServerError("cannot find coderl-trace: install the package (npm i -g coderl-trace) or pass command=[...]")


def flags(options):
    """Build options as command-line flags (True: a switch, a list: repeated)."""
    argv = []
    for name, value in options.items():
        flag = "--" + name.replace("_", "-")
        for v in value if isinstance(value, (list, tuple)) else [value]:
            if v is True:
                argv.append(flag)
            elif v is False or v is None:
                continue
            else:
                argv += [flag, str(v)]
    return argv


class Builder:
    def __init__(self, command=None, **options):
        self.command = list(command) if command else default_command()
        self.options = options
        self._lock = threading.Lock()
        self._proc = None
        self._drainer = None
        self._stderr_tail = collections.deque(maxlen=40)
        self._next_id = 0

    # -- public ---------------------------------------------------------------

    def build(self, rows, source=None, **options):
        """Build tasks from rows (dicts in any format `build` reads); returns a BuildResult."""
        with self._lock:
            self._next_id += 1
            request = {"id": self._next_id, "rollouts": list(rows)}
            if options:
                request["options"] = options
            if source is not None:
                request["source"] = source
            answer = self._exchange(request)
        if "error" in answer:
            error = answer["error"] or {}
            raise BuildError(error.get("code", "error"), error.get("message", ""), answer.get("id"))
        return BuildResult(answer["tasks"], answer["rejects"], answer["stats"])

    def close(self, timeout=30):
        """End the server (EOF on its stdin) and wait for it; it stops its executors first."""
        with self._lock:
            proc, self._proc = self._proc, None
        if proc is None:
            return
        try:
            proc.stdin.close()
        except OSError:
            pass
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.terminate()
            proc.wait()
        proc.stdout.close()

    @property
    def pid(self):
        """The server's pid (None before the first build)."""
        return self._proc.pid if self._proc is not None else None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        try:
            self.close(timeout=5)
        except Exception:
            pass

    # -- the server process ---------------------------------------------------

    def _exchange(self, request):
        proc = self._server()
        line = json.dumps(request, ensure_ascii=False) + "\n"
        try:
            proc.stdin.write(line.encode("utf-8"))
            proc.stdin.flush()
            reply = proc.stdout.readline()
        except (BrokenPipeError, OSError):
            reply = b""
        if not reply:
            proc.wait()
            self._proc = None
            for pipe in (proc.stdin, proc.stdout):
                try:
                    pipe.close()
                except OSError:
                    pass
            if self._drainer is not None:
                self._drainer.join(2)
            raise ServerError("coderl-trace serve exited (status %s) during request %s:\n%s"
                              % (proc.returncode, request["id"], "".join(self._stderr_tail).strip()))
        answer = json.loads(reply)
        if answer.get("id") not in (request["id"], None):
            raise ServerError("answer for request %r, expected %r" % (answer.get("id"), request["id"]))
        return answer

    def _server(self):
        """The live server process, started (again) if needed."""
        if self._proc is not None and self._proc.poll() is None:
            return self._proc
        if self._proc is not None:
            for pipe in (self._proc.stdin, self._proc.stdout):
                try:
                    pipe.close()
                except OSError:
                    pass
        argv = self.command + ["serve"] + flags(self.options)
        try:
            self._proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        except OSError as exc:
            raise ServerError("cannot start %s: %s" % (" ".join(argv), exc))
        self._drainer = threading.Thread(target=self._drain, args=(self._proc.stderr,), daemon=True)
        self._drainer.start()
        return self._proc

    def _drain(self, stream):
        """Pass the server's diagnostics on to our stderr, keeping the last lines for errors."""
        for raw in iter(stream.readline, b""):
            text = raw.decode("utf-8", "replace")
            self._stderr_tail.append(text)
            sys.stderr.write(text)
        stream.close()
