"""Confinement for untrusted runs, in three tiers chosen once per executor.

    bwrap       the executor runs inside bubblewrap: no network, and of the
                host filesystem only what the interpreters need, read-only
    namespaces  the executor confines itself (root only): no network, host
                filesystem read-only, the tool user's private home hidden
    rlimits     resource limits, a timeout and a scrubbed environment only
                (explicit opt-out: --unsafe-no-sandbox / --allow-weak-sandbox)

In the first two tiers every run is forked by its executor's fork server
(tracers/zygote.py), a small trusted process that is pid 1 of the executor's
own PID namespace: the run is pid 2 there, alone with it, and when the run
ends the fork server kills everything it left (kill(-1) from pid 1), so no
process outlives it. Each run also gets a fresh IPC namespace, a fresh
private /tmp and /dev/shm, and an unprivileged uid of its own executor (so
RLIMIT_NPROC counts only this run, and the program can signal neither the
executor nor another run).

Each step is a small function so `coderl-trace doctor` can say which
protection is active and, when one is not, why.
"""

import ctypes
import errno
import os
import resource
import signal
import stat
import sys

MIB = 1024 * 1024
# Exit code of a run (or worker) whose set-up failed before user code ran.
SETUP_FAILED = 121

# The protections, in the order doctor lists them.
PROTECTIONS = ("rlimits", "uid", "pid", "net", "ipc", "fs-write", "fs-read")
NAMESPACE_PROTECTIONS = ("uid", "pid", "net", "ipc", "fs-write")
DESCRIPTIONS = {
    "rlimits": "CPU time, memory, processes/threads, file size, open files, no core dumps",
    "uid": "runs as an unprivileged uid of its own (not the tool's user)",
    "pid": "own PID namespace (pid 2, alone with a trusted init): no process outlives the run, host processes invisible",
    "net": "no network (empty network namespace)",
    "ipc": "own IPC namespace per run (no shared memory between runs)",
    "fs-write": "host filesystem read-only; private /tmp, /dev/shm and working directory per run",
    "fs-read": "host filesystem hidden except what the interpreters need (bubblewrap)",
}

# Sandbox uids: UID_BASE + the executor's pid, so no two live executors on
# the machine (this tool's slots, or another instance's) share one: the
# process limit then counts one run's processes only. Far from real users.
UID_BASE = 2_000_000


def sandbox_uid():
    return UID_BASE + os.getpid()

CLONE_NEWNS = 0x00020000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000

MS_RDONLY = 0x1
MS_NOSUID = 0x2
MS_NODEV = 0x4
MS_NOEXEC = 0x8
MS_REMOUNT = 0x20
MS_BIND = 0x1000
MS_REC = 0x4000
MS_PRIVATE = 0x40000
MNT_DETACH = 0x2

PR_SET_PDEATHSIG = 1
PR_SET_NO_NEW_PRIVS = 38

AT_FDCWD = -100
AT_RECURSIVE = 0x8000
MOUNT_ATTR_RDONLY = 0x1

_SYSCALLS = {"x86_64": {"clone": 56, "mount_setattr": 442}, "aarch64": {"clone": 220, "mount_setattr": 442}}

_libc = ctypes.CDLL(None, use_errno=True)
# PyDLL keeps the GIL across the call, as os.fork does around fork().
_raw = ctypes.PyDLL(None, use_errno=True)
_raw.syscall.restype = ctypes.c_long


class SandboxError(Exception):
    """A protection could not be applied; never run weaker silently."""


def _check(result, what):
    if result != 0:
        err = ctypes.get_errno()
        raise SandboxError("%s: %s" % (what, os.strerror(err)))


def _syscall_number(name):
    machine = os.uname().machine
    numbers = _SYSCALLS.get(machine)
    if numbers is None:
        raise SandboxError("unsupported architecture %s" % machine)
    return numbers[name]


def unshare(flags):
    if _libc.unshare(flags) != 0:
        _check(-1, "unshare")


def mount(source, target, fstype, flags, data=None):
    enc = lambda s: s.encode() if s is not None else None  # noqa: E731
    _check(_libc.mount(enc(source), enc(target), enc(fstype), ctypes.c_ulong(flags), enc(data)),
           "mount %s on %s" % (fstype or source or "", target))


def umount(target):
    """Unmount target (bytes); lazily if something still holds it."""
    if _libc.umount2(target, 0) != 0:
        _check(_libc.umount2(target, MNT_DETACH), "umount %s" % target.decode())


def kill_all():
    """kill(-1, SIGKILL): from pid 1, every other process of its namespace.
    0 if it signalled any, -1 if none was left (no exception to raise)."""
    return _libc.kill(-1, signal.SIGKILL)


