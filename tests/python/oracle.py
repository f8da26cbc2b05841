"""Independent reference for the Python tracer: a small sys.settrace oracle.

It shares no code with src/instrument or tracers/: it runs the ORIGINAL
program under sys.settrace and records, for every frame of a user function
(and the module), the variables at each line event and at frame exit.

    python3 oracle.py REPORT.json        run ./main.py as a script (stdin as given)
    python3 oracle.py --calls            JSONL {"id","code","call"|null} on stdin ->
                                         JSONL {"id","return","finals","frames"} on stdout

Values are recorded as `repr` only when the value is plain data (None, bool,
int, float, str, bytes and list/tuple/dict/set/frozenset of those, small
enough that no encoder cap applies); anything else is recorded as None,
meaning "bound, value not compared".

Report: {"frames": [{"scope", "states": [{name: repr|None}, ...], "lines": [...]}],
         "finals": {scope: {name: repr|None}}}  (finals: last exit of each scope)
"""
import json
import os
import sys
import types

CO_OPTIMIZED = 0x1
PLAIN_SCALARS = (type(None), bool, int, float, str, bytes)
PLAIN_CONTAINERS = (list, tuple, dict, set, frozenset)
MAX_ITEMS = 40
MAX_DEPTH = 4
MAX_REPR = 400


def is_plain(value, depth=0):
    t = type(value)
    if t in PLAIN_SCALARS:
        if t is int:
            return abs(value) < 10 ** 300
        return t not in (str, bytes) or len(value) <= 300
    if t not in PLAIN_CONTAINERS or depth >= MAX_DEPTH or len(value) > MAX_ITEMS:
        return False
    items = value.items() if t is dict else ((v, None) for v in value)
    return all(is_plain(k, depth + 1) and (v is None or is_plain(v, depth + 1)) for k, v in items)


def plain_repr(value):
    if not is_plain(value):
        return None
    text = repr(value)
    return text if len(text) <= MAX_REPR else None


def scope_of(code):
    """Qualified scope name as the tracer names it: `outer.inner`, `C.m`."""
    if code.co_name == "<module>":
        return "<module>"
    return code.co_qualname.replace(".<locals>", "")


def is_traced_code(code, filename):
    if code.co_filename != filename:
        return False
    if code.co_name == "<module>":
        return True
    # Functions only: not class bodies, lambdas, comprehensions, genexprs.
    return bool(code.co_flags & CO_OPTIMIZED) and not code.co_name.startswith("<")


class Oracle:
    """max_lines bounds the work on long runs: past it nothing more is
    recorded and the report says `capped` (its frames are then a prefix)."""

    def __init__(self, filename, max_lines=None):
        self.filename = filename
        self.max_lines = max_lines
        self.lines = 0
        self.capped = False
        self.frames = []  # [{"scope", "states"}]
        self.by_frame = {}  # id(frame) -> (frame, record); frames kept alive so ids stay unique
        self.finals = {}

    def snapshot(self, frame):
        return {
            name: plain_repr(value)
            for name, value in frame.f_locals.items()
            if not (name.startswith("__") and name.endswith("__"))
        }

    def global_trace(self, frame, event, arg):
        if self.capped or event != "call" or not is_traced_code(frame.f_code, self.filename):
            return None
        if id(frame) not in self.by_frame:
            record = {"scope": scope_of(frame.f_code), "states": [], "lines": []}
            self.frames.append(record)
            self.by_frame[id(frame)] = (frame, record)
        return self.local_trace

    def local_trace(self, frame, event, arg):
        if self.capped:
            return None
        _, record = self.by_frame[id(frame)]
        if event == "line":
            self.lines += 1
            if self.max_lines is not None and self.lines > self.max_lines:
                self.capped = True
                return None
            record["lines"].append(frame.f_lineno)
            state = self.snapshot(frame)
            if not record["states"] or record["states"][-1] != state:
                record["states"].append(state)
        elif event == "return":
            self.finals[record["scope"]] = self.snapshot(frame)
        return self.local_trace

    def start(self):
        sys.settrace(self.global_trace)

    def stop(self):
        sys.settrace(None)

    def report(self):
        return {"frames": self.frames, "finals": self.finals}


def run_script(report_path):
    path = os.path.abspath("main.py")
    with open(path, encoding="utf-8") as f:
        source = f.read()
    module = types.ModuleType("__main__")
    module.__file__ = path
    module.__builtins__ = __builtins__
    sys.modules["__main__"] = module
    sys.argv = ["main.py"]
    oracle = Oracle(path)
    code = compile(source, path, "exec", dont_inherit=True)
    status = 0
    oracle.start()
    try:
        exec(code, module.__dict__)
    except SystemExit as exc:
        status = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:
        status = 1
    finally:
        oracle.stop()
        with open(report_path, "w", encoding="utf-8") as f:
            json.dump(oracle.report(), f)
    sys.stdout.flush()
    os._exit(status)


def run_calls():
    import io

    out = sys.stdout
    for line in sys.stdin:
        rec = json.loads(line)
        filename = "<cruxeval %s>" % rec["id"]
        env = {"__name__": "__main__", "__builtins__": __builtins__}
        oracle = Oracle(filename, max_lines=20000)
        sys.stdout = io.StringIO()
        result = {"id": rec["id"]}
        try:
            code = compile(rec["code"], filename, "exec", dont_inherit=True)
            if rec.get("call") is None:  # a whole program, traced from its first line
                oracle.start()
                try:
                    exec(code, env)
                finally:
                    oracle.stop()
            else:
                exec(code, env)
                oracle.start()
                try:
                    value = eval(rec["call"], env)
                finally:
                    oracle.stop()
                result["return"] = repr(value)
        except BaseException as exc:
            result["error"] = "%s: %s" % (type(exc).__name__, exc)
        finally:
            sys.stdout = out
        result["finals"] = oracle.finals
        result["frames"] = oracle.frames
        result["capped"] = oracle.capped
        out.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    if sys.argv[1:] == ["--calls"]:
        run_calls()
    else:
        run_script(sys.argv[1])
