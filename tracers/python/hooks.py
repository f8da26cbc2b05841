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
import sys
import threading
from _thread import get_ident

import channel as _channel_module
import encode as _encode_module
import encode_objects as _encode_objects_module
import snapshot as _snapshot_module
import watch as _watch_module
from encode import Encoder
from snapshot import ATOMIC_IDS, PRELUDE, Recorded, Snapshots, is_hidden
from threads import ThreadGate

_getframe = sys._getframe

# Frames a probe may need above the deepest user frame (probe, diff, encoder
# entry; the encoder raises the limit itself for its own recursion).
PROBE_HEADROOM = 50
# co_flags of frames that can be suspended: a frame they call may exit last
_SUSPENDABLE = 0x20 | 0x80 | 0x100 | 0x200  # CO_GENERATOR, CO_COROUTINE, CO_ITERABLE_COROUTINE, CO_ASYNC_GENERATOR


class FrameState:
    __slots__ = ("id", "depth", "stack_depth", "prev", "scope", "suspendable", "inner")

    def __init__(self, fid, depth, stack_depth, scope, suspendable, parent):
        self.id = fid
        self.depth = depth
        self.stack_depth = stack_depth  # all frames below and including this one
        self.prev = {}  # name -> snapshot.Recorded at the last event
        self.scope = scope
        self.suspendable = suspendable  # a generator or coroutine frame
        # Directly recursive: the nearest traced caller runs the same scope
        # and exits after this frame does, so its exit (not this one) gives
        # the scope's finals. Not when either frame can be suspended.
        self.inner = parent is not None and scope is not None and parent.scope == scope \
            and not suspendable and not parent.suspendable


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