def prctl(option, value):
    _check(_libc.prctl(option, ctypes.c_ulong(value), 0, 0, 0), "prctl(%d)" % option)


M_ARENA_MAX = -8  # mallopt parameter (glibc malloc.h)


def single_malloc_arena():
    """glibc's malloc gives every new thread an arena of its own, reserving
    64 MiB of address space each: under RLIMIT_AS a few threads hit the
    memory limit by reservations alone, and which limit a thread bomb meets
    first (memory or processes) turned on a few hundred kB of layout. One
    arena for all threads (mallopt M_ARENA_MAX = 1), set in the fork server,
    holds for every run forked from it."""
    mallopt = getattr(_libc, "mallopt", None)
    if mallopt is not None:
        mallopt(M_ARENA_MAX, 1)


def trim_heap():
    """Give the C heap's free pages back to the system (glibc malloc_trim)."""
    trim = getattr(_libc, "malloc_trim", None)
    if trim is not None:
        trim(ctypes.c_size_t(0))


def clone(flags):
    """fork() into new namespaces: the child is pid 1 of a fresh PID
    namespace and the executor's direct child (one process, not two). Same
    interpreter bookkeeping as os.fork; the executor is single-threaded."""
    ctypes.pythonapi.PyOS_BeforeFork()
    pid = _raw.syscall(ctypes.c_long(_syscall_number("clone")), ctypes.c_ulong(flags | signal.SIGCHLD),
                       ctypes.c_void_p(0), ctypes.c_void_p(0), ctypes.c_void_p(0), ctypes.c_void_p(0))
    err = ctypes.get_errno()
    if pid == 0:
        ctypes.pythonapi.PyOS_AfterFork_Child()
    else:
        ctypes.pythonapi.PyOS_AfterFork_Parent()
    if pid < 0:
        raise SandboxError("clone: %s" % os.strerror(err))
    return pid


# -- executor-level confinement (once per executor) ---------------------------


def is_root():
    return os.geteuid() == 0


def confine_executor(keep_paths):
    """Namespaces tier: the executor leaves the host's network and mount
    namespaces. Afterwards the whole filesystem is read-only for everyone in
    it (root included), private homes are hidden except the interpreter
    paths in keep_paths, and /tmp is the executor's own tmpfs."""
    if not is_root():
        raise SandboxError("namespaces need root (running as uid %d); run as root or use bubblewrap as root" % os.geteuid())
    unshare(CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWUTS)
    mount(None, "/", None, MS_REC | MS_PRIVATE)
    _hide_closed_dirs(keep_paths)
    make_readonly("/")
    held = hold_tmp_paths(keep_paths)
    mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0700")
    bind_back(held)
    for _, fd in held:
        os.close(fd)


def _first_closed_ancestor(path):
    """The outermost directory on the way to path that others cannot enter."""
    parts = path.strip("/").split("/")
    current = ""
    for part in parts:
        current += "/" + part
        try:
            mode = os.stat(current).st_mode
        except OSError:
            return None
        if stat.S_ISDIR(mode) and not mode & stat.S_IXOTH:
            return current
    return None


