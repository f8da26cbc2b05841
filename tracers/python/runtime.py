"""Runtime for instrumented Python programs.

Runs inside the sandboxed child (forked from tracers/executor.py), next to
the untrusted program. The instrumenter (src/instrument/python.ts) rewrote
the program so that it calls these hooks:

    __ctt__ and __ctp__(k)
                 probe k ran: record the variables of the calling frame that
                 changed since that frame's previous event (__ctt__ is true
                 until the event cap)
    __cte__(k)   probe k on entry to a function body: also tracks frames
                 after the cap (depth, the plain run's recursion limit)
    __ctx__(s)   a frame of scope s is exiting (from a `finally:`): keep its
                 variables as the finals of scope s

Events go to the private trace channel (fd 3) as JSON lines; the program's
own stdout/stderr are untouched. See tracers/README.md for the record shapes.
"""

import builtins
import importlib.machinery
import io
import json
import os
import pickle
import sys
import traceback
import types
import warnings
from itertools import groupby

from encode import Encoder

_getframe = sys._getframe
CodeType = types.CodeType

# Values of these types are immutable all the way down, so "same object as
# last time" means "same value" and the encoder can be skipped.
_ATOMIC = frozenset([int, float, str, bool, type(None), bytes, complex, range])

# Builtin containers get a fingerprint: their pickle, made by the C pickler
# (fast, exact about types: 1 vs True vs 1.0, -0.0, nan bits), which refuses
# anything but builtin containers and atoms, so no user code can run. Equal
# fingerprints mean equal values, so the (slower) encoder is skipped.
# Atoms whose encoding is cached by (type, value). Not float: 0.0 == -0.0.
_CACHED_ATOMS = frozenset([int, str, bool, type(None)])
_CACHED_INT = 2 ** 63
_MAX_SAFE = 2 ** 53
_int_repr = int.__repr__
_CONTAINERS = frozenset([list, tuple, dict, set, frozenset, bytearray])
_FINGERPRINT_BYTES = 256 * 1024
_MAX_FINGERPRINT_LEN = 4096
_TOO_BIG = b""  # marker: this variable's value was too big to fingerprint
_CHANGING = b"~"  # marker: mutated in place at its last event (no pickle: never equals a fingerprint)


class _NotPlain(Exception):
    pass


class _Fingerprinter(pickle.Pickler):
    def reducer_override(self, obj):
        # Called for everything but None, bools, int, float, str, bytes and
        # exact dict/set/frozenset/list/tuple/bytearray.
        raise _NotPlain


class _CappedSink:
    __slots__ = ("parts", "size")

    def write(self, data):
        self.size += len(data)
        if self.size > _FINGERPRINT_BYTES:
            raise _NotPlain
        self.parts.append(data)


_sink = _CappedSink()


def _fingerprint(obj):
    """Pickle bytes of a builtin container of atoms; None when it holds
    anything else; _TOO_BIG when comparing would cost more than encoding."""
    if len(obj) > _MAX_FINGERPRINT_LEN:
        return _TOO_BIG
    _sink.parts = []
    _sink.size = 0
    try:
        _Fingerprinter(_sink, 4).dump(obj)
    except _NotPlain:
        return _TOO_BIG if _sink.size > _FINGERPRINT_BYTES else None
    except BaseException:  # RecursionError on deep nesting, MemoryError
        return None
    return b"".join(_sink.parts)


# Frames a probe may need above the deepest user frame (probe, diff, encoder
# entry; the encoder raises the limit itself for its own recursion).
_PROBE_HEADROOM = 50

CHANNEL_FD = 3
_FLUSH_BYTES = 16 * 1024


# Records hold encoder output only (no cycles): skip the circularity check.
_to_json = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False).encode


class Channel:
    """Buffered writer for the trace channel; flushes often enough that a
    run killed by a timeout still leaves most of its trace behind."""

    def __init__(self, fd):
        self.fd = fd
        self.parts = []
        self.size = 0

    def write(self, record):
        self.write_line(_to_json(record) + "\n")

    def write_line(self, line):
        self.parts.append(line)
        self.size += len(line)
        if self.size >= _FLUSH_BYTES:
            self.flush()

    def flush(self):
        if not self.parts:
            return
        data = "".join(self.parts).encode("utf-8", "surrogatepass")
        self.parts = []
        self.size = 0
        try:
            view = memoryview(data)
            while view:
                n = os.write(self.fd, view)
                view = view[n:]
        except OSError:
            pass  # channel closed or full: the executor sees a short trace


