"""Warm-up of the fork server (tracers/zygote.py) before it freezes.

3.11 rewrites a function's bytecode in place after its first calls
(specialization). A run forked from a cold server makes that rewrite
itself, copying every page of code it touches; so the server runs the
tracer's hooks, the encoder and the channel once on sample values first,
and imports the modules judges' preludes use (preload).
"""

import importlib
import os

from channel import Channel
from hooks import Tracer

# Calls after which 3.11 has specialized a function's code (it quickens after 8).
_WARM_UP_CALLS = 16
# A sample job's limits, for the warm-up only (runs get theirs from the job).
_SAMPLE_JOB = {"probe_scopes": [0, 0, 0], "scopes": ["sample"],
               "limits": {"max_events": 1_000_000, "max_value_chars": 100}}


def warm_up():
    """Run the hooks, encoder and channel on a sample of the values
    programs use. Writes to /dev/null; changes no state a run can see."""
    fd = os.open(os.devnull, os.O_WRONLY)
    try:
        channel = Channel(fd, "")
        tracer = Tracer(_SAMPLE_JOB, channel, {}, "main.py")

        def sample(text, nums):
            tracer.probe(0)
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
            channel.end({"return": tracer.encoder.encode(value), "finals": tracer.resolved_finals()})
    finally:
        os.close(fd)


def preload(modules):
    """Import the modules judges' preludes and programs use (src/run/prelude.ts
    PRELOAD_MODULES), so forked runs find them imported. One that fails to
    import is left for the run to fail on, as it would plain."""
    for name in modules:
        try:
            importlib.import_module(name)
        except Exception:
            pass
