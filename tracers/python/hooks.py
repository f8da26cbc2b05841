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

from encode import Encoder
from snapshot import ATOMIC_IDS, Snapshots, is_hidden

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
    def __init__(self, job, channel, globals_):
        limits = job["limits"]  # src/run/limits.ts: the tracer has no defaults of its own
        self.channel = channel
        self.globals = globals_
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

    # -- hooks called from the instrumented program ------------------------

    def probe(self, k):
        """A line probe, and (until the cap: see _capped_hooks) a function entry."""
        if self.encoder.busy:
            return  # a finalizer or another thread ran while a value is being encoded
        frame = _getframe(1)
        state = self.states.get(id(frame))
        if state is None:
            state = self._new_frame(frame, self.scopes[self.probe_scopes[k]])
        changed = self.snapshots.diff(state.prev, frame.f_locals)
        self.events += 1
        self.channel.write_line(self.snapshots.event_line(k, state.id, changed))
        if self.events >= self.max_events:
            self._cap()

    def exit(self, s):
        if self.encoder.busy:
            return
        frame = _getframe(1)
        state = self.states.pop(id(frame), None)
        scope = self.scopes[s]
        if state is None:
            self.finals[scope] = self.snapshots.capture(frame.f_locals, self.finals.get(scope))
        elif not state.inner:  # (an inner frame's caller exits later, and wins)
            self.snapshots.diff(state.prev, frame.f_locals)
            self.finals[scope] = {name: rec.value for name, rec in state.prev.items()}

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

    def resolved_finals(self):
        return self.snapshots.resolve(self.finals)

    # -- bookkeeping --------------------------------------------------------

    def _new_frame(self, frame, scope):
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
        if self.recursion is not None and self.recursion.exceeded(stack_depth):
            # A plain run could not have pushed this frame (see RecursionLimit).
            self.recursion_error = RecursionError("maximum recursion depth exceeded")
            raise self.recursion_error
        state = FrameState(self.next_frame, depth, stack_depth, scope, frame.f_code.co_flags & _SUSPENDABLE != 0, parent)
        self.next_frame += 1
        self.states[id(frame)] = state
        if scope is not None:
            self.channel.write(["F", state.id, scope, depth])
        return state

    def _encode_all(self, loc):
        return self.snapshots.encode_all(loc)

    def _cap(self):
        """Stop recording line events but keep the program (and finals) exact.
        The instrumented program guards every line probe with `__ctt__`:
        once it is false, a probe costs one builtin load."""
        self.channel.write(["L", "events"])
        self.channel.flush()  # nothing more is recorded for a while: a run killed later keeps its trace
        builtins.__ctt__ = False
        builtins.__cte__, builtins.__ctx__ = self._capped_hooks()


