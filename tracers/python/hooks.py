"""The tracer's hooks and frame bookkeeping, for instrumented Python programs.

The instrumenter (src/instrument/python.ts) rewrote the program so that it
calls these hooks (installed in builtins by tracers/python/harness.py):

    __ctt__ and __ctp__(k)
                 probe k ran: record the variables of the calling frame that
                 changed since that frame's previous event (__ctt__ is true
                 until the event cap)
    __cte__(k)   probe k on entry to a function body: also tracks frames
                 after the cap (depth, the plain run's recursion limit)
    __ctx__(s)   a frame of scope s is exiting (from a `finally:`): keep its
                 variables as the finals of scope s

Events go to the channel (tracers/python/channel.py) as JSON lines; the
program's own stdout/stderr are untouched. Record shapes: tracers/README.md.
"""

import builtins
import pickle
import sys
import threading
from _thread import get_ident

import channel as _channel_module
import encode as _encode_module
from channel import to_json as _to_json
from encode import Encoder

_getframe = sys._getframe

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
_PRELUDE = b"^"  # marker: bound by the judge's prelude, not (yet) the program's variable


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
PROBE_HEADROOM = 50


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
        self.offset = offset
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


def stack_depth_of(frame):
    depth = 0
    while frame is not None:
        depth += 1
        frame = frame.f_back
    return depth


def is_hidden(name):
    return name.startswith("__") and name.endswith("__")


