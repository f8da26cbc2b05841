"""What `python3 main.py` does after the program's last line (Py_FinalizeEx).

In order: wait for the non-daemon threads (threading's own shutdown), run
the atexit handlers, flush the std streams; later, module teardown runs
the finalizers (`__del__`) of what the program's globals still hold.
Daemon threads run on until the process ends, as in a plain run.
"""

import atexit
import gc
import sys
import threading

_threading_shutdown = threading._shutdown
_run_exitfuncs = atexit._run_exitfuncs


def forget_exit_handlers():
    """Before the program: only its own atexit handlers must run (not ones
    the fork server's modules registered)."""
    atexit._clear()


def wait_for_threads():
    """threading._shutdown, as the interpreter calls it: joins every
    non-daemon thread (and runs threading's own exit hooks)."""
    try:
        _threading_shutdown()
    except BaseException:
        pass


def run_exit_handlers():
    """The atexit handlers, last registered first; an exception in one is
    printed ("Exception ignored in atexit callback") and the rest still run."""
    _run_exitfuncs()


def tear_down(globals_):
    """Module teardown of __main__, as finalization does it: collect
    garbage, then clear the module's names (those starting with one
    underscore first), so the objects they held are finalized."""
    if sys.modules.get("__main__") is not None and sys.modules["__main__"].__dict__ is globals_:
        del sys.modules["__main__"]
    gc.collect()
    names = [name for name in list(globals_) if name != "__builtins__"]
    for name in names:
        if isinstance(name, str) and name.startswith("_") and not name.startswith("__"):
            globals_[name] = None
    for name in names:
        globals_[name] = None
    gc.collect()
