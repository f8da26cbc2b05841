"""Inside the sandbox: the fork server of one executor, and the program.

The fork server ("zygote") is pid 1 of its executor's PID namespace and the
parent of every run. A fork costs what the forking process has mapped, and
every page either side writes afterwards costs a copy-on-write fault (a few
microseconds in a VM), so runs are not forked from the executor (which holds
the tool's pipes, jobs and results) but from this small process: a fresh
`python -S` with only the runtime imported, its objects frozen out of the
garbage collector's reach, doing as little as possible while a run is alive.

Between runs, while no run exists (so its own writes copy nothing), the
zygote prepares the next one: a fresh IPC namespace, a fresh private /tmp and
/dev/shm (the last run's, with whatever it wrote, are unmounted), the run's
files opened, then forks the program as pid 2, which waits for its go. The
executor writes the job into the run's job file and sends `g`; the zygote
passes the go on, waits for the program, kills whatever it left in the
namespace (kill(-1) from pid 1 reaches all of it), reaps it, and reports one
line: the program's wait status, the CPU time and the peak RSS of everything
the run started. The job never passes through the zygote, so no fork carries
an earlier job (or its channel seal) in memory.

    python -S -s -B zygote.py CONFIG_JSON    (stdin: commands, stdout: reports)

CONFIG_JSON: {"path": sys.path, "node", "uid", "base_dir", "files": [[stdin,
stdout, stderr, channel, job] names in base_dir, x2], "tmp_bytes", "keep"}:
two file sets used in turn, so the next program can have its set open
(truncated) while the executor still reads the last run's; "keep", the
paths runs must read (those under /tmp are bound into each run's /tmp).
"""

import gc
import json
import marshal
import os
import signal
import sys
import types

HERE = os.path.dirname(os.path.abspath(__file__))
if os.path.join(HERE, "python") not in sys.path:
    sys.path.insert(0, os.path.join(HERE, "python"))

import sandbox  # noqa: E402
import harness  # noqa: E402
import locations  # noqa: E402
import warmup  # noqa: E402
from channel import CHANNEL_FD, Channel  # noqa: E402
from sandbox import SETUP_FAILED  # noqa: E402

# The program's working directory (and $HOME) inside the sandbox, and its file.
RUN_DIR = "/tmp/run"
RUN_MAIN = RUN_DIR + "/main.py"


# -- the program ------------------------------------------------------------------


def program(job, node, cwd, uid, in_zygote=False):
    """The program's process: confine, then run. Never returns. in_zygote:
    forked by the zygote, whose environment is already the scrubbed one and
    which already set no_new_privs."""
    status = SETUP_FAILED
    try:
        os.setsid()
        os.chdir(cwd)
        if uid is not None:
            sandbox.drop_privileges(uid, no_new_privs=not in_zygote)
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
                             os.path.join(HERE, "javascript", "runner.js"), "job.json"], sandbox.scrubbed_env(cwd))
        channel = Channel(CHANNEL_FD, job.pop("channel_seal", None))
        compiled = unmarshal_compiled(job.pop("compiled", None))
        if not in_zygote:
            os.environ.clear()
            os.environ.update(sandbox.scrubbed_env(cwd))
        sandbox.set_limits(limits, "python")
        status = harness.run(job, channel, compiled)
    except BaseException as exc:  # set-up failure: say why on stderr
        try:
            os.write(2, ("coderl-trace sandbox: %s: %s\n" % (type(exc).__name__, exc)).encode())
        except BaseException:
            pass
    finally:
        os._exit(status)


_compiled = {}
COMPILED_CACHE = 256


