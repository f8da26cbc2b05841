"""The Python client and the verl hook, against the real CLI (run by client.test.ts).

    python3 tests/serve/client_test.py        # after npm run build
"""

import json
import os
import subprocess
import sys
import tempfile
import threading
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "src", "python"))

from coderl_trace import Builder, BuildError, default_command  # noqa: E402
from coderl_trace_verl import Scorer, alignment_rows, batch_rows, compute_score_router  # noqa: E402

STEP_ROWS = os.path.join(ROOT, "fixtures", "serve", "step_rows.jsonl")


def step_rows():
    with open(STEP_ROWS) as f:
        return [json.loads(line) for line in f if line.strip()]


def cli_build(path, *flags):
    """Tasks from `coderl-trace build` over a file (the CLI, not the client)."""
    done = subprocess.run(default_command() + ["build", path, "--jobs", "2"] + list(flags),
                          capture_output=True, text=True, check=True)
    return [json.loads(line) for line in done.stdout.splitlines() if line.strip()]


def ground_truths(tasks):
    """The part of a task that does not name where its row came from."""
    out = []
    for task in tasks:
        gt = json.loads(task["reward_model"]["ground_truth"])
        gt.pop("provenance")
        out.append((task["prompt"], gt["code"], gt["input"], gt["expected_output"], gt["expected_local_variable"]))
    return out


class BuilderTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.builder = Builder(jobs=2, keep="all")

    @classmethod
    def tearDownClass(cls):
        cls.builder.close()

    def test_same_tasks_as_the_cli(self):
        rows = step_rows()
        expected = cli_build(STEP_ROWS, "--keep", "all")
        self.assertGreaterEqual(len(expected), 5)
        # Labelled with the file's path: identical, provenance included.
        self.assertEqual(self.builder.build(rows, source=STEP_ROWS).tasks, expected)
        # From rows written to another file by Python: the same tasks apart from provenance.
        with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as f:
            f.write("".join(json.dumps(r) + "\n" for r in rows))
        try:
            self.assertEqual(ground_truths(self.builder.build(rows).tasks), ground_truths(cli_build(f.name, "--keep", "all")))
        finally:
            os.unlink(f.name)

    def test_options_per_call_and_error_answers(self):
        rows = step_rows()
        failed_only = self.builder.build(rows, keep="failed")
        self.assertIn("passed", [r["reason"] for r in failed_only.rejects])
        self.assertEqual(failed_only.stats["records"], len(rows))
        self.assertTrue(failed_only.stats["balanced"])
        with self.assertRaises(BuildError) as caught:
            self.builder.build(rows, tests_per_program=0)
        self.assertEqual(caught.exception.code, "usage")
        self.assertIn("--tests-per-program", str(caught.exception))
        # ...and the same builder goes on.
        self.assertEqual(len(self.builder.build(rows[:2]).tasks), 2)

    def test_threads_share_one_builder(self):
        rows = step_rows()
        results, errors = {}, []

        def worker(i):
            try:
                results[i] = self.builder.build(rows[i:i + 3])
            except Exception as exc:  # pragma: no cover - reported below
                errors.append(exc)

        threads = [threading.Thread(target=worker, args=(i,)) for i in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(errors, [])
        for i, result in results.items():
            self.assertEqual(result.stats["records"], len(rows[i:i + 3]))

    def test_restarts_a_dead_server(self):
        with Builder(jobs=1) as builder:
            first = builder.build(step_rows()[:2])
            old = builder.pid
            os.kill(old, 9)
            builder._proc.wait()
            again = builder.build(step_rows()[:2])
            self.assertNotEqual(builder.pid, old)
            self.assertEqual(ground_truths(first.tasks), ground_truths(again.tasks))


class FakeTokenizer:
    """Stands in for a Hugging Face tokenizer: here 'token ids' are the text itself."""

    def batch_decode(self, responses, skip_special_tokens=True):
        return list(responses)


class FakeBatch:
    """A verl DataProto's shape: .batch (tensors) and .non_tensor_batch (numpy object arrays)."""

    def __init__(self, rows):
        self.batch = {"responses": [r["output"] for r in rows],
                      # the reward lands on the last token, as verl's reward managers put it
                      "token_level_scores": [[0.0, 0.0, r["score"]] for r in rows]}
        self.non_tensor_batch = {"data_source": [r["data_source"] for r in rows],
                                 "reward_model": [{"ground_truth": r["gts"], "style": "rule"} for r in rows]}


class VerlHookTest(unittest.TestCase):
    def test_step_in_rows_out(self):
        rows = step_rows()
        with Builder(jobs=2) as builder:
            out = batch_rows(builder, FakeBatch(rows), FakeTokenizer(), step=12)
        # As the recipe does: failed rollouts only (the passed row 3 is not mined), the
        # alignment-task row 10 is skipped, duplicates and crashes give nothing.
        with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as f:
            f.write("".join(json.dumps(r) + "\n" for r in rows if r["data_source"] != "exec_semantics_align"))
        try:
            expected = cli_build(f.name, "--keep", "failed")
        finally:
            os.unlink(f.name)
        self.assertEqual(ground_truths(out), ground_truths(expected))
        self.assertEqual(len(out), 4)
        for row in out:
            self.assertEqual(set(row), {"data_source", "prompt", "ability", "reward_model", "extra_info"})
            self.assertTrue(row["data_source"].startswith("coderl-trace/"))
            self.assertEqual(row["prompt"][0]["role"], "user")
            gt = json.loads(row["reward_model"]["ground_truth"])
            self.assertEqual(gt["input"] and subprocess.run([sys.executable, "-c", gt["code"]], input=gt["input"],
                                                            capture_output=True, text=True).stdout.rstrip("\n"),
                             gt["expected_output"])

    def test_no_rollouts_left_gives_no_rows(self):
        with Builder(jobs=1) as builder:
            self.assertEqual(alignment_rows(builder, [], [], [], []), [])
            self.assertIsNone(builder.pid)  # no server started for nothing

    def test_reward_router(self):
        calls = []
        scorer = Scorer()
        self.addCleanup(scorer.close)
        route = compute_score_router(lambda *args, **kw: calls.append(args) or 0.25, scorer)
        self.assertEqual(route("lcb", "print(1)", "{}"), 0.25)
        with Builder(jobs=1) as builder:
            task = builder.build(step_rows()[:1]).tasks[0]
        truth = task["reward_model"]["ground_truth"]
        gt = json.loads(truth)
        right = json.dumps({"final_output": gt["expected_output"], "variables": gt["expected_local_variable"]})
        self.assertAlmostEqual(route(task["data_source"], "Tracing it...\n" + right, truth), 1.0)
        self.assertLess(route(task["data_source"], "no idea", truth), 0.5)
        self.assertEqual(len(calls), 1)

if __name__ == "__main__":
    unittest.main(verbosity=2)