class _Deferred:
    """A final container encoded at the end of the run, rebuilt from its
    fingerprint (an exact copy taken at frame exit)."""
    __slots__ = ("fp",)

    def __init__(self, fp):
        self.fp = fp

    def value(self):
        return pickle.loads(self.fp)


class FrameState:
    __slots__ = ("id", "depth", "stack_depth", "prev")

    def __init__(self, fid, depth, stack_depth):
        self.id = fid
        self.depth = depth
        self.stack_depth = stack_depth  # all frames below and including this one
        self.prev = {}  # name -> (object, encoded value, fingerprint) at the last event


_real_getrecursionlimit = sys.getrecursionlimit
_real_setrecursionlimit = sys.setrecursionlimit


class RecursionLimit:
    """The recursion limit a plain `python3 main.py` run would see.

    Our module frame sits on top of the executor's frames (`offset` of them),
    and probes need a few frames of their own (`headroom`). The real limit is
    raised by both, sys.getrecursionlimit/setrecursionlimit are wrapped to
    show and take the plain-run value, and the tracer raises RecursionError
    itself when a new frame lies deeper than a plain run would allow.
    """

    def __init__(self, offset, headroom):
        self.headroom = headroom
        self.shift = offset + headroom
        _real_setrecursionlimit(_real_getrecursionlimit() + self.shift)
        sys.getrecursionlimit = self.get
        sys.setrecursionlimit = self.set

    def get(self):
        return _real_getrecursionlimit() - self.shift

    def set(self, limit):
        if not isinstance(limit, int) or limit < 1:
            return _real_setrecursionlimit(limit)  # the interpreter's own error
        _real_setrecursionlimit(limit + self.shift)

    def exceeded(self, stack_depth):
        return stack_depth > _real_getrecursionlimit() - self.headroom


def _stack_depth(frame):
    depth = 0
    while frame is not None:
        depth += 1
        frame = frame.f_back
    return depth


def _is_hidden(name):
    return name.startswith("__") and name.endswith("__")


