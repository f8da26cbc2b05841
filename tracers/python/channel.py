"""The private trace channel (fd 3): buffered JSON lines, sealed at END.

The executor gives each run a random seal; END carries it with the number
of bytes written before END, so a program that writes to (or replaces) the
channel breaks the count (tracers/verdict.py checks it).
"""

# Saved before the program runs (module globals shadow builtins).
from builtins import OSError, TypeError, len, memoryview, ord, type
import os
import re
from _thread import allocate_lock
from json import encoder as _json_encoder

CHANNEL_FD = 3
_FLUSH_BYTES = 16 * 1024
_os_write = os.write  # saved before the program runs, like the JSON writer below
_SURROGATE = re.compile("[\ud800-\udfff]")


def _no_default(value):
    raise TypeError("not JSON: %s" % type(value).__name__)


def _escape_surrogate(match):
    return "\\u%04x" % ord(match.group())


def _json_writer():
    """JSON text of a record (encoder output only: no cycles, str keys), by
    the C encoder bound now: json.JSONEncoder looks its pieces up at call
    time, where a program could have replaced them."""
    make, quote = _json_encoder.c_make_encoder, _json_encoder.c_encode_basestring
    if make is not None and quote is not None:
        encode = make(None, _no_default, quote, None, ":", ",", False, False, True)
        return lambda value: "".join(encode(value, 0))
    import json  # no C accelerator: the pure encoder, bound now
    return json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False).encode


_write_json = _json_writer()


def to_json(value):
    """Compact JSON text. A lone surrogate (a str may hold one; UTF-8 cannot)
    is written as its JSON escape \\udXXX, which JSON readers (JavaScript's
    JSON.parse) turn back into the same code unit."""
    text = _write_json(value)
    if text.isascii() or _SURROGATE.search(text) is None:
        return text
    return _SURROGATE.sub(_escape_surrogate, text)


class Channel:
    """Buffered writer for the trace channel; flushes often enough that a
    run killed by a timeout still leaves most of its trace behind."""

    def __init__(self, fd, seal):
        self.fd = fd
        self.seal = seal  # None: END goes unsealed
        self.parts = []
        self.size = 0
        self.written = 0  # bytes handed to the channel so far (END's "bytes")
        self.closed = False  # after END: a daemon thread's late record is dropped
        # The program's threads write records too: one at a time, whole.
        self.lock = allocate_lock()

    def write(self, record):
        self.write_line(to_json(record) + "\n")

    def write_line(self, line):
        with self.lock:
            if self.closed:
                return
            self.parts.append(line)
            self.size += len(line)
            if self.size >= _FLUSH_BYTES:
                self._flush()

    def end(self, result):
        """The END record (sealed), then everything out; nothing after it."""
        with self.lock:
            self._flush()
            if self.seal is not None:
                result["seal"] = self.seal
                result["bytes"] = self.written
            self.parts.append(to_json(["END", result]) + "\n")
            self._flush()
            self.closed = True

    def flush(self):
        with self.lock:
            self._flush()

    def _flush(self):
        if not self.parts:
            return
        data = "".join(self.parts).encode("utf-8", "surrogatepass")
        self.parts = []
        self.size = 0
        self.written += len(data)
        try:
            view = memoryview(data)
            while view:
                n = _os_write(self.fd, view)
                view = view[n:]
        except OSError:
            pass  # channel closed or full: the executor sees a short trace
