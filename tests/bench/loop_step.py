"""One training step's batch through a warm Builder vs the CodeRL+ recipe's way.

    python3 tests/bench/loop_step.py CORPUS N JOBS ROUNDS [PRELUDE_FILE]

CORPUS is rollouts_lcb_dev.jsonl (LiveCodeBench answers); its first N
records become verl rollout-dump rows (`input`, `output`, `gts`, `score`,
`step`, `data_source`). Both sides take every row (keep all) and run its
program once on its first test with JOBS in parallel:

- Builder: `coderl_trace.Builder(jobs=JOBS, keep="all")`, warmed on other
  rows of the corpus, then `build(rows)` timed (tracing, sandbox, tasks).
- reference: recipe/code_extractor.py's CodeExecutor: the program with a
  `locals()` dump appended (inside `if __name__` when there is one) written
  to a temp file and run by a fresh `subprocess.run([python, file])`, 5 s
  timeout, JOBS workers (the recipe uses 32 loky workers; here the cores).
  Not sandboxed, no instrumentation. A row that runs into the 5 s limit
  there costs any tool that gives programs the recipe's 5 s as much: with
  such a row, no Builder can be more than reference / 5 s faster (reported
  as the ceiling). Given PRELUDE_FILE (the judge's
  imports the Builder runs `class Solution` programs after), a second
  reference runs those programs after it too: without it most LeetCode-style
  programs stop at `NameError: List` and cost the reference almost nothing.

Prints one JSON line per round.
"""

import json
import os
import re
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "src", "python"))  # from dist/tests/bench
sys.path.insert(0, os.path.join(HERE, "..", "..", "src", "python"))

from coderl_trace import Builder  # noqa: E402


# -- LiveCodeBench records as verl dump rows ----------------------------------------

def split_top(text):
    """Split `a = 1, b = [1, 2]` at the commas outside brackets and strings."""
    parts, depth, quote, start, i = [], 0, None, 0, 0
    while i < len(text):
        c = text[i]
        if quote:
            if c == "\\":
                i += 1
            elif c == quote:
                quote = None
        elif c in "\"'":
            quote = c
        elif c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        elif c == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
        i += 1
    parts.append(text[start:])
    return [p.strip() for p in parts if p.strip()]


def call_args(input_call):
    """`Solution().m(x = [1], y = "a")` -> ("m", ['[1]', '"a"']) (values as JSON text)."""
    m = re.match(r"Solution\(\)\.(\w+)\((.*)\)\s*$", input_call, re.S)
    values = [re.sub(r"^\w+\s*=\s*", "", part, count=1) for part in split_top(m.group(2))]
    return m.group(1), values


def verl_row(rec, step):
    tests = rec["tests"]
    if tests["format"] == "stdin_stdout":
        gts = {"inputs": tests["inputs"][:1], "outputs": tests["outputs"][:1]}
    else:
        case = tests["cases"][0]
        fn, values = call_args(case["input_call"])
        gts = {"fn_name": fn, "inputs": ["\n".join(values)], "outputs": [case["expected_output"]]}
    reward = 1.0 if rec["passed"] else 0.0
    return {"input": rec["prompt"], "output": rec["completion"], "gts": json.dumps(gts), "score": reward,
            "acc": rec["passed"], "step": step, "data_source": "livecodebench", "_input_call": tests.get("cases", [{}])[0].get("input_call")}


def load_rows(path, start, count, step):
    rows = []
    with open(path) as f:
        for i, line in enumerate(f):
            if i < start:
                continue
            if len(rows) == count:
                break
            try:
                rows.append(verl_row(json.loads(line), step))
            except (AttributeError, KeyError, IndexError):
                continue  # an unparseable sample call: left out of both sides
    return rows


# -- the recipe's way ------------------------------------------------------------------