class Tracer:
    def __init__(self, job, channel, globals_):
        limits = job.get("limits") or {}
        self.channel = channel
        self.globals = globals_
        self.probe_scopes = job["probe_scopes"]
        self.scopes = job["scopes"]
        self.max_events = int(limits.get("max_events", 10000))
        self.encoder = Encoder(max_str=int(limits.get("max_value_chars", 500)))
        self.events = 0
        self.states = {}  # id(frame) -> FrameState, removed when the frame exits
        self.next_frame = 0
        self.finals = {}  # scope -> {name: value}, last exit wins
        self.recursion = None  # RecursionLimit, set by run()
        self.atom_cache = {}  # (type, value) -> encoded value
        self.atom_json = {}  # id(encoded value in atom_cache) -> its JSON text (those values live as long as the cache)
        self.recursion_error = None  # the RecursionError we raised, if any

    # -- hooks called from the instrumented program ------------------------

    def probe(self, k):
        if self.encoder.busy:
            return  # a user __repr__ run by the encoder: not the program's own step
        frame = _getframe(1)
        state = self.states.get(id(frame))
        if state is None:
            state = self._new_frame(frame, self.scopes[self.probe_scopes[k]])
        changed = self._diff(state, frame.f_locals)
        self.events += 1
        self.channel.write_line(self._event_line(k, state.id, changed))
        if self.events >= self.max_events:
            self._cap()

    def enter(self, k):
        """Probe on entry to a function body (after the cap: _capped_hooks)."""
        if self.encoder.busy:
            return
        frame = _getframe(1)
        state = self.states.get(id(frame))
        if state is None:
            state = self._new_frame(frame, self.scopes[self.probe_scopes[k]])
        changed = self._diff(state, frame.f_locals)
        self.events += 1
        self.channel.write_line(self._event_line(k, state.id, changed))
        if self.events >= self.max_events:
            self._cap()

    def exit(self, s):
        if self.encoder.busy:
            return
        frame = _getframe(1)
        state = self.states.pop(id(frame), None)
        if state is None:
            self.finals[self.scopes[s]] = self._snapshot(frame.f_locals)
        else:
            self._diff(state, frame.f_locals)
            self.finals[self.scopes[s]] = {name: pair[1] for name, pair in state.prev.items()}

    def _capped_hooks(self):
        """Entry and exit hooks for after the cap, lean because recursive
        programs call them on every call: an entry only tracks the frame's
        stack depth (to raise RecursionError where a plain run would), an
        exit keeps the frame's variables as its scope's finals."""
        states, finals, scopes = self.states, self.finals, self.scopes
        encoder, new_frame, snapshot = self.encoder, self._new_frame, self._snapshot
        exceeded = self.recursion.exceeded if self.recursion is not None else (lambda stack_depth: False)

        def enter(k):
            if encoder.busy:
                return
            frame = _getframe(1)
            if id(frame) in states:
                return
            parent = states.get(id(frame.f_back))
            if parent is None:
                new_frame(frame, None)  # walks to the nearest traced frame
                return
            stack_depth = parent.stack_depth + 1
            if exceeded(stack_depth):
                new_frame(frame, None)  # raises the plain run's RecursionError
            states[id(frame)] = FrameState(-1, parent.depth + 1, stack_depth)

        def exit(s):
            if encoder.busy:
                return
            frame = _getframe(1)
            states.pop(id(frame), None)
            loc = frame.f_locals
            snap = loc.copy()  # atoms need nothing more (hidden names go at the end)
            for obj in snap.values():
                if type(obj) not in _ATOMIC:
                    snap = snapshot(loc)
                    break
            finals[scopes[s]] = snap

        return enter, exit

    def _snapshot(self, loc):
        """Finals without events (after the cap): only the last exit of a
        scope is kept, so defer encoding: atoms are kept as they are,
        builtin containers as their fingerprint, the rest encoded now."""
        snap = {}
        for name, obj in loc.items():
            t = type(obj)
            if t in _ATOMIC:
                snap[name] = obj  # immutable: encoded at the end
            elif _is_hidden(name):
                continue
            elif t in _CONTAINERS and len(obj) <= _MAX_FINGERPRINT_LEN:
                fp = _fingerprint(obj)
                snap[name] = _Deferred(fp) if fp else self.encoder.encode(obj)
            else:
                snap[name] = self.encoder.encode(obj)
        return snap

    def resolved_finals(self):
        encode = self.encoder.encode
        return {
            scope: {
                name: encode(v) if type(v) in _ATOMIC else encode(v.value()) if type(v) is _Deferred else v
                for name, v in values.items() if not _is_hidden(name)
            }
            for scope, values in self.finals.items()
        }

    # -- bookkeeping --------------------------------------------------------

    def _new_frame(self, frame, scope):
        # Depth counts traced frames only: the module is 0, and an entry
        # function called by the harness is 1.
        depth = 0 if scope == "<module>" else 1
        back = frame.f_back
        hops = 1
        while back is not None:
            parent = self.states.get(id(back))
            if parent is not None:
                depth = parent.depth + 1
                stack_depth = parent.stack_depth + hops
                break
            back = back.f_back
            hops += 1
        else:
            stack_depth = _stack_depth(frame)
        if self.recursion is not None and self.recursion.exceeded(stack_depth):
            # A plain run could not have pushed this frame (see RecursionLimit).
            self.recursion_error = RecursionError("maximum recursion depth exceeded")
            raise self.recursion_error
        state = FrameState(self.next_frame, depth, stack_depth)
        self.next_frame += 1
        self.states[id(frame)] = state
        if scope is not None:
            self.channel.write(["F", state.id, scope, depth])
        return state

    def _diff(self, state, loc):
        """Encode the variables whose value may have changed; return those that did.
        Compare before encoding: an atomic value that is the same object is
        unchanged, a builtin container whose fingerprint is unchanged is too,
        and small ints and strings are encoded once per run."""
        prev = state.prev
        changed = {}
        encode = self.encoder.encode
        cache = self.atom_cache
        visible = 0
        for name, obj in loc.items():
            if _is_hidden(name):
                continue
            visible += 1
            old = prev.get(name)
            t = type(obj)
            fp = None
            if t in _ATOMIC:
                if old is not None and old[0] is obj:
                    continue
                if t in _CACHED_ATOMS and (t is not str or len(obj) <= 64) and (t is not int or -_CACHED_INT < obj < _CACHED_INT):
                    key = (t, obj)  # the type too: 1, True and 1.0 are equal keys otherwise
                    value = cache.get(key)
                    if value is None:
                        # A safe integer is its own JSON (tracers/README.md): skip the encoder.
                        value = {"repr": _int_repr(obj), "json": obj} if t is int and -_MAX_SAFE < obj < _MAX_SAFE else encode(obj)
                        if len(cache) < 65536:
                            cache[key] = value
                            self.atom_json[id(value)] = _to_json(value)
                else:
                    value = encode(obj)
            else:
                if t in _CONTAINERS:
                    if old is not None and old[0] is obj and (old[2] is _TOO_BIG or old[2] is _CHANGING):
                        # Too big to fingerprint, or mutated in place before
                        # (a list being built: its fingerprint would keep
                        # missing): the capped encoding costs less, and
                        # comparing encodings tells whether it changed.
                        value = encode(obj)
                        if old[1] != value:
                            changed[name] = value
                            prev[name] = (obj, value, old[2])
                        continue
                    fp = _fingerprint(obj)
                    if fp and old is not None and old[2] == fp:
                        continue
                    if fp and old is not None and old[0] is obj:
                        fp = _CHANGING  # mutated in place since its last event
                value = encode(obj)
            if old is None or old[1] != value:
                changed[name] = value
            prev[name] = (obj, value, fp)
        if len(prev) > visible:  # `del x`: forget it so a rebinding is an event
            for name in [n for n in prev if n not in loc]:
                del prev[name]
        return changed

    def _event_line(self, k, fid, changed):
        """The JSON line of an event, as _to_json would write it, built from
        each cached atom's JSON text: most events change one small int."""
        texts = self.atom_json
        parts = []
        for name, value in changed.items():
            text = texts.get(id(value))
            if text is None:
                text = _to_json(value)
            # An identifier needs no JSON escaping (no quote, backslash or control character).
            key = '"' + name + '"' if type(name) is str and name.isidentifier() else _to_json(name)
            parts.append(key + ":" + text)
        return '["E",%d,%d,{%s}]\n' % (k, fid, ",".join(parts))

    def _encode_all(self, loc):
        encode = self.encoder.encode
        return {name: encode(obj) for name, obj in loc.items() if not _is_hidden(name)}

    def _cap(self):
        """Stop recording line events but keep the program (and finals) exact.
        The instrumented program guards every line probe with `__ctt__`:
        once it is false, a probe costs one builtin load."""
        self.channel.write(["L", "events"])
        self.channel.flush()  # nothing more is recorded for a while: a run killed later keeps its trace
        builtins.__ctt__ = False
        builtins.__cte__, builtins.__ctx__ = self._capped_hooks()


