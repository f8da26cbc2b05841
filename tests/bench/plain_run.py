"""Run one program as its judge would, with no tracer: the independent
reference for tests/bench/real-rollouts.ts.

    python3 plain_run.py JOB.json < stdin

JOB is {"code", "prelude": str|null, "call": str|null}. The prelude and the
program run as __main__ in one globals dict (LiveCodeBench prepends its
imports the same way); a call is evaluated after the program and its repr
written to fd 3. The interpreter then shuts down as usual: it waits for
non-daemon threads and runs atexit handlers.
"""
import json
import os
import sys

job = json.load(open(sys.argv[1]))
sys.argv = ["main.py"]
scope = {"__name__": "__main__", "__builtins__": __builtins__}
if job.get("prelude"):
    exec(compile(job["prelude"], "<prelude>", "exec"), scope)
exec(compile(job["code"], "main.py", "exec"), scope)
if job.get("call") is not None:
    value = eval(compile(job["call"], "<call>", "eval"), scope)
    os.write(3, repr(value).encode("utf-8", "backslashreplace"))