def compile_ahead(job):
    """In the executor: the program's code object as harness.run would
    compile it in the run (same function, same path), marshalled, with its
    traced flag, and for an input that is a call (`f(1, 2)`) that
    expression's code object (else None); the program's is cached, as a
    program usually runs on several inputs. The executor compiles warm; the
    run would first copy every page of the compiler's objects it touches.
    None when compiling warns or fails (the run then compiles itself, so the
    warning or the error reaches its stderr and channel exactly as in a
    plain run), and when marshal would change the program: a frozenset
    constant rebuilt by marshal can iterate in another order than the one
    compile made."""
    if sys.flags.hash_randomization:
        return None
    key = (job["source"], job.get("instrumented"), repr(job.get("line_map")))
    if key not in _compiled:
        if len(_compiled) >= COMPILED_CACHE:
            del _compiled[next(iter(_compiled))]
        _compiled[key] = _ahead(lambda: locations.compile_program(job, RUN_MAIN))
    program = _compiled[key]
    if program is None:
        return None
    if job["input"]["kind"] != "call":
        return program + (None,)
    call = _ahead(lambda: (locations.compile_call(job["input"]["call"]), None))
    return None if call is None else program + (call[0],)


def _ahead(compile_step):
    """compile_step() -> (code object, flag), as (marshalled code, flag);
    None when it warns or fails, or when marshal would change the code."""
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            code, flag = compile_step()
            data = marshal.dumps(code)
            same = _iteration_orders(code) == _iteration_orders(marshal.loads(data))
        except Exception:
            return None
    return (data, flag) if same and not caught else None


def _iteration_orders(const):
    """The iteration order of every frozenset among a code object's constants."""
    if isinstance(const, types.CodeType):
        return tuple(_iteration_orders(c) for c in const.co_consts)
    if isinstance(const, tuple):
        return tuple(_iteration_orders(c) for c in const)
    if isinstance(const, frozenset):
        return tuple(repr(c) for c in const)
    return None


def unmarshal_compiled(compiled):
    """In the program: compile_ahead's (program, traced, call) as code objects."""
    if compiled is None:
        return None
    return marshal.loads(compiled[0]), compiled[1], None if compiled[2] is None else marshal.loads(compiled[2])


# -- the zygote ---------------------------------------------------------------------


class Zygote:
    def __init__(self, config):
        self.node = config["node"]
        self.uid = config["uid"]
        self.files = config["files"]
        self.tmp_bytes = int(config["tmp_bytes"])
        # Resolved through this handle, never through /tmp: from the first
        # run on, /tmp here is the runs' private tmpfs.
        self.base = os.open(config["base_dir"], os.O_PATH | os.O_DIRECTORY)
        self.last_pid = os.open("/proc/sys/kernel/ns_last_pid", os.O_WRONLY)
        # Held while /tmp is still the executor's: the runs' /tmp covers it.
        self.held = sandbox.hold_tmp_paths(config.get("keep", ()))
        self.turn = 0
        self.mounted = False

    def serve(self):
        while True:
            go, pid = self.prepare()
            command = os.read(0, 64)
            if command.startswith(b"g"):
                try:
                    os.write(go, b"g")
                except OSError:
                    pass  # the program died during its set-up: its status says why
            os.close(go)
            report = reap(pid)
            if not command.startswith(b"g"):
                return  # the executor is gone (or closed us): the run above was killed unused
            os.write(1, b"%d %.6f %.6f %d\n" % report)
            self.tmp_bytes = int(command[1:])
            self.turn ^= 1

    def prepare(self):
        """With no run alive: fresh namespaces for the next run, its files,
        and its program forked as pid 2 (a fresh namespace's first process
        gets pid 2: pids stay deterministic). Returns (go pipe, pid). The
        zygote's own fds 0-4 are taken, so the run's files open above them."""
        sandbox.unshare(sandbox.CLONE_NEWIPC)
        sandbox.fresh_run_tmp(RUN_DIR, self.tmp_bytes, self.uid, replace=self.mounted, held=self.held)
        self.mounted = True
        stdin, stdout, stderr, channel, job = self.files[self.turn]
        write = os.O_WRONLY | os.O_TRUNC | os.O_CREAT
        fds = [os.open(stdin, os.O_RDONLY, dir_fd=self.base)] + [
            os.open(name, write, 0o600, dir_fd=self.base) for name in (stdout, stderr, channel)]
        fds.append(os.open(job, os.O_RDONLY, dir_fd=self.base))
        go_r, go_w = os.pipe()
        os.pwrite(self.last_pid, b"1", 0)
        pid = os.fork()
        if pid == 0:
            waiting_program(self, fds, go_r)
        os.close(go_r)
        for fd in fds:
            os.close(fd)
        return go_w, pid