CAPTURE = '''
__v__ = {k: v for k, v in locals().items()
         if not k.startswith('_')
         and not callable(v)
         and type(v).__module__ in ('builtins', '__main__')
         and type(v).__name__ in ('int', 'float', 'str', 'bool', 'list', 'dict', 'tuple', 'set', 'NoneType')}
for k, v in __v__.items():
    if isinstance(v, set):
        __v__[k] = list(v)
import sys, json
print("___V___", file=sys.stderr)
print(json.dumps(__v__), file=sys.stderr)
'''


def code_of(response):
    blocks = re.findall(r"```python\n(.*?)```", response, re.DOTALL)
    return blocks[-1].strip() if blocks else None


def reference_program(row, prelude=None):
    code = code_of(row["output"])
    if code is None:
        return None, None
    if prelude is not None and re.search(r"^class\s+Solution\b", code, re.M):
        code = prelude + code
    gts = json.loads(row["gts"])
    stdin = gts["inputs"][0] if "fn_name" not in gts else ""
    if "fn_name" in gts:
        code += "\ntrue, false, null = True, False, None\nprint(repr(%s))\n" % row["_input_call"]
    if "if __name__" in code and "__main__" in code:
        lines = code.splitlines()
        at = next((i + 1 for i in range(len(lines) - 1, -1, -1) if lines[i].strip() and not lines[i].strip().startswith("#")), len(lines))
        lines[at:at] = ["    " + line for line in CAPTURE.splitlines()]
        return "\n".join(lines), stdin
    return code + "\n\n" + CAPTURE, stdin


TIMEOUT_S = 5  # the recipe's


def reference_one(row, prelude=None):
    """(output or None, whether the program ran into the recipe's 5 s limit)."""
    program, stdin = reference_program(row, prelude)
    if program is None:
        return None, False
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as f:
        f.write(program)
    try:
        done = subprocess.run([sys.executable, f.name], input=stdin, capture_output=True, text=True, timeout=TIMEOUT_S)
        if done.returncode != 0 or not done.stdout.strip():
            return None, False
        return done.stdout.strip(), False
    except subprocess.TimeoutExpired:
        return None, True
    finally:
        os.unlink(f.name)


def reference(rows, jobs, prelude=None):
    """(outputs, rows that ran into the time limit)."""
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        outs = list(pool.map(lambda row: reference_one(row, prelude), rows))
    return sum(1 for o, _ in outs if o is not None), sum(1 for _, limit in outs if limit)


def main(argv):
    corpus, n, jobs, rounds = argv[1], int(argv[2]), int(argv[3]), int(argv[4])
    prelude = open(argv[5]).read() if len(argv) > 5 else None
    rows = load_rows(corpus, 0, n, step=1)
    warm = load_rows(corpus, n, 40, step=0)
    with Builder(jobs=jobs, keep="all") as builder:
        t0 = time.perf_counter()
        builder.build(warm[:1])
        first = time.perf_counter() - t0
        builder.build(warm)
        for r in range(rounds):
            t0 = time.perf_counter()
            result = builder.build(rows)
            built = time.perf_counter() - t0
            t0 = time.perf_counter()
            ref_ok, ref_limit = reference(rows, jobs)
            ref = time.perf_counter() - t0
            t0 = time.perf_counter()
            ref_prelude_ok = reference(rows, jobs, prelude)[0] if prelude is not None else None
            ref_prelude = time.perf_counter() - t0 if prelude is not None else None
            print(json.dumps({"round": r, "rows": len(rows), "builder_s": built, "reference_s": ref,
                              "tasks": len(result.tasks), "rejects": len(result.rejects), "reference_outputs": ref_ok,
                              "reference_limit_rows": ref_limit, "limit_s": TIMEOUT_S,
                              "reference_prelude_s": ref_prelude, "reference_prelude_outputs": ref_prelude_ok,
                              "runs": result.stats["runs_by_status"], "first_request_s": first}), flush=True)


if __name__ == "__main__":
    main(sys.argv)
