"""Turn the LiveCodeBench rollouts corpus into a verl rollout dump.

    python3 tests/read/lcb_to_verl.py [IN.jsonl|-] [OUT.jsonl|-]

IN defaults to ../shared/corpora/rollouts_lcb_dev.jsonl (else the slice in
fixtures/corpora), OUT to stdout. One line per rollout in the shape of verl's
`trainer.rollout_data_dir` dumps (as tests/read/gen_rollouts.py writes them):
input (the chat-templated prompt), output (the model's raw answer), gts (a
JSON string), score (1.0 when LiveCodeBench passed the answer on its full
hidden tests, else 0.0), step, acc, data_source, uid. Tests are the
statement's sample tests:
- stdin/stdout problems: `{"inputs": [...], "outputs": [...]}`;
- LeetCode problems: a list of call expressions `[{"call", "output"}]` as the
  statement writes them (keyword arguments, true/false/null), read by
  src/read/test-cases.ts. The corpus' few extra cases in LiveCodeBench's
  own JSON-lines encoding (`lcb_inputs_json_lines`, some not valid JSON) are
  left out.
Deterministic: same input, same bytes.
"""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.environ.get("CODERL_CORPORA", os.path.join(HERE, "../../../shared/corpora"))
CORPORA = SHARED if os.path.isdir(SHARED) else os.path.join(HERE, "../../fixtures/corpora")


def prompt(rec):
    text = rec["prompt"]
    if rec.get("starter_code"):
        text += "\n\nStart from:\n" + rec["starter_code"]
    return f"system\nYou are a careful programmer.\nuser\n{text}\nassistant\n"


def gts(tests):
    if tests["format"] == "stdin_stdout":
        return {"inputs": tests["inputs"], "outputs": tests["outputs"]}
    if tests["format"] == "leetcode_functional":
        return [{"call": c["input_call"], "output": c["expected_output"]} for c in tests["cases"] if "input_call" in c]
    raise ValueError(f"unknown test format {tests['format']!r}")


def convert(rec):
    tests = rec["tests"] if isinstance(rec["tests"], dict) else json.loads(rec["tests"])
    passed = rec["passed"] in (True, "True", "true")
    return {
        "input": prompt(rec), "output": rec["completion"], "gts": json.dumps(gts(tests), ensure_ascii=False),
        "score": 1.0 if passed else 0.0, "step": 1, "acc": passed,
        "data_source": f"livecodebench/{rec['platform']}", "uid": rec["problem_id"], "id": rec["id"],
    }


def main():
    src = sys.argv[1] if len(sys.argv) > 1 else os.path.join(CORPORA, "rollouts_lcb_dev.jsonl")
    dst = sys.argv[2] if len(sys.argv) > 2 else "-"
    inp = sys.stdin if src == "-" else open(src, encoding="utf-8")
    lines = [json.dumps(convert(json.loads(l)), ensure_ascii=False) for l in inp if l.strip()]
    out = sys.stdout if dst == "-" else open(dst, "w", encoding="utf-8")
    out.write("\n".join(lines) + "\n")
    out.flush()


if __name__ == "__main__":
    main()
