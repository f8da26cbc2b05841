"""The harness: runs one job's program in this (already sandboxed) process.

Forked from the fork server (tracers/zygote.py), or from the executor in the
rlimits tier. It gives the program what `python3 main.py` gives it (fresh
std streams, a `__main__` module, sys.path, the recursion limit), installs
the hooks of tracers/python/hooks.py when the job is traced, runs the
program (and its call input), and writes the END record to the channel.
"""

import builtins
import importlib.machinery
import io
import os
import sys
import traceback
import types

import shutdown
from encode import Encoder
from hooks import PROBE_HEADROOM, RecursionLimit, Tracer, is_hidden, stack_depth_of
from locations import compile_call, compile_program


def _install_stdio():
    """Fresh std streams on fds 0-2, as a newly started interpreter has them
    (block-buffered when not a tty), so output bytes match a plain run."""
    sys.stdin = sys.__stdin__ = io.TextIOWrapper(io.BufferedReader(io.FileIO(0, "r", closefd=False)), encoding="utf-8")
    sys.stdout = sys.__stdout__ = io.TextIOWrapper(io.BufferedWriter(io.FileIO(1, "w", closefd=False)), encoding="utf-8")
    sys.stderr = sys.__stderr__ = io.TextIOWrapper(
        io.BufferedWriter(io.FileIO(2, "w", closefd=False)), encoding="utf-8", errors="backslashreplace", line_buffering=True
    )


def _isolate_imports(run_dir):
    """sys.path[0] is the script's directory in a plain run, and the
    tracer's own modules must not shadow or be found by user imports."""
    path, names = _own_imports if _own_imports is not None else own_imports()
    sys.path[:] = [run_dir] + path
    for name in names:
        sys.modules.pop(name, None)


def own_imports():
    """(sys.path without the tracer's directories, names in sys.modules of
    the tracer's own modules). Computed once before the fork server forks
    (freeze_imports): walking every module in each run copied ~130 pages."""
    ours = os.path.dirname(os.path.abspath(__file__))
    tracers = os.path.dirname(ours)
    path = [p for p in sys.path if os.path.abspath(p or ".") not in (ours, tracers)]
    names = [name for name, module in list(sys.modules.items())
             if name != "__main__" and isinstance(getattr(module, "__file__", None), str)
             and os.path.dirname(os.path.abspath(module.__file__)) in (ours, tracers)]
    return path, names


_own_imports = None


def freeze_imports():
    """In the fork server, after its last import: every run isolates the same modules."""
    global _own_imports
    _own_imports = own_imports()


def _main_module(path):
    """A `__main__` with the same names, in the same order, as `python3 main.py` makes."""
    module = types.ModuleType("__main__")
    module.__loader__ = importlib.machinery.SourceFileLoader("__main__", path)
    module.__annotations__ = {}
    module.__builtins__ = builtins
    module.__file__ = path
    module.__cached__ = None
    sys.modules["__main__"] = module
    return module.__dict__


def _resolve_entry(globals_, input_, call_code):
    if input_["kind"] == "call":
        return lambda: eval(call_code or compile_call(input_["call"]), globals_)
    name = input_["fn_name"]
    args = input_["args"]
    target = globals_.get(name)
    if callable(target):
        return lambda: target(*args)
    solution = globals_.get("Solution")
    if isinstance(solution, type) and callable(getattr(solution, name, None)):
        return lambda: getattr(solution(), name)(*args)
    raise NameError("no function or Solution method named %r" % name)


def _user_traceback(tb, path):
    """Drop the runtime's own frames so the printed traceback is the one a
    plain `python3 main.py` would print."""
    while tb is not None and tb.tb_frame.f_code.co_filename != path:
        tb = tb.tb_next
    return tb


def _without_last_frame(tb, path):
    """Our RecursionError is raised in the frame a plain run could not push:
    drop that frame (and the probe's) so the traceback ends where the plain one does."""
    keep = None
    entry = tb
    while entry is not None and entry.tb_next is not None:
        if entry.tb_next.tb_frame.f_code.co_filename == path:
            keep = entry
        entry = entry.tb_next
    if keep is not None:
        keep.tb_next = None
    return tb


def _exception_record(exc, tb):
    line = None
    while tb is not None:
        line = tb.tb_lineno
        tb = tb.tb_next
    if isinstance(exc, SyntaxError):
        line = exc.lineno
    try:
        message = str(exc)
    except BaseException:
        message = "<unprintable %s>" % type(exc).__name__
    return {"type": type(exc).__name__, "message": message, "line": line}


