"""A run's verdict and its result record, for the executor and the warm
JavaScript worker alike: how the run ended (status, detail), whether its
trace channel is intact (the END seal), what the program reached for
(static scan), and the one result record the tool reads (tracers/README.md,
"Executor protocol").
"""

import base64
import json
import os
import re
import signal

from sandbox import SETUP_FAILED

OUT_OF_MEMORY = re.compile(r"heap out of memory|out of memory|MemoryError|Cannot allocate memory")


def timeout_verdict(limits):
    return "timeout", "wall-clock timeout of %d ms" % limits["timeout_ms"]


def cpu_verdict(limits):
    return "cpu_limit", "CPU time limit of %d ms" % limits["cpu_ms"]


def classify(status, cpu_ms, timed_out, limits, stdout_cut, stderr_cut, stderr):
    """(status, detail, exit code, signal name) from how the run ended: its
    wait status, CPU time, whether the clock stopped it, cut outputs, stderr."""
    exit_code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else None
    sig = os.WTERMSIG(status) if os.WIFSIGNALED(status) else None
    sig_name = signal.Signals(sig).name if sig else None
    if timed_out:
        return timeout_verdict(limits) + (exit_code, sig_name)
    if sig == signal.SIGXCPU or (sig == signal.SIGKILL and cpu_ms >= limits["cpu_ms"]):
        return cpu_verdict(limits) + (exit_code, sig_name)
    if sig == signal.SIGXFSZ:
        return "output_limit", "file size limit of %d bytes" % limits["max_file_bytes"], exit_code, sig_name
    if exit_code == SETUP_FAILED and stderr.startswith("coderl-trace sandbox:"):
        return "sandbox_error", "sandbox set-up failed: %s" % stderr.strip()[-500:], exit_code, sig_name
    if (sig is not None or exit_code not in (0, 1)) and OUT_OF_MEMORY.search(stderr[-4000:]):
        return "memory_limit", "memory limit of %d MiB" % limits["memory_mb"], exit_code, sig_name
    if sig is not None:
        return "killed", "killed by %s" % sig_name, exit_code, sig_name
    if stdout_cut or stderr_cut:
        return "output_limit", "output over %d bytes" % limits["max_output_bytes"], exit_code, sig_name
    return ("ok" if exit_code == 0 else "runtime_error"), None, exit_code, sig_name


def text(data):
    return data.decode("utf-8", "replace")


def output_fields(name, data, truncated):
    """A run's stdout or stderr as result fields: the text, and when the
    bytes are not valid UTF-8 (the text then has U+FFFD in their place),
    the exact bytes as `<name>_base64`. A character cut in two by the
    output cap is not a fault of the program's."""
    fields = {name: None, name + "_truncated": truncated}
    try:
        fields[name] = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        fields[name] = text(data)
        cut_at_cap = truncated and exc.reason == "unexpected end of data" and exc.end == len(data)
        if not cut_at_cap:
            fields[name + "_base64"] = base64.b64encode(data).decode("ascii")
    return fields


def result_record(job, verdict, seal, stdout, stderr, channel, duration_ms, cpu_ms, max_rss_kb):
    """The executor's answer for one run. verdict: classify's 4-tuple;
    stdout, stderr, channel: (bytes, truncated); seal: the run's channel
    seal (None: not checked)."""
    status, detail, exit_code, sig_name = verdict
    channel_data, channel_cut = channel
    check, problem = ("absent", None) if seal is None else check_channel(channel_data, seal, channel_cut)
    if check == "tampered":
        # A record the decoder cannot accept: the trace is marked channel-tampered.
        channel_data += json.dumps(["TAMPERED", problem]).encode() + b"\n"
    return {
        "job": job["job"], "status": status, "detail": detail,
        "exit_code": exit_code, "signal": sig_name,
        "duration_ms": round(duration_ms, 3),
        "cpu_ms": round(cpu_ms, 3),
        "max_rss_kb": max_rss_kb,
        **output_fields("stdout", *stdout),
        **output_fields("stderr", *stderr),
        "channel": text(channel_data), "channel_truncated": channel_cut,
        "channel_check": check, "channel_problem": problem,
        "tracer_access": tracer_access(job["language"], job["source"]),
    }


