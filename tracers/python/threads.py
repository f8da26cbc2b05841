"""A deterministic start for threads the program starts.

Rollouts run their solver in a thread for a bigger stack
(`threading.Thread(target=main).start()`). The line that starts it is
recorded after `start()` returns, so in a free race the thread's first
events land before or after that line's event, and the module's finals
race with the thread's writes: two traces of one program differ.

So a thread's first traced frame waits until every other thread is parked:
not running the program's code and not recording an event (blocked in
`join`, a queue, threading's shutdown, or in library code). The starter
then has recorded the line that started the thread, and usually waits for
it. A starter that keeps running the program's code (a busy wait, a sleep
in the program's own frame) is not waited for longer than PATIENCE: the
threads then interleave as they do in a plain run.
"""

import threading
from _thread import allocate_lock, get_ident
from sys import _current_frames
from time import monotonic, sleep

# Seconds a new thread waits at most for the others to park (wall clock;
# waiting costs no CPU time).
PATIENCE = 0.5
_POLL = 0.0002
# Thread.start waits for the new thread to signal it started: a thread in
# it is about to go on with the program, not parked.
_START = threading.Thread.start.__code__


class ThreadGate:
    def __init__(self, program_path, recording_files):
        """program_path: the program's file; recording_files: the tracer
        modules whose frames mean "recording an event now"."""
        self.busy_files = frozenset([program_path, *recording_files])
        self.passed = {get_ident()}  # the main thread never waits
        self.lock = allocate_lock()

    def enter(self):
        """Called on a thread's traced frames; waits on the first one."""
        ident = get_ident()
        if ident in self.passed:
            return
        deadline = monotonic() + PATIENCE
        with self.lock:  # one at a time: the first through runs before the next one looks
            while not self._others_parked(ident) and monotonic() < deadline:
                sleep(_POLL)
            self.passed.add(ident)

    def _others_parked(self, me):
        busy = self.busy_files  # (saved references: the program may patch sys and time)
        for ident, frame in _current_frames().items():
            if ident != me and (frame.f_code.co_filename in busy or _starting(frame)):
                return False
        return True


def _starting(frame):
    for _ in range(4):  # Thread.start -> Event.wait -> Condition.wait
        if frame is None:
            return False
        if frame.f_code is _START:
            return True
        frame = frame.f_back
    return False
