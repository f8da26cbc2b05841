"""Independent re-run of programs, for checking build ground truth.

Shares no code with coderl-trace's instrumenter or runtime: it runs the
ORIGINAL program with sys.setprofile, keeps each frame's locals at its last
return (per qualified scope name), and the module globals at the end.
Input: JSON lines {"code", "stdin" | "call"}; output: JSON lines
{"stdout", "return", "finals": {scope: {name: [repr, reference_json]}},
"params": {scope: {name: repr at entry}}} (params: the arguments of the
frame whose locals are the finals, as they were when it was called).
PYTHONHASHSEED is the caller's: run it twice with two seeds to see which
values hang on set order.
With "line" and "hit" in the job: {"state": {name: [repr, reference_json]}},
the frame's variables right after that line ran for the hit-th time
(sys.settrace: the state at the frame's next line or return event).
Each program runs in a forked child so programs cannot affect each other.
"""
import contextlib
import io
import json
import os
import signal
import tempfile
import sys
import types

FILENAME = "<rollout>"


def reference_json(value):
    """What the CodeRL+ reference compares: json.dumps after turning tuples
    and sets into lists (sets in sorted-by-repr order)."""
    if isinstance(value, (set, frozenset)):
        value = sorted(value, key=repr)
    if isinstance(value, (list, tuple)):
        return [reference_json(v) for v in value]
    if isinstance(value, dict):
        return {json.dumps(k) if not isinstance(k, str) else k: reference_json(v) for k, v in value.items()}
    return value


def snapshot(values):
    out = {}
    for name, value in values.items():
        if name.startswith("__") and name.endswith("__"):
            continue
        if isinstance(value, (types.FunctionType, types.ModuleType, type, types.BuiltinFunctionType)):
            continue
        try:
            ref = json.loads(json.dumps(reference_json(value), allow_nan=False))
        except (TypeError, ValueError):
            ref = None
        out[name] = [repr(value), ref]
    return out


def feed_stdin(text):
    """The job's input on fd 0 too, for programs that read sys.stdin.buffer or open(0)."""
    with tempfile.TemporaryFile() as f:
        f.write(text.encode())
        f.seek(0)
        os.dup2(f.fileno(), 0)
    sys.stdin = open(0, "r", closefd=False)


def run_one(job):
    finals = {}
    params = {}
    entries = {}

    def profile(frame, event, arg):
        code = frame.f_code
        if code.co_filename != FILENAME or code.co_name == "<module>":
            return
        if event == "call":
            count = code.co_argcount + code.co_kwonlyargcount + bool(code.co_flags & 4) + bool(code.co_flags & 8)
            entries[id(frame)] = {name: safe_repr(frame.f_locals.get(name)) for name in code.co_varnames[:count]}
        elif event == "return":
            scope = code.co_qualname.replace("<locals>.", "")
            finals[scope] = snapshot(dict(frame.f_locals))
            params[scope] = entries.pop(id(frame), {})

    module = types.ModuleType("__main__")
    sys.modules["__main__"] = module
    stdout = io.StringIO()
    feed_stdin(job.get("stdin") or "")
    result = None
    with contextlib.redirect_stdout(stdout):
        sys.setprofile(profile)
        try:
            exec(compile(job["code"], FILENAME, "exec"), module.__dict__)
            if job.get("call"):
                result = eval(job["call"], module.__dict__)
        except SystemExit:
            pass
        finally:
            sys.setprofile(None)
    finals["<module>"] = snapshot(dict(module.__dict__))
    return {"stdout": stdout.getvalue(), "return": repr(result) if job.get("call") else None, "finals": finals, "params": params}


def safe_repr(value):
    try:
        return repr(value)
    except Exception:
        return None


def run_line_state(job):
    """The frame's variables right after the hit-th execution of a line: the
    state at that frame's next line (or return) event."""
    target, wanted = job["line"], job["hit"]
    seen = 0
    armed = None
    found = {}

    def local(frame, event, arg):
        nonlocal seen, armed
        if armed is frame and event in ("line", "return"):
            found.update(snapshot(dict(frame.f_locals)))
            armed = False
            sys.settrace(None)
            return None
        if event == "line" and frame.f_lineno == target and armed is None:
            seen += 1
            if seen == wanted:
                armed = frame
        return local

    def start(frame, event, arg):
        return local if frame.f_code.co_filename == FILENAME else None

    module = types.ModuleType("__main__")
    sys.modules["__main__"] = module
    feed_stdin(job.get("stdin") or "")
    with contextlib.redirect_stdout(io.StringIO()):
        sys.settrace(start)
        try:
            exec(compile(job["code"], FILENAME, "exec"), module.__dict__)
            if job.get("call"):
                eval(job["call"], module.__dict__)
        except SystemExit:
            pass
        finally:
            sys.settrace(None)
    return {"state": found}


def main():
    # All jobs first: a program may read fd 0, which must not be the job stream.
    for line in sys.stdin.read().splitlines():
        job = json.loads(line)
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(r)
            signal.alarm(int(os.environ.get("ORACLE_TIMEOUT", "0")))
            try:
                out = run_line_state(job) if "line" in job else run_one(job)
            except BaseException as exc:
                out = {"error": "%s: %s" % (type(exc).__name__, exc)}
            os.write(w, json.dumps(out).encode())
            os._exit(0)
        os.close(w)
        with os.fdopen(r, "rb") as f:
            data = f.read()
        os.waitpid(pid, 0)
        sys.__stdout__.write((data.decode() or json.dumps({"error": "no result (killed or timed out)"})) + "\n")
        sys.__stdout__.flush()


if __name__ == "__main__":
    main()