class Tracer:
    def __init__(self, job, channel, prelude, program_path):
        """program_path: the program's file (its frames run the program's code);
        prelude: {name: object} the judge's prelude bound in the module's
        globals; while a name still holds that object it is not an event."""
        limits = job["limits"]  # src/run/limits.ts: the tracer has no defaults of its own
        self.channel = channel
        self.prelude = {name: Recorded(obj, None, PRELUDE) for name, obj in prelude.items()}
        self.main_thread = get_ident()
        self.thread_gate = ThreadGate(program_path, _recording_files())
        self.bare_threads = {}  # ident -> name, for threads started with _thread
        self.probe_scopes = job["probe_scopes"]
        self.scopes = job["scopes"]
        self.max_events = int(limits["max_events"])
        self.encoder = Encoder(max_chars=int(limits["max_value_chars"]))
        self.snapshots = Snapshots(self.encoder)
        self.events = 0
        self.states = {}  # id(frame) -> FrameState, removed when the frame exits
        self.next_frame = 0
        self.finals = {}  # scope -> {name: value}, last exit wins
        self.recursion = None  # RecursionLimit, set by run()
        self.recursion_error = None  # the RecursionError we raised, if any
        self.probe, self.exit = self._hooks()
        self.installed = {}  # builtins name -> the hook the tracer put there
        self.watched = []  # (namespace, its copy at install)

    # -- hooks called from the instrumented program ------------------------

    def _hooks(self):
        """The probe (line and entry) and exit hooks the program calls: plain
        functions, not bound methods, so no `__self__` hands out the tracer."""
        tracer, states, finals, scopes, probe_scopes = self, self.states, self.finals, self.scopes, self.probe_scopes
        encoder, channel, max_events, snapshots = self.encoder, self.channel, self.max_events, self.snapshots
        new_frame, diff, event_line, capture = self._new_frame, snapshots.diff, snapshots.event_line, snapshots.capture

        def probe(k):
            if encoder.busy:
                return  # a finalizer or another thread ran while a value is being encoded
            frame = _getframe(1)
            state = states.get(id(frame))
            if state is None:
                state = new_frame(frame, scopes[probe_scopes[k]])
            changed = diff(state.prev, frame.f_locals)
            tracer.events += 1
            channel.write_line(event_line(k, state.id, changed))
            if tracer.events >= max_events:
                tracer._cap()

        def exit(s):
            if encoder.busy:
                return
            frame = _getframe(1)
            state = states.pop(id(frame), None)
            scope = scopes[s]
            if state is None:
                finals[scope] = capture(frame.f_locals, finals.get(scope))
            elif not state.inner:  # (an inner frame's caller exits later, and wins)
                diff(state.prev, frame.f_locals)
                finals[scope] = {name: rec.value for name, rec in state.prev.items()}

        return probe, exit

    def _capped_hooks(self):
        """Entry and exit hooks for after the cap, lean because recursive
        programs call them on every call: an entry only tracks the frame's
        stack depth (to raise RecursionError where a plain run would), an
        exit keeps the frame's variables as its scope's finals."""
        states, finals, scopes, probe_scopes = self.states, self.finals, self.scopes, self.probe_scopes
        encoder, new_frame, capture = self.encoder, self._new_frame, self.snapshots.capture
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
            states[id(frame)] = FrameState(-1, parent.depth + 1, stack_depth, scopes[probe_scopes[k]],
                                           frame.f_code.co_flags & _SUSPENDABLE != 0, parent)

        def exit(s):
            if encoder.busy:
                return
            frame = _getframe(1)
            state = states.pop(id(frame), None)
            if state is not None and state.inner:
                return  # its caller, of the same scope, exits later
            loc = frame.f_locals
            snap = loc.copy()  # atoms need nothing more (hidden names go at the end)
            for obj in snap.values():
                if id(type(obj)) not in ATOMIC_IDS:
                    snap = capture(loc, finals.get(scopes[s]))
                    break
            finals[scopes[s]] = snap

        return enter, exit

    def release(self):
        """Drop every reference to the program's objects (after END), so
        module teardown finalizes them as in a plain run."""
        self.states.clear()
        self.finals.clear()
        self.snapshots.release()
        self.prelude.clear()

    def resolved_finals(self):
        return self.snapshots.resolve(self.finals)

    # -- bookkeeping --------------------------------------------------------

    def _new_frame(self, frame, scope):
        ident = get_ident()
        if ident != self.main_thread:
            self.thread_gate.enter()  # a thread's first frame waits (tracers/python/threads.py)
        # Depth counts traced frames only: the module is 0, and an entry
        # function called by the harness is 1.
        depth = 0 if scope == "<module>" else 1
        back = frame.f_back
        hops = 1
        parent = None
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
            if self.recursion is not None and ident != self.main_thread:
                # A thread's stack starts at 0, the main thread's below our
                # harness: count as if it sat where the main thread's does.
                stack_depth += self.recursion.offset
        if self.recursion is not None and self.recursion.exceeded(stack_depth):
            # A plain run could not have pushed this frame (see RecursionLimit).
            self.recursion_error = RecursionError("maximum recursion depth exceeded")
            raise self.recursion_error
        state = FrameState(self.next_frame, depth, stack_depth, scope, frame.f_code.co_flags & _SUSPENDABLE != 0, parent)
        self.next_frame += 1
        self.states[id(frame)] = state
        if scope == "<module>" and self.prelude:
            state.prev.update(self.prelude)
        if scope is not None:
            if ident == self.main_thread:
                self.channel.write(["F", state.id, scope, depth])
            else:  # another thread: its name (creation order names them: Thread-1, ...)
                self.channel.write(["F", state.id, scope, depth, self._thread_name(ident)])
        return state

    def _thread_name(self, ident):
        """A threading.Thread's name; a bare _thread's, by order of first sight."""
        name = getattr(threading._active.get(ident), "_name", None)
        if not isinstance(name, str):
            name = self.bare_threads.setdefault(ident, "_thread-%d" % (len(self.bare_threads) + 1))
        return name

    def _encode_all(self, loc):
        return self.snapshots.encode_all(loc)

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


def _recording_files():
    """The files whose frames are recording an event."""
    modules = (_channel_module, _encode_module, _encode_objects_module, _snapshot_module, _watch_module)
    return [__file__] + [module.__file__ for module in modules]


def _watched_namespaces():
    """The tracer's own code a program could rebind to forge its record."""
    return [globals(), vars(_encode_module), vars(_channel_module), vars(Tracer), vars(Encoder), vars(_channel_module.Channel)]