def _hide_closed_dirs(keep_paths):
    """Cover each closed directory (e.g. /root, mode 0700) that holds a path
    the sandbox must read with an empty tmpfs, then bind those paths back:
    the sandbox uid can read the interpreter and nothing else from there."""
    groups = {}
    for path in keep_paths:
        closed = _first_closed_ancestor(path)
        if closed is not None and closed != path:
            groups.setdefault(closed, []).append(path)
    old_umask = os.umask(0o022)
    try:
        for closed, paths in groups.items():
            handles = [(p, os.open(p, os.O_PATH)) for p in sorted(set(paths))]
            mount("tmpfs", closed, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=1m")
            for path, fd in handles:
                os.makedirs(path, mode=0o755, exist_ok=True)
                mount("/proc/self/fd/%d" % fd, path, None, MS_BIND | MS_REC)
                os.close(fd)
    finally:
        os.umask(old_umask)


def hold_tmp_paths(keep_paths):
    """The paths the sandbox must read that live under /tmp (a checkout or
    an interpreter there), held open before a private /tmp covers them:
    [(path, O_PATH fd)] for bind_back."""
    return [(p, os.open(p, os.O_PATH)) for p in sorted(set(keep_paths)) if p.startswith("/tmp/")]


def bind_back(held):
    """Into the private /tmp just mounted over them: each held path at its
    own place, read-only (the covered mount stays attached underneath, so
    its held fds can still be bound)."""
    old_umask = os.umask(0o022)
    try:
        for path, fd in held:
            os.makedirs(path, mode=0o755, exist_ok=True)
            mount("/proc/self/fd/%d" % fd, path, None, MS_BIND | MS_REC)
            mount(None, path, None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)
    finally:
        os.umask(old_umask)


class _MountAttr(ctypes.Structure):
    _fields_ = [("attr_set", ctypes.c_uint64), ("attr_clr", ctypes.c_uint64),
                ("propagation", ctypes.c_uint64), ("userns_fd", ctypes.c_uint64)]


def make_readonly(path):
    """Every mount under path read-only: one mount_setattr call (Linux 5.12+),
    else a bind-remount of each mount point."""
    attr = _MountAttr(MOUNT_ATTR_RDONLY, 0, 0, 0)
    try:
        number = _syscall_number("mount_setattr")
    except SandboxError:
        number = None
    if number is not None:
        result = _libc.syscall(ctypes.c_long(number), ctypes.c_int(AT_FDCWD), path.encode(),
                               ctypes.c_uint(AT_RECURSIVE), ctypes.byref(attr), ctypes.c_size_t(ctypes.sizeof(attr)))
        if result == 0:
            return
        if ctypes.get_errno() != errno.ENOSYS:
            _check(result, "mount_setattr(read-only) on %s" % path)
    flags_of = {"nosuid": MS_NOSUID, "nodev": MS_NODEV, "noexec": MS_NOEXEC}
    with open("/proc/self/mountinfo") as f:
        for line in f:
            fields = line.split()
            target = fields[4].encode().decode("unicode_escape")
            if not (target == path or target.startswith(path.rstrip("/") + "/")):
                continue
            extra = 0
            for option in fields[5].split(","):
                extra |= flags_of.get(option, 0)
            mount(None, target, None, MS_BIND | MS_REMOUNT | MS_RDONLY | extra)


def bwrap_argv(bwrap, keep_paths):
    """bubblewrap arguments that give the executor a minimal read-only view
    of the host (system dirs, /etc, the interpreters, the tracers), no
    network, its own /tmp, and keep the capabilities it needs to build each
    run's namespaces and drop to the sandbox uid."""
    argv = [bwrap, "--die-with-parent", "--unshare-net", "--unshare-uts", "--unshare-ipc"]
    for top in ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc"):
        if os.path.islink(top):
            argv += ["--symlink", os.readlink(top), top]
        elif os.path.isdir(top):
            argv += ["--ro-bind", top, top]
    # The private /tmp first, so that kept paths under /tmp are bound into it.
    argv += ["--tmpfs", "/tmp"]
    made = set(["/", "/tmp"])
    for path in sorted(set(keep_paths)):
        if path.startswith(("/usr/", "/etc/")) or not os.path.exists(path):
            continue
        parent = os.path.dirname(path)
        chain = []
        while parent not in made:
            chain.append(parent)
            made.add(parent)
            parent = os.path.dirname(parent)
        for d in reversed(chain):
            argv += ["--perms", "0755", "--dir", d]
        argv += ["--ro-bind", path, path]
    argv += ["--proc", "/proc", "--dev", "/dev"]
    if is_root():
        argv += ["--cap-add", "ALL"]
    return argv


def interpreter_paths(node, tracers_dir):
    """What the sandbox must be able to read: Python's prefixes and import
    path, node's install prefix, and the tracers."""
    paths = {os.path.realpath(p) for p in (sys.prefix, sys.base_prefix, sys.exec_prefix)}
    for entry in sys.path:
        if entry and os.path.isdir(entry):
            real = os.path.realpath(entry)
            if not any(real == p or real.startswith(p + "/") for p in paths):
                paths.add(real)
    if node:
        real_node = os.path.realpath(node)
        prefix = os.path.dirname(os.path.dirname(real_node))
        paths.add(prefix if prefix not in ("/", "/usr", "/usr/local") else os.path.dirname(real_node))
    paths.add(os.path.realpath(tracers_dir))
    # Drop paths nested in another kept path.
    return sorted(p for p in paths if not any(p != q and p.startswith(q.rstrip("/") + "/") for q in paths))


# -- per-run confinement ------------------------------------------------------


def enter_run_namespaces():
    """In the executor: start the run's init in fresh PID, mount and IPC
    namespaces. Returns the child's pid (0 in the child)."""
    return clone(CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWIPC)


def private_run_mounts(run_dir, tmp_bytes, uid, keep_paths=()):
    """In the init (pid 1) of a fresh PID and mount namespace: private /tmp
    (with the kept paths under /tmp bound back), /dev/shm and /proc; the
    working directory is a fresh directory on the private /tmp owned by the
    sandbox uid. Everything vanishes with the namespace."""
    prctl(PR_SET_PDEATHSIG, signal.SIGKILL)  # executor gone -> run gone
    flags = MS_NOSUID | MS_NODEV
    held = hold_tmp_paths(keep_paths)
    mount("tmpfs", "/tmp", "tmpfs", flags, _tmpfs_options(tmp_bytes))
    mount("tmpfs", "/dev/shm", "tmpfs", flags, _tmpfs_options(tmp_bytes))
    mount("proc", "/proc", "proc", flags | MS_NOEXEC)
    os.mkdir(run_dir, 0o700)
    os.chown(run_dir, uid, uid)
    bind_back(held)
    for _, fd in held:
        os.close(fd)


def fresh_run_tmp(run_dir, tmp_bytes, uid, replace, held=()):
    """In the fork server (pid 1 of its PID namespace), with no run alive:
    a fresh private /tmp and /dev/shm (replace: the last run's, with
    whatever it wrote, are unmounted first), the working directory on /tmp,
    owned by the sandbox uid, and the held paths bound back (bind_back)."""
    # Straight to libc: the generic mount() builds its arguments and its
    # error text on every call, and every page the fork server writes
    # costs it a copy-on-write fault after each fork.
    options = _tmpfs_options(tmp_bytes).encode()
    for target in (b"/tmp", b"/dev/shm"):
        if replace:
            umount(target)
        if _libc.mount(b"tmpfs", target, b"tmpfs", _RUN_TMP_FLAGS, options) != 0:
            _check(-1, "mount tmpfs on %s" % target.decode())
    os.mkdir(run_dir, 0o700)
    os.chown(run_dir, uid, uid)
    bind_back(held)


_RUN_TMP_FLAGS = ctypes.c_ulong(MS_NOSUID | MS_NODEV)


def resize_run_tmp(tmp_bytes):
    """In a run's program, before it is confined: its job asks for another
    size of /tmp and /dev/shm than the fork server prepared."""
    for target in ("/tmp", "/dev/shm"):
        mount(None, target, None, MS_REMOUNT | MS_NOSUID | MS_NODEV, "size=%d" % max(MIB, tmp_bytes))


def _tmpfs_options(tmp_bytes):
    return "size=%d,nr_inodes=4096,mode=1777" % max(MIB, tmp_bytes)


def drop_privileges(uid, no_new_privs=True):
    """Become the run's sandbox uid for good: no supplementary groups, no
    capabilities, and no way back through setuid binaries (no_new_privs=False:
    the process already has it, from a parent that set it)."""
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)
    if no_new_privs:
        prctl(PR_SET_NO_NEW_PRIVS, 1)
    if os.getuid() != uid or os.geteuid() != uid:
        raise SandboxError("could not drop to uid %d" % uid)


