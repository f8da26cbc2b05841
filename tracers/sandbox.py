"""Confinement applied in the forked child before untrusted code runs.

Each step is a small function so `doctor` can report which ones are active.
Order matters: things that need privileges come before the limits, and the
resource limits come last so they do not hit our own set-up.
"""

import os
import resource

MIB = 1024 * 1024


def scrubbed_env(run_dir):
    """No inherited secrets: only what an interpreter needs to start."""
    return {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": run_dir,
        "TMPDIR": run_dir,
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "PYTHONHASHSEED": "0",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONIOENCODING": "utf-8",
    }


def redirect_fds(stdin_path, stdout_path, stderr_path, channel_path):
    """fds 0-2 are the program's, fd 3 is the trace channel; every other fd
    inherited from the executor (its pipes to the tool) is closed."""
    targets = [
        (stdin_path, os.O_RDONLY),
        (stdout_path, os.O_WRONLY | os.O_TRUNC | os.O_CREAT),
        (stderr_path, os.O_WRONLY | os.O_TRUNC | os.O_CREAT),
        (channel_path, os.O_WRONLY | os.O_TRUNC | os.O_CREAT),
    ]
    for fd, (path, flags) in enumerate(targets):
        opened = os.open(path, flags, 0o600)
        if opened != fd:
            os.dup2(opened, fd)
            os.close(opened)
    os.closerange(4, 65536)


def set_limits(limits, language):
    """Resource limits. Node cannot start under RLIMIT_AS below ~1 GiB (it
    reserves address space), so JavaScript gets RLIMIT_DATA plus V8's own
    heap flag instead."""
    cpu = max(1, int((limits["cpu_ms"] + 999) // 1000))
    memory = int(limits["memory_mb"]) * MIB

    def cap(which, value, hard=None):
        resource.setrlimit(which, (value, value if hard is None else hard))

    cap(resource.RLIMIT_CPU, cpu, cpu + 1)
    if language == "python":
        cap(resource.RLIMIT_AS, memory)
    else:
        cap(resource.RLIMIT_DATA, memory + 256 * MIB)
    cap(resource.RLIMIT_FSIZE, int(limits["max_file_bytes"]))
    cap(resource.RLIMIT_NOFILE, 64)
    cap(resource.RLIMIT_CORE, 0)
    cap(resource.RLIMIT_NPROC, int(limits["max_processes"]))
