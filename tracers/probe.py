"""Which sandbox protections work on this machine (`coderl-trace doctor`).

`executor.py --probe CONFIG_JSON` tries each tier, strongest first: each
attempt starts a real executor of that tier (`executor.py --self-test`) and
runs one test program in it, which checks every protection from inside.
"""

import json
import os
import subprocess
import sys

import sandbox

HERE = os.path.dirname(os.path.abspath(__file__))
EXECUTOR = os.path.join(HERE, "executor.py")


def self_test(config, make_executor):
    """Start an executor of the given tier in this process and run one tiny
    job through it; print what happened as JSON."""
    report = {"tier": config["tier"], "ok": False, "error": None}
    try:
        executor = make_executor(config)
        source = SELF_TEST % json.dumps(config["host"])
        job = {"job": 0, "language": "python", "mode": "plain", "source": source, "instrumented": None,
               "line_map": None, "input": {"kind": "stdin", "stdin": ""},
               "limits": {"timeout_ms": 5000, "cpu_ms": 5000, "memory_mb": 256, "max_output_bytes": 65536,
                          "max_events": 10, "max_processes": 8, "max_file_bytes": 65536, "max_value_chars": 100}}
        result = executor.run_job(job)
        executor.close()
        if result["status"] != "ok":
            report["error"] = "test run: %s: %s" % (result["status"], result["detail"] or result["stderr"].strip()[-300:])
        else:
            report["checks"] = json.loads(result["stdout"])
            report["ok"] = True
    except Exception as exc:
        report["error"] = "%s: %s" % (type(exc).__name__, exc)
    print(json.dumps(report))


# Run inside the sandbox by the self-test: each line checks one protection.
SELF_TEST = r'''
HOST = %s
import json, os, socket, resource
checks = {}
checks["uid"] = os.getuid() not in (0, HOST["uid"]) and os.geteuid() not in (0, HOST["uid"])
checks["pid"] = os.getpid() == 2
try:
    socket.create_connection(("1.1.1.1", 53), timeout=0.5); checks["net"] = False
except OSError:
    checks["net"] = len(socket.if_nameindex()) <= 1
checks["net"] = checks["net"] and os.readlink("/proc/self/ns/net") != HOST["net"]
checks["ipc"] = os.readlink("/proc/self/ns/ipc") != HOST["ipc"]
checks["fs-write"] = not any(os.access(p, os.W_OK) for p in HOST["writable"] + [os.path.dirname(os.__file__)])
checks["fs-read"] = not any(os.path.exists(p) for p in HOST["readable"])
checks["rlimits"] = resource.getrlimit(resource.RLIMIT_NPROC)[1] == 8 and resource.getrlimit(resource.RLIMIT_CORE)[1] == 0
print(json.dumps(checks))
'''


def probe(config):
    """Which protections work here? Try the strongest tier first: each
    attempt runs a real executor of that tier on a test program."""
    node = config.get("node")
    keep = sandbox.interpreter_paths(node, HERE)
    attempts = []
    skip_bwrap = os.environ.get("CODERL_TRACE_BWRAP") == "none"
    bwrap = None if skip_bwrap else sandbox.which_bwrap()
    tiers = []
    if config.get("tier") in (None, "auto", "bwrap"):
        tiers.append("bwrap")
    if config.get("tier") in (None, "auto", "bwrap", "namespaces"):
        tiers.append("namespaces")
    tiers.append("rlimits")
    chosen = None
    host = host_facts(keep)
    for tier in tiers:
        cfg = {"node": node, "tier": tier, "host": host}
        if tier == "bwrap":
            if not bwrap:
                why = "skipped (CODERL_TRACE_BWRAP=none)" if skip_bwrap else "bubblewrap (bwrap) not found; apt-get install bubblewrap"
                attempts.append({"tier": tier, "ok": False, "error": why})
                continue
            launch = sandbox.bwrap_argv(bwrap, keep) + ["--", sys.executable, "-s", "-B", EXECUTOR]
        else:
            launch = [sys.executable, "-s", "-B", EXECUTOR]
        try:
            done = subprocess.run(launch + ["--self-test", json.dumps(cfg)], capture_output=True, text=True, timeout=30)
            report = json.loads(done.stdout.strip().splitlines()[-1]) if done.stdout.strip() else {
                "tier": tier, "ok": False, "error": (done.stderr.strip() or "exit %d" % done.returncode)[-300:]}
        except (OSError, subprocess.TimeoutExpired, ValueError) as exc:
            report = {"tier": tier, "ok": False, "error": str(exc)}
        report["launch"] = launch
        attempts.append(report)
        if report["ok"]:
            chosen = report
            break
    protections = {}
    for name in sandbox.PROTECTIONS:
        active = bool(chosen and chosen.get("checks", {}).get(name))
        protections[name] = {"active": active, "description": sandbox.DESCRIPTIONS[name],
                             "why_not": None if active else _why_not(name, chosen, attempts)}
    print(json.dumps({
        "tier": chosen["tier"] if chosen else None,
        "launch": chosen["launch"] if chosen else None,
        "protections": protections,
        "attempts": [{k: a.get(k) for k in ("tier", "ok", "error")} for a in attempts],
        "bwrap": bwrap, "root": sandbox.is_root(), "python": sys.executable,
        "python_version": sys.version.split()[0],
    }))


def host_facts(keep):
    """What the self-test compares against: the host's namespaces, places
    that must not be writable, and readable places the sandbox must not see."""
    readable = [p for p in ("/home", "/var", "/opt", "/srv", "/mnt", "/root")
                if os.path.isdir(p) and os.access(p, os.R_OK) and not any(k.startswith(p + "/") for k in keep)]
    writable = ["/", "/usr", "/etc", "/var/tmp", os.path.expanduser("~"), HERE]
    return {"uid": os.getuid(), "net": os.readlink("/proc/self/ns/net"), "ipc": os.readlink("/proc/self/ns/ipc"),
            "readable": readable, "writable": [p for p in writable if os.path.isdir(p)]}


def _why_not(name, chosen, attempts):
    if chosen and chosen["tier"] == "rlimits" and all(a.get("ok") for a in attempts):
        return "not attempted (--unsafe-no-sandbox)"
    failures = "; ".join("%s tier: %s" % (a["tier"], a["error"]) for a in attempts if not a.get("ok"))
    if chosen and name in chosen.get("checks", {}):
        return "not provided by the %s tier%s" % (chosen["tier"], ("; " + failures) if failures else "")
    return failures or "unknown"