class Tracer:
    def __init__(self, job, channel, prelude):
        """prelude: {name: object} the judge's prelude bound in the module's
        globals; while a name still holds that object it is not an event."""
        limits = job["limits"]  # src/run/limits.ts: the tracer has no defaults of its own
        self.channel = channel
        self.prelude = {name: (obj, None, _PRELUDE) for name, obj in prelude.items()}
        self.main_thread = get_ident()
        self.bare_threads = {}  # ident -> name, for threads started with _thread
        self.probe_scopes = job["probe_scopes"]
        self.scopes = job["scopes"]
        self.max_events = int(limits["max_events"])
        self.encoder = Encoder(max_str=int(limits["max_value_chars"]))
        self.events = 0
        self.states = {}  # id(frame) -> FrameState, removed when the frame exits
        self.next_frame = 0
        self.finals = {}  # scope -> {name: value}, last exit wins
        self.recursion = None  # RecursionLimit, set by run()
        self.atom_cache = {}  # (type, value) -> encoded value
        self.atom_json = {}  # id(encoded value in atom_cache) -> its JSON text (those values live as long as the cache)
        self.recursion_error = None  # the RecursionError we raised, if any
        self.probe, self.exit = self._hooks()
        self.installed = {}  # builtins name -> the hook the tracer put there
        self.watched = []  # (namespace, its copy at install)

    # -- hooks called from the instrumented program ------------------------

    def _hooks(self):
        """The probe (line and entry) and exit hooks the program calls: plain
        functions, not bound methods, so no `__self__` hands out the tracer."""
        tracer, states, finals, scopes, probe_scopes = self, self.states, self.finals, self.scopes, self.probe_scopes
        encoder, channel, max_events = self.encoder, self.channel, self.max_events
        new_frame, diff, event_line, snapshot = self._new_frame, self._diff, self._event_line, self._snapshot

        def probe(k):
            if encoder.busy:
                return  # a user __repr__ run by the encoder: not the program's own step
            frame = _getframe(1)
            state = states.get(id(frame))
            if state is None:
                state = new_frame(frame, scopes[probe_scopes[k]])
            changed = diff(state, frame.f_locals)
            tracer.events += 1
            channel.write_line(event_line(k, state.id, changed))
            if tracer.events >= max_events:
                tracer._cap()

        def exit(s):
            if encoder.busy:
                return
            frame = _getframe(1)
            state = states.pop(id(frame), None)
            if state is None:
                finals[scopes[s]] = snapshot(frame.f_locals)
            else:
                diff(state, frame.f_locals)
                finals[scopes[s]] = {name: pair[1] for name, pair in state.prev.items()}

        return probe, exit

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
            elif is_hidden(name):
                continue
            elif t in _CONTAINERS and len(obj) <= _MAX_FINGERPRINT_LEN:
                fp = _fingerprint(obj)
                snap[name] = _Deferred(fp) if fp else self.encoder.encode(obj)
            else:
                snap[name] = self.encoder.encode(obj)
        return snap

    def release(self):
        """Drop every reference to the program's objects (after END), so
        module teardown finalizes them as in a plain run."""
        self.states.clear()
        self.finals.clear()
        self.atom_cache.clear()
        self.prelude.clear()

    def resolved_finals(self):
        encode = self.encoder.encode
        return {
            scope: {
                name: encode(v) if type(v) in _ATOMIC else encode(v.value()) if type(v) is _Deferred else v
                for name, v in values.items() if not is_hidden(name)
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
            stack_depth = stack_depth_of(frame)
            if self.recursion is not None and get_ident() != self.main_thread:
                # A thread's stack starts at 0, the main thread's below our
                # harness: count as if it sat where the main thread's does.
                stack_depth += self.recursion.offset
        if self.recursion is not None and self.recursion.exceeded(stack_depth):
            # A plain run could not have pushed this frame (see RecursionLimit).
            self.recursion_error = RecursionError("maximum recursion depth exceeded")
            raise self.recursion_error
        state = FrameState(self.next_frame, depth, stack_depth)
        self.next_frame += 1
        self.states[id(frame)] = state
        if scope == "<module>" and self.prelude:
            state.prev.update(self.prelude)
        if scope is not None:
            ident = get_ident()
            if ident == self.main_thread:
                self.channel.write(["F", state.id, scope, depth])
            else:  # another thread: its name (creation order names them: Thread-1, ...)
                self.channel.write(["F", state.id, scope, depth, self._thread_name(ident)])
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
            if is_hidden(name):
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
                if old is not None and old[2] is _PRELUDE and old[0] is obj:
                    continue
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

    def _thread_name(self, ident):
        """A threading.Thread's name; a bare _thread's, by order of first sight."""
        name = getattr(threading._active.get(ident), "_name", None)
        if not isinstance(name, str):
            name = self.bare_threads.setdefault(ident, "_thread-%d" % (len(self.bare_threads) + 1))
        return name

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
        return {name: encode(obj) for name, obj in loc.items() if not is_hidden(name)}

    def _cap(self):
        """Stop recording line events but keep the program (and finals) exact.
        The instrumented program guards every line probe with `__ctt__`:
        once it is false, a probe costs one builtin load."""
        self.channel.write(["L", "events"])
        self.channel.flush()  # nothing more is recorded for a while: a run killed later keeps its trace
        enter, exit = self._capped_hooks()
        self._set_hooks(False, self.probe, enter, exit)

    # -- the hooks in builtins, and what the program did to them -------------

    def install(self):
        """Put the hooks in builtins (not in the module namespace, so dir(),
        globals() and vars() show what a plain run shows), and note what
        the tracer's code is, to tell at the end whether the program changed it."""
        self.watched = [(space, dict(space)) for space in _watched_namespaces()]
        self._set_hooks(True, self.probe, self.probe, self.exit)

    def _set_hooks(self, recording, probe, enter, exit):
        self.installed = {"__ctt__": recording, "__ctp__": probe, "__cte__": enter, "__ctx__": exit}
        for name, value in self.installed.items():
            setattr(builtins, name, value)

    def uninstall(self):
        """Hooks off (what runs from now on records nothing). Returns what
        the program changed of the tracer (hooks replaced, its classes or
        module globals rebound, methods shadowed), or None: detection, not
        prevention (tracers/README.md)."""
        problems = []
        for name, value in self.installed.items():
            if builtins.__dict__.get(name, _MISSING) is not value:
                problems.append("builtins.%s replaced" % name)
        for name in self.installed:
            setattr(builtins, name, False if name == "__ctt__" else ignore)
        for space, saved in self.watched:
            if len(space) != len(saved) or any(space.get(key, _MISSING) is not value for key, value in saved.items()):
                problems.append("%s changed" % space.get("__qualname__", space.get("__name__", "tracer code")))
        for obj in (self, self.encoder, self.channel):
            shadowed = [key for key in vars(obj) if key in vars(type(obj)) and callable(vars(type(obj))[key])]
            if shadowed:
                problems.append("%s.%s shadowed" % (type(obj).__name__, shadowed[0]))
        return "; ".join(problems) or None


def ignore(*args):
    return None


_MISSING = object()


def _watched_namespaces():
    """The tracer's own code a program could rebind to forge its record."""
    return [globals(), vars(_encode_module), vars(_channel_module), vars(Tracer), vars(Encoder), vars(_channel_module.Channel)]