def scrubbed_env(home):
    """No inherited secrets: only what an interpreter needs to start."""
    return {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": home,
        "TMPDIR": home,
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        # The executor's own (0, or another seed when a build checks hash-order dependence).
        "PYTHONHASHSEED": os.environ.get("PYTHONHASHSEED", "0"),
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONIOENCODING": "utf-8",
    }


def redirect_fds(paths, keep=()):
    """fds 0-2 are the program's, fd 3 is the trace channel; every other fd
    inherited from the executor (its pipes to the tool) is closed, except
    those in keep (the init's status pipe, never passed to the program)."""
    stdin_path, stdout_path, stderr_path, channel_path = paths
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
        # os.open makes fds close-on-exec (PEP 446): node, exec'd next, must keep them.
        os.set_inheritable(fd, True)
    close_from(4, keep)


def close_from(low, keep=()):
    start = low
    for fd in sorted(k for k in keep if k >= low):
        os.closerange(start, fd)
        start = fd + 1
    os.closerange(start, 65536)


def set_limits(limits, language):
    """Resource limits, soft = hard so a dropped-privilege program cannot
    raise them back (CPU keeps one spare second past SIGXCPU before the
    kernel's SIGKILL). Node cannot start under RLIMIT_AS below ~1 GiB (it
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
    cap(resource.RLIMIT_MEMLOCK, 0)
    cap(resource.RLIMIT_MSGQUEUE, 0)


def which_bwrap():
    import shutil  # here, not at the top: the fork server imports this module, and its size is its forks' cost

    return shutil.which("bwrap", path="/usr/bin:/bin:/usr/local/bin:" + os.environ.get("PATH", ""))