# -- the trace channel's integrity ---------------------------------------------


def check_channel(channel, seal, truncated):
    """Verify the channel's END record against the per-run seal. A runtime
    that seals its END writes {"seal": <the job's channel_seal>, "bytes":
    <bytes it wrote before END>}; anything else on fd 3 (a program writing
    or replacing the channel) breaks the byte count, and a forged END cannot
    know the seal without reaching into the tracer's memory (which the
    static scan flags). Returns (check, problem):
    "sealed" | "tampered" | "unsealed" (END without a seal) | "absent" (no END)."""
    if truncated:
        return "absent", "channel truncated"
    end_at = channel.rfind(b"\n", 0, len(channel) - 1) + 1
    last = channel[end_at:]
    if not last.startswith(b'["END"'):
        return "absent", None
    try:
        record = json.loads(last)[1]
    except (ValueError, IndexError, TypeError):
        return "tampered", "END record is not valid JSON"
    if not isinstance(record, dict) or "seal" not in record:
        return "unsealed", None
    if isinstance(record.get("tampered"), str):
        return "tampered", "the program changed the tracer: " + record["tampered"]
    if record.get("seal") != seal:
        return "tampered", "END record carries a wrong seal"
    if record.get("bytes") != end_at:
        return "tampered", "channel has %d bytes before END, the runtime wrote %s" % (end_at, record.get("bytes"))
    if not channel.endswith(b"\n"):
        return "tampered", "bytes after the END record"
    return "sealed", None


_TRACER_ACCESS = {
    "python": [
        ("gc", r"\bgc\b"), ("ctypes", r"\bctypes\b"), ("frames", r"_getframe|\bf_back\b|\bf_globals\b|\bf_locals\b|\binspect\b"),
        ("settrace", r"\bset(trace|profile)\b"), ("tracer-names", r"__ct"),
        ("introspection", r"__closure__|cell_contents|__self__|__globals__|__func__|__builtins__|\bbuiltins\b"),
        ("fd-access", r"/proc/self|/dev/fd|\bdup2\b|\bcloserange\b|\bfdopen\s*\(\s*3\b|os\.(write|close)\s*\(\s*3\b"),
        # Lookups by computed name reach what the words above name without naming it
        # (`getattr(__import__('built' + 'ins'), '__c' + 'tp__')` forges events). Real
        # rollouts do not use them: none of the 936 LiveCodeBench answers, one HumanEval eval.
        ("dynamic-access", r"__import__|\bimportlib\b|\b(get|set|del)attr\s*\(|\bsys\.modules\b|(?<![.\w])(exec|eval|compile)\s*\("
                           r"|\b(globals|vars)\s*\(|__dict__|__subclasses__|__bases?__|__mro__|__getattribute__|__loader__|__spec__"
                           r"|\b(attrgetter|methodcaller|pickle|marshal|runpy)\b"),
    ],
    "javascript": [
        ("internals", r"process\.binding|\binspector\b|require\(\s*['\"](node:)?v8['\"]"),
        ("fd-access", r"/proc/self|/dev/fd|\b(write|writeSync|close|closeSync)\s*\(\s*3\b|fd\s*:\s*3\b"),
        ("tracer-names", r"__ct\$"),
        # A direct eval runs computed text in the caller's scope, where the
        # runtime's bindings are: it could name them without the scan seeing it.
        ("eval", r"\beval\s*\("),
    ],
}
_TRACER_ACCESS = {language: [(name, re.compile(pattern)) for name, pattern in patterns]
                  for language, patterns in _TRACER_ACCESS.items()}


def tracer_access(language, source):
    """Static scan: names of the ways this program could reach the tracer or
    its channel (a warning for the consumer, not a verdict)."""
    return [name for name, pattern in _TRACER_ACCESS.get(language, []) if pattern.search(source)]