def run(job, channel, compiled=None):
    """Run one job; returns the exit status. channel: the trace channel
    (tracers/python/channel.py); compiled: None, or (program code, traced,
    call input code | None) compiled ahead by the executor as
    compile_program and compile_call would."""
    path = os.path.abspath("main.py")
    with open(path, "w", encoding="utf-8") as f:
        f.write(job["source"])
    _install_stdio()
    sys.argv = ["main.py"]
    _isolate_imports(os.path.dirname(path))
    globals_ = _main_module(path)
    import linecache

    linecache.cache[path] = (len(job["source"]), None, job["source"].splitlines(True), path)
    result = {"return": None, "exception": None, "traced": False}
    status = 0
    tracer = None
    prelude = {}
    shutdown.forget_exit_handlers()
    try:
        if job.get("prelude"):
            prelude = _run_prelude(job["prelude"], globals_)
        try:
            code, traced = compiled[:2] if compiled is not None else compile_program(job, path)
        except SyntaxError:
            result["phase"] = "compile"
            raise
        result["traced"] = traced
        if traced and job["mode"] == "trace":
            tracer = Tracer(job, channel, prelude, path)
            tracer.install()
        recursion = RecursionLimit(stack_depth_of(sys._getframe()), PROBE_HEADROOM if tracer else 0)
        if tracer is not None:
            tracer.recursion = recursion
        exec(code, globals_)
        if job["input"]["kind"] != "stdin":
            value = _resolve_entry(globals_, job["input"], compiled[2] if compiled is not None else None)()
            encoder = tracer.encoder if tracer is not None else Encoder(max_chars=int(job["limits"]["max_value_chars"]))
            result["return"] = encoder.encode(value)
            value = None  # finalized at teardown, as the program's own objects are
    except SystemExit as exc:
        status = _system_exit_status(exc)
    except BaseException as exc:
        tb = _user_traceback(exc.__traceback__, path)
        if tracer is not None and exc is tracer.recursion_error:
            tb = _without_last_frame(tb, path)
        result["exception"] = _exception_record(exc, tb)
        try:
            # Through sys.excepthook, as a plain run does: the C display adds
            # the "Did you mean" hints that traceback.print_exception lacks
            # in 3.11, and a hook the program installed still runs.
            sys.excepthook(type(exc), exc.with_traceback(tb), tb)
        except BaseException:
            try:
                traceback.print_exception(type(exc), exc, tb)
            except BaseException:
                pass
        status = 1
    # What the interpreter does after the program's last line, still traced:
    # wait for its threads, then its atexit handlers.
    try:
        shutdown.wait_for_threads()
        shutdown.run_exit_handlers()
    except BaseException:
        pass
    _finish(tracer, globals_, prelude, result, channel)
    # Then module teardown: finalizers print as they do in a plain run.
    try:
        if tracer is not None:
            tracer.release()
        prelude.clear()
        shutdown.tear_down(globals_)
    except BaseException:
        pass
    _flush_stdio()
    return status


def _run_prelude(source, globals_):
    """A judge's prelude (imports the judge adds before the program): run
    in the program's globals, untraced, under a file name of its own so
    tracebacks and line numbers stay the program's. Returns the names it
    bound, with their objects: unchanged, they are not the program's
    variables (no events, no finals)."""
    before = dict(globals_)
    exec(compile(source, "<prelude>", "exec", dont_inherit=True), globals_)
    return {name: obj for name, obj in globals_.items() if name not in before or before[name] is not obj}


def _finish(tracer, globals_, prelude, result, channel):
    """Write the END record, whatever state the program left us in (out of
    memory, hostile globals): a shorter END beats none."""
    try:
        if tracer is not None:
            tampered = tracer.uninstall()  # module finals must not record events
            if tampered:
                result["tampered"] = tampered
            module_vars = {k: v for k, v in list(globals_.items())  # type(), not isinstance: it may ask k for __class__
                           if type(k) is str and not is_hidden(k) and not (k in prelude and prelude[k] is v)}
            tracer.finals["<module>"] = tracer._encode_all(module_vars)
            result["finals"] = tracer.resolved_finals()
            result["events"] = tracer.events
            result["value_cut"] = tracer.encoder.cut
        channel.end(result)
    except BaseException as exc:
        result.pop("finals", None)
        result["tracer_error"] = type(exc).__name__
        try:
            channel.end(result)
        except BaseException:
            pass
    _flush_stdio()


def _system_exit_status(exc):
    code = exc.code
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    try:
        sys.stderr.write(str(code) + "\n")
    except BaseException:
        pass
    return 1


def _flush_stdio():
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BaseException:
            pass