def _remap_code(code, line_map, seen=None):
    """The code object compiled from the instrumented text, with every
    instruction at its ORIGINAL line and column (and its nested code
    objects likewise), so tracebacks and frame line numbers name the
    user's source. Rewrites the location table (format: CPython's
    Objects/locations.md): cheaper than remapping every node of a syntax
    tree and compiling that (0.17 vs 0.24 ms for a corpus program)."""
    seen = {} if seen is None else seen  # instrumented position -> (original line, encoded rest)
    table = bytearray()
    append = table.append
    first = _original_line(code.co_firstlineno, line_map)
    last_line = first
    for position, units in groupby(code.co_positions()):
        entry = seen.get(position)
        if entry is None:
            entry = seen[position] = _location_entry(position, line_map)
        line, rest = entry
        count = len(list(units))
        while count > 0:  # an entry covers at most 8 code units
            size = 8 if count > 8 else count
            count -= size
            if line is None:
                append(0xF8 | (size - 1))  # no location
                continue
            append(0xF0 | (size - 1))  # the long form: line delta, end line delta, column + 1, end column + 1
            delta = line - last_line
            last_line = line
            delta = -delta << 1 | 1 if delta < 0 else delta << 1
            if delta < 64:
                append(delta)
            else:
                _varint(append, delta)
            table += rest
    consts = code.co_consts
    for const in consts:
        if type(const) is CodeType:
            consts = tuple(_remap_code(c, line_map, seen) if type(c) is CodeType else c for c in consts)
            break
    return code.replace(co_firstlineno=first, co_linetable=bytes(table), co_consts=consts)