def waiting_program(zygote, fds, go):
    """pid 2, still root: the run's files on fds 0-3, then wait for the go,
    read the job, confine and run (program). Never returns."""
    try:
        for target in range(4):
            os.dup2(fds[target], target)
        job_fd = fds[4]
        sandbox.close_from(4, keep=(go, job_fd))
        if os.read(go, 1) != b"g":
            os._exit(0)  # discarded unused
        os.close(go)
        chunks = []
        while True:
            chunk = os.read(job_fd, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
        os.close(job_fd)
        job = marshal.loads(b"".join(chunks))
        tmp_bytes = int(job["limits"]["max_file_bytes"])
        if tmp_bytes != zygote.tmp_bytes:
            sandbox.resize_run_tmp(tmp_bytes)
    except BaseException as exc:
        try:
            os.write(2, ("coderl-trace sandbox: %s: %s\n" % (type(exc).__name__, exc)).encode())
        except BaseException:
            pass
        os._exit(SETUP_FAILED)
    program(job, zygote.node, RUN_DIR, zygote.uid, in_zygote=True)


def reap(pid):
    """Wait for the program, then SIGKILL everything else in the namespace
    until no child is left. Returns (program's wait status, user CPU s,
    system CPU s, peak RSS kB) over all the run's processes."""
    _, status, usage = os.wait4(pid, 0)
    user, system, rss = usage.ru_utime, usage.ru_stime, usage.ru_maxrss
    while True:
        if sandbox.kill_all() != 0:
            return status, user, system, rss  # nothing left (not even a zombie)
        try:
            _, _, usage = os.wait4(-1, 0)
        except ChildProcessError:
            return status, user, system, rss
        user += usage.ru_utime
        system += usage.ru_stime
        rss = max(rss, usage.ru_maxrss)


def main(argv):
    try:
        config = json.loads(argv[1])
        sys.path[:] = config["path"]
        _site_builtins()
        os.chdir("/")
        sandbox.prctl(sandbox.PR_SET_PDEATHSIG, signal.SIGKILL)  # executor gone -> namespace gone
        sandbox.prctl(sandbox.PR_SET_NO_NEW_PRIVS, 1)  # inherited by every run
        sandbox.mount("proc", "/proc", "proc", sandbox.MS_NOSUID | sandbox.MS_NODEV | sandbox.MS_NOEXEC)
        zygote = Zygote(config)
        sandbox.single_malloc_arena()
        # The runs' hot code specialized once here, not in every run.
        warmup.warm_up()
        warmup.preload(config["preload"])
        harness.freeze_imports()
    except Exception as exc:
        os.write(1, ("error %s: %s\n" % (type(exc).__name__, exc)).encode())
        return 1
    # Everything so far lives as long as this process: the runs' collections
    # never need to visit (and so copy) those pages. Freed heap pages go back
    # to the system: every page mapped here is copied into each fork's page
    # tables and torn down at its exit.
    gc.collect()
    gc.freeze()
    sandbox.trim_heap()
    os.write(1, b"ready\n")
    zygote.serve()
    return 0


def _site_builtins():
    """What `site` adds to builtins and programs use (exit, quit, help...),
    without the rest of site: -S keeps this heap small."""
    import site

    site.setquit()
    site.setcopyright()
    site.sethelper()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
