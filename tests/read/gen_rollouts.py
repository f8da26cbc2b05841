"""Generate a large verl rollout dump (1,000+ rollouts) from the corpora.

    python3 tests/read/gen_rollouts.py --out DIR [--per-step 400] [--limit N] [--bad 6]

Writes DIR/{step}.jsonl in the shape of verl's `trainer.rollout_data_dir`
dumps (input, output, gts, score, step, uid, acc, data_source). Sources, from
../shared/corpora ($CORPORA; else the slices in fixtures/corpora):
- MBPP: the reference solution (a correct rollout) and a mutant (one operator
  or constant changed); tests as MBPP assert lists, or, when every argument is
  JSON, as fn_name tests in the LiveCodeBench (JSON lines) or APPS (argument
  lists) encoding, or as a stdin program (`def main()` reading JSON args).
- HumanEval: solution and mutant, tests as {test, entry_point}.
- HumanEval-X JavaScript: solution and mutant, console.assert tests.
Responses vary: fenced (python/py/javascript/js), unlabelled fence, no fence,
`<think>` prefixes. `score`/`acc` come from running each program on its tests
with the plain interpreter (a forked child per Python program, a vm context
per JavaScript program), not from coderl-trace. `--bad K` appends K broken
records (invalid JSON, non-object, missing output, no gts, ...) to the last
file so funnel counts can be checked. Deterministic: same corpora, same bytes.
"""
import argparse
import ast
import json
import os
import random
import re
import signal
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.environ.get("CORPORA", os.environ.get("CODERL_CORPORA", os.path.join(HERE, "../../../shared/corpora")))
CORPORA = SHARED if os.path.isdir(SHARED) else os.path.join(HERE, "../../fixtures/corpora")
TIMEOUT_S = 5


def load(name):
    with open(os.path.join(CORPORA, name)) as f:
        return [json.loads(line) for line in f if line.strip()]


# ------------------------------------------------------------------ mutants

class Mutator(ast.NodeTransformer):
    """Change the first applicable node (in walk order) of one kind."""
    SWAPS = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE,
             ast.GtE: ast.Gt, ast.Eq: ast.NotEq, ast.NotEq: ast.Eq, ast.Mult: ast.Add, ast.And: ast.Or, ast.Or: ast.And}

    def __init__(self, skip):
        self.skip = skip
        self.done = False

    def _hit(self):
        if self.done:
            return False
        if self.skip > 0:
            self.skip -= 1
            return False
        self.done = True
        return True

    def visit_BinOp(self, node):
        self.generic_visit(node)
        if type(node.op) in self.SWAPS and self._hit():
            node.op = self.SWAPS[type(node.op)]()
        return node

    def visit_Compare(self, node):
        self.generic_visit(node)
        if type(node.ops[0]) in self.SWAPS and self._hit():
            node.ops[0] = self.SWAPS[type(node.ops[0])]()
        return node

    def visit_Constant(self, node):
        if isinstance(node.value, int) and not isinstance(node.value, bool) and self._hit():
            return ast.copy_location(ast.Constant(node.value + 1), node)
        return node


def mutate_python(code, seed):
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return None
    m = Mutator(seed % 3)
    tree = m.visit(tree)
    if not m.done:
        m = Mutator(0)
        tree = m.visit(ast.parse(code))
        if not m.done:
            return None
    return ast.unparse(tree) + "\n"


JS_SWAPS = [(" < ", " <= "), (" > ", " >= "), (" + ", " - "), (" === ", " !== "), (" - ", " + "), ("<= ", "< ")]


def mutate_js(code, seed):
    for k in range(len(JS_SWAPS)):
        a, b = JS_SWAPS[(seed + k) % len(JS_SWAPS)]
        i = code.find(a)
        if i >= 0:
            return code[:i] + b + code[i + len(a):]
    return None


# ------------------------------------------------------------------ plain runs