def _location_entry(position, line_map):
    """(original line, the rest of its long-form location entry) for an
    instruction at an instrumented (line, end line, column, end column)."""
    if position[0] is None:
        return None, None
    line, end, col, end_col = _original_position(position, line_map)
    values = (end - line, 0 if col is None else col + 1, 0 if end_col is None else end_col + 1)
    if values[0] < 64 and values[1] < 64 and values[2] < 64:
        return line, bytes(values)  # each its own one-byte varint
    rest = bytearray()
    for value in values:
        _varint(rest.append, value)
    return line, bytes(rest)


def _original_position(position, line_map):
    """An instrumented (line, end line, column, end column), in the original text."""
    line, end, col, end_col = position
    end = line if end is None else end
    if 0 < line <= len(line_map) and 0 < end <= len(line_map):
        if col is not None and line_map[line - 1][1]:
            col = _original_column(line_map[line - 1], col)
        if end_col is not None and line_map[end - 1][1]:
            end_col = _original_column(line_map[end - 1], end_col)
        line, end = line_map[line - 1][0], line_map[end - 1][0]
        if end <= line:
            # Inserted lines (try:/finally:) fold onto one original line:
            # keep the range valid.
            end = line
            if col is not None and end_col is not None and end_col < col:
                end_col = col
    return line, end, col, end_col


def _remap_tree(ast, tree, line_map):
    """_remap_code for Pythons before 3.11: every node of the instrumented
    syntax tree at its original line and column."""
    for node in ast.walk(tree):
        line = getattr(node, "lineno", None) if "lineno" in node._attributes else None
        if line is None:
            continue
        end = getattr(node, "end_lineno", None) or line
        line, end, node.col_offset, end_col = _original_position((line, end, node.col_offset, getattr(node, "end_col_offset", None)), line_map)
        node.lineno, node.end_lineno = line, end
        if end_col is not None:
            node.end_col_offset = end_col
    return tree


def _original_line(line, line_map):
    return line_map[line - 1][0] if 0 < line <= len(line_map) else line


def _original_column(entry, c):
    """Column c of an instrumented line, in the original line: take away
    the text inserted before it (entry: [original line, [[at, length]...]])."""
    shift = 0
    for at, length in entry[1]:
        if length < 0:
            # Original text moved left by -length columns (a one-line
            # function body placed on a line of its own).
            if c >= at:
                shift += length
        elif at < c:
            shift += length if length < c - at else c - at
    return c - shift


def _varint(append, value):
    """A location table varint: 6 bits per byte, low bits first, 0x40 = more follow."""
    while value >= 64:
        append(0x40 | (value & 63))
        value >>= 6
    append(value)


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
    ours = os.path.dirname(os.path.abspath(__file__))
    tracers = os.path.dirname(ours)
    sys.path[:] = [run_dir] + [p for p in sys.path if os.path.abspath(p or ".") not in (ours, tracers)]
    for name in ("runtime", "encode", "sandbox"):
        module = sys.modules.get(name)
        if module is not None and os.path.dirname(os.path.abspath(getattr(module, "__file__", "") or "")) in (ours, tracers):
            del sys.modules[name]


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


def _compile(job, path):
    """Compile the instrumented program with original positions. Syntax
    errors are always reported against the ORIGINAL source."""
    source = job["source"]
    instrumented = job.get("instrumented")
    if instrumented is not None:
        line_map = job["line_map"]
        try:
            if not hasattr(CodeType, "co_positions"):  # before 3.11: no location table to rewrite
                import ast

                return compile(_remap_tree(ast, ast.parse(instrumented, path), line_map), path, "exec", dont_inherit=True), True
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                code = _remap_code(compile(instrumented, path, "exec", dont_inherit=True), line_map)
            for w in caught:  # the compiler's warnings, at the user's lines, as a plain run shows them
                warnings.warn_explicit(w.message, w.category, w.filename, _original_line(w.lineno, line_map))
            return code, True
        except (SyntaxError, ValueError, TypeError, IndexError, RecursionError, MemoryError):
            pass
    # The original is what the user wrote: its error is the true one (compiled
    # outside the handler, so it is not chained to ours). If it compiles, our
    # rewrite was at fault: run untraced.
    return compile(source, path, "exec", dont_inherit=True), False


def _compile_call(call):
    """The code of a call input (`f(1, 2)`), evaluated in the program's globals."""
    return compile(call, "<call>", "eval", dont_inherit=True)


def _resolve_entry(globals_, input_):
    if input_["kind"] == "call":
        return lambda: eval(_compile_call(input_["call"]), globals_)
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


def run(job):
    """Run one job in this (already sandboxed) process; returns the exit status."""
    path = os.path.abspath("main.py")
    with open(path, "w", encoding="utf-8") as f:
        f.write(job["source"])
    _install_stdio()
    sys.argv = ["main.py"]
    _isolate_imports(os.path.dirname(path))
    channel = Channel(CHANNEL_FD)
    globals_ = _main_module(path)
    import linecache

    linecache.cache[path] = (len(job["source"]), None, job["source"].splitlines(True), path)
    result = {"return": None, "exception": None, "traced": False}
    status = 0
    tracer = None
    try:
        try:
            code, traced = _compile(job, path)
        except SyntaxError:
            result["phase"] = "compile"
            raise
        result["traced"] = traced
        if traced and job["mode"] == "trace":
            tracer = Tracer(job, channel, globals_)
            # Hooks live in builtins, not in the module namespace, so that
            # dir(), globals() and vars() show what a plain run shows.
            builtins.__ctt__ = True
            builtins.__ctp__ = tracer.probe
            builtins.__cte__ = tracer.enter
            builtins.__ctx__ = tracer.exit
        recursion = RecursionLimit(_stack_depth(sys._getframe()), _PROBE_HEADROOM if tracer else 0)
        if tracer is not None:
            tracer.recursion = recursion
        exec(code, globals_)
        if job["input"]["kind"] != "stdin":
            value = _resolve_entry(globals_, job["input"])()
            if tracer is not None:
                result["return"] = tracer.encoder.encode(value)
            else:
                result["return"] = Encoder().encode(value)
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
    finally:
        _finish(tracer, globals_, result, channel)
    return status


def _finish(tracer, globals_, result, channel):
    """Write the END record, whatever state the program left us in (out of
    memory, hostile globals): a shorter END beats none."""
    try:
        if tracer is not None:
            builtins.__ctt__ = False  # module finals must not record events
            builtins.__ctp__ = builtins.__cte__ = builtins.__ctx__ = _ignore
            module_vars = {k: v for k, v in list(globals_.items()) if isinstance(k, str) and not _is_hidden(k)}
            tracer.finals["<module>"] = tracer._encode_all(module_vars)
            result["finals"] = tracer.resolved_finals()
            result["events"] = tracer.events
            result["value_cut"] = tracer.encoder.cut
        channel.write(["END", result])
    except BaseException as exc:
        result.pop("finals", None)
        result["tracer_error"] = type(exc).__name__
        try:
            channel.write(["END", result])
        except BaseException:
            pass
    channel.flush()
    _flush_stdio()


def _ignore(*args):
    return None


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


def warm_up():
    """In the fork server, before it freezes: run the tracer's hooks, the
    encoder and the channel on a sample of the values programs use, so
    their code is already specialized by the interpreter (3.11 rewrites a
    function's bytecode in place after its first calls). A run forked
    from a cold server makes that rewrite itself, copying every page of
    code it touches. Writes to /dev/null; changes no state a run can see."""
    fd = os.open(os.devnull, os.O_WRONLY)
    try:
        channel = Channel(fd)
        job = {"probe_scopes": [0, 0, 0], "scopes": ["sample"], "limits": {}}
        tracer = Tracer(job, channel, {})

        def sample(text, nums):
            tracer.enter(0)
            try:
                out = []
                seen = {}
                for i, n in enumerate(nums):
                    out.append(n * 2)
                    seen[str(n)] = text[i % len(text)]
                    tracer.probe(1)
                pairs = [(word, len(word)) for word in text.split()]
                tracer.probe(2)
                return sorted(out), seen, pairs, set(nums), 1.5 * len(out), None, True
            finally:
                tracer.exit(0)

        for _ in range(_WARM_UP_CALLS):
            value = sample("hello world", [3, 1, 2, -4, 5])
            channel.write(["END", {"return": tracer.encoder.encode(value), "finals": tracer.resolved_finals()}])
        channel.flush()
    finally:
        os.close(fd)


# Calls after which 3.11 has specialized a function's code (it quickens after 8).
_WARM_UP_CALLS = 16