def run_python(program, stdin=""):
    """Exec `program` in a forked child with `stdin`; (ok, stdout)."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        try:
            import io
            signal.alarm(TIMEOUT_S)
            sys.stdin = io.StringIO(stdin)
            out = io.StringIO()
            sys.stdout = out
            exec(compile(program, "<rollout>", "exec"), {"__name__": "__main__"})
            sys.stdout = sys.__stdout__
            os.write(w, ("OK" + out.getvalue()).encode())
            os._exit(0)
        except BaseException:
            os._exit(1)
    os.close(w)
    data = b""
    while True:
        chunk = os.read(r, 65536)
        if not chunk:
            break
        data += chunk
    os.close(r)
    _, status = os.waitpid(pid, 0)
    text = data.decode(errors="replace")
    return status == 0 and text.startswith("OK"), text[2:]


JS_CHECKER = r"""
const vm = require('vm');
const jobs = JSON.parse(require('fs').readFileSync(process.argv[1], 'utf8'));
const out = jobs.map((src) => {
  let failed = false;
  const sandbox = { console: { log() {}, assert(c) { if (!c) failed = true; } }, Math, JSON, Array, Object, String, Number, Set, Map };
  try { vm.runInNewContext(src, sandbox, { timeout: 1000 }); } catch (e) { failed = true; }
  return !failed;
});
process.stdout.write(JSON.stringify(out));
"""


def run_js_batch(programs, workers=2):
    """Check programs in `workers` node processes (halves run in parallel); results in order."""
    size = (len(programs) + workers - 1) // workers or 1
    chunks = [programs[i:i + size] for i in range(0, len(programs), size)]
    files, procs = [], []
    for chunk in chunks:
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            json.dump(chunk, f)
        files.append(f.name)
        procs.append(subprocess.Popen(["node", "-e", JS_CHECKER, f.name], stdout=subprocess.PIPE, text=True))
    try:
        return [ok for p in procs for ok in json.loads(p.communicate(timeout=600)[0])]
    finally:
        for name in files:
            os.unlink(name)


# ------------------------------------------------------------------ tests

def json_literal(src):
    """The JSON value of a Python literal, or None if it is not plain JSON (tuples, sets, ...)."""
    try:
        v = ast.literal_eval(src)
    except Exception:
        return None
    try:
        if json.loads(json.dumps(v)) == v and not _has_tuple(v):
            return (v,)
    except (TypeError, ValueError):
        pass
    return None


def _has_tuple(v):
    if isinstance(v, tuple):
        return True
    if isinstance(v, list):
        return any(_has_tuple(x) for x in v)
    if isinstance(v, dict):
        return any(_has_tuple(x) for x in v.values())
    return False


ASSERT_EQ = re.compile(r"^assert\s+([A-Za-z_]\w*)\((.*)\)\s*==\s*(.+)$", re.S)


def mbpp_json_cases(tests):
    """(fn, [(args, expected)]) when every assert is `fn(json args) == json value`; else None."""
    fn, cases = None, []
    for t in tests:
        m = ASSERT_EQ.match(t.strip())
        if not m:
            return None
        args = json_literal("[" + m.group(2) + "]")
        exp = json_literal(m.group(3))
        if args is None or exp is None or (fn and fn != m.group(1)):
            return None
        fn = m.group(1)
        cases.append((args[0], exp[0]))
    return (fn, cases) if cases else None


# ------------------------------------------------------------------ responses

def respond(code, language, i):
    label = {"python": ["python", "py", "python3"], "javascript": ["javascript", "js"]}[language][i % (2 if language == "javascript" else 3)]
    style = i % 5
    if style == 0:
        return f"Here is a solution.\n\n```{label}\n{code}```\n"
    if style == 1:
        return f"<think>\nLet me work through the examples first.\n</think>\n\n```{label}\n{code}```\n"
    if style == 2:
        return code
    if style == 3:
        return f"```\n{code}```"
    return f"<think>\nFirst try:\n```{label}\npass\n```\nThat is not enough.\n</think>\nFinal:\n```{label}\n{code}```\nDone."


def templated(question):
    return f"system\nYou are a helpful programmer.\nuser\n{question}\nassistant\n"


# ------------------------------------------------------------------ build

def mbpp_rollouts(limit):
    out = []
    for n, item in enumerate(load("mbpp.jsonl")[:limit]):
        if item["test_setup_code"].strip() or item["id"] == "MBPP/123":
            continue
        sol = item["solution"].replace("\r\n", "\n").rstrip() + "\n"
        asserts = item["tests"]
        json_cases = mbpp_json_cases(asserts)
        variant = n % 4 if json_cases else 0
        if variant == 0:
            gts, kind = asserts, "asserts"
        elif variant == 1:
            fn, cases = json_cases
            gts = {"fn_name": fn, "inputs": ["\n".join(json.dumps(a) for a in args) for args, _ in cases],
                   "outputs": [json.dumps(e) for _, e in cases]}
            kind = "lcb"
        elif variant == 2:
            fn, cases = json_cases
            gts = {"fn_name": fn, "inputs": [args for args, _ in cases], "outputs": [[e] for _, e in cases]}
            kind = "apps"
        else:
            fn, cases = json_cases
            gts = {"inputs": [json.dumps(args) + "\n" for args, _ in cases], "outputs": [repr(e) + "\n" for _, e in cases]}
            kind = "stdin"
        for mutant in (False, True):
            code = mutate_python(sol, n) if mutant else sol
            if code is None:
                continue
            if kind == "stdin":
                code = f"import sys, json\n{code}\n\ndef main():\n    args = json.loads(sys.stdin.read())\n    result = {json_cases[0]}(*args)\n    print(repr(result))\n\n\nmain()\n"
            job = ("check", code, kind, gts, asserts, json_cases)
            out.append({"code": code, "language": "python", "gts": gts, "job": job, "question": item["prompt"],
                        "data_source": "mbpp", "problem": item["id"]})
    return out


def check_python(code, kind, gts, asserts, json_cases):
    if kind == "asserts":
        return run_python(code + "\n" + "\n".join(asserts) + "\n")[0]
    if kind == "stdin":
        for stdin, want in zip(gts["inputs"], gts["outputs"]):
            ok, out = run_python(code, stdin)
            if not ok or out.strip() != want.strip():
                return False
        return True
    fn, cases = json_cases
    checks = "".join(f"assert json.loads(json.dumps({fn}(*{args!r}))) == {exp!r}\n" for args, exp in cases)
    return run_python(code + "\nimport json\n" + checks)[0]


def do_job(job):
    if job[0] == "run":
        return run_python(job[1])[0]
    return check_python(*job[1:])


def settle(rollouts):
    """Run the Python checks in a few worker processes (each forks one child per program); order is kept."""
    import multiprocessing
    jobs = [r.pop("job") for r in rollouts]
    with multiprocessing.get_context("fork").Pool(min(4, os.cpu_count() or 1)) as pool:
        for r, ok in zip(rollouts, pool.map(do_job, jobs, chunksize=8)):
            r["passed"] = ok
    return rollouts


def humaneval_rollouts(limit):
    out = []
    for n, item in enumerate(load("humaneval.jsonl")[:limit]):
        gts = {"test": item["tests"], "entry_point": item["entry_point"]}
        for mutant in (False, True):
            code = mutate_python(item["solution"], n) if mutant else item["solution"]
            if code is None:
                continue
            job = ("run", code + "\n" + item["tests"] + f"\ncheck({item['entry_point']})\n")
            out.append({"code": code, "language": "python", "gts": gts, "job": job, "question": item["prompt"],
                        "data_source": "humaneval", "problem": item["id"]})
    return out


def humanevalx_js_rollouts(limit):
    items = [it for it in load("humanevalx_js.jsonl")[:limit]
             if not it["id"].endswith(("/112", "/155", "/162"))]  # fail their own tests upstream / need npm modules
    progs, meta = [], []
    for n, item in enumerate(items):
        # The declaration ends with the function to write; earlier ones are helpers.
        names = re.findall(r"(?:const|function)\s+([A-Za-z_$][\w$]*)", item["declaration"])
        if not names:
            continue
        entry = names[-1]
        for mutant in (False, True):
            code = mutate_js(item["solution"], n) if mutant else item["solution"]
            if code is None:
                continue
            progs.append(code + "\n" + item["tests"])
            meta.append({"code": code, "language": "javascript", "gts": {"test": item["tests"], "entry_point": entry},
                         "question": item["prompt"], "data_source": "humaneval-x", "problem": item["id"]})
    for m, ok in zip(meta, run_js_batch(progs)):
        m["passed"] = ok
    return meta


BAD_LINES = [
    '{"input": "x", "output": "```python\\nprint(1)\\n```", "gts": ',  # cut-off line
    '["not", "an", "object"]',
    json.dumps({"input": "x", "gts": "{}", "score": 0.0, "step": 0}),  # no output
    json.dumps({"input": "x", "output": "```python\nprint(1)\n```", "score": 0.0, "step": 0}),  # no gts (old verl)
    json.dumps({"input": "x", "output": "```cpp\nint main(){}\n```", "gts": "[\"assert f(1) == 1\"]", "score": 0.0, "step": 0}),
    json.dumps({"input": "x", "output": 7, "gts": "[]", "score": 0.0, "step": 0}),
]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--per-step", type=int, default=400)
    ap.add_argument("--limit", type=int, default=10**9, help="items per corpus")
    ap.add_argument("--bad", type=int, default=len(BAD_LINES))
    args = ap.parse_args()

    rollouts = settle(mbpp_rollouts(args.limit) + humaneval_rollouts(args.limit)) + humanevalx_js_rollouts(args.limit)
    random.Random(0).shuffle(rollouts)
    os.makedirs(args.out, exist_ok=True)
    files = []
    for start in range(0, len(rollouts), args.per_step):
        step = start // args.per_step + 1
        lines = []
        for i, r in enumerate(rollouts[start:start + args.per_step]):
            lines.append(json.dumps({
                "input": templated(r["question"]), "output": respond(r["code"], r["language"], start + i),
                "gts": json.dumps(r["gts"]), "score": 1.0 if r["passed"] else 0.0, "step": step,
                "acc": r["passed"], "data_source": r["data_source"], "uid": r["problem"],
            }, ensure_ascii=False))
        files.append((os.path.join(args.out, f"{step}.jsonl"), lines))
    files[-1][1].extend(BAD_LINES[:args.bad])
    for path, lines in files:
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\n")
    counts = {"records": sum(len(l) for _, l in files), "rollouts": len(rollouts), "bad": min(args.bad, len(BAD_LINES)),
              "passed": sum(r["passed"] for r in rollouts), "files": len(files)}
    print(json.dumps(counts))


if __name__ == "__main__":
    main()
