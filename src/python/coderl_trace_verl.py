"""The verl side of coderl-trace (stdlib only; verl itself is not imported).

In the CodeRL+ recipe (recipe/ray_trainer_coderlplus.py), after each step's
advantages the trainer calls `extract_code_generation_rollout(batch, ...)`:
it runs each failed rollout once on its first test, keeps the last three
variables, drops (input, output) duplicates and puts the tasks in a Ray
buffer that feeds part of the next batches. `alignment_rows` plays that
role with a warm Builder: the step's responses, rewards, ground truths and
data sources in, dataset rows for the next batch out (`data_source`,
`prompt`, `ability`, `reward_model.ground_truth`, `extra_info`), as
`coderl-trace build --format verl` writes them.

`compute_score_router` routes those rows, at reward time, to a warm
`coderl-trace score --serve` and every other row to your own scorer.
"""

import json
import subprocess
import threading

from coderl_trace import ServerError, default_command

__all__ = ["alignment_rows", "batch_rows", "is_alignment_source", "Scorer", "compute_score_router"]

# Rows that are themselves alignment tasks are not mined again (the recipe
# skips "exec_semantics_align" and "code_execution" sources the same way).
ALIGNMENT_SOURCES = ("coderl-trace", "exec_semantics_align", "code_execution")


def is_alignment_source(data_source):
    return any(tag in str(data_source) for tag in ALIGNMENT_SOURCES)


def alignment_rows(builder, responses, rewards, ground_truths, data_sources, step=None, prompts=None,
                   data_source=None, **options):
    """One step's rollouts in, the next batch's alignment rows out.

    responses: decoded response texts; rewards: one number per response
    (the recipe's summed token-level score: > 0 counts as passed, so with
    the default keep="failed" only rollouts with reward <= 0 are mined);
    ground_truths: `reward_model` dicts or their `ground_truth` strings;
    data_sources: one per response; prompts: optional prompt texts.
    data_source: a name for the rows instead of `coderl-trace/<task kind>`
    (keep "coderl-trace" in it, which `compute_score_router` routes on).
    Extra keyword options are build flags for this call (e.g. keep="all").
    """
    rows = []
    for i, (response, reward, truth, source) in enumerate(zip(responses, rewards, ground_truths, data_sources)):
        if is_alignment_source(source):
            continue
        if isinstance(truth, dict) and "ground_truth" in truth:
            truth = truth["ground_truth"]
        reward = float(reward)
        rows.append({
            "input": prompts[i] if prompts is not None else "",
            "output": response,
            "gts": truth,
            "score": reward,
            "acc": reward > 0,
            "step": step,
            "data_source": str(source),
        })
    if not rows:
        return []
    options.setdefault("format", "verl")
    label = "step-%s" % step if step is not None else None
    tasks = builder.build(rows, source=label, **options).tasks
    if data_source is not None:
        for task in tasks:
            task["data_source"] = data_source
    return tasks


def batch_rows(builder, batch, tokenizer, step=None, **options):
    """`alignment_rows` on a verl DataProto-shaped batch, read the way the
    recipe reads it: `batch.batch["responses"]` decoded with the tokenizer,
    rewards = `token_level_scores` summed per response, and
    `non_tensor_batch["data_source"]` and `["reward_model"]`."""
    tensors, extra = batch.batch, batch.non_tensor_batch
    responses = tokenizer.batch_decode(tensors["responses"], skip_special_tokens=True)
    scores = tensors["token_level_scores"]
    rewards = scores.sum(dim=-1).tolist() if hasattr(scores, "sum") else [sum(row) for row in scores]
    return alignment_rows(builder, responses, rewards, list(extra["reward_model"]), list(extra["data_source"]),
                          step=step, **options)


class Scorer:
    """Client of `coderl-trace score --serve` (one warm process; thread-safe)."""

    def __init__(self, command=None, *args):
        self.argv = list(command or default_command()) + ["score", "--serve"] + list(args)
        self._proc = None
        self._lock = threading.Lock()

    def score(self, requests):
        """[{"response", "ground_truth"}] -> [{"score", "format_ok", "reason", ...}] in order."""
        with self._lock:
            if self._proc is None or self._proc.poll() is not None:
                self._proc = subprocess.Popen(self.argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
            for request in requests:
                self._proc.stdin.write(json.dumps(request) + "\n")
            self._proc.stdin.flush()
            answers = [self._proc.stdout.readline() for _ in requests]
        if not all(answers):
            self._proc = None
            raise ServerError("coderl-trace score --serve exited")
        return [json.loads(a) for a in answers]

    def close(self):
        if self._proc is not None:
            self._proc.stdin.close()
            self._proc.wait()
            self._proc.stdout.close()
            self._proc = None


def compute_score_router(fallback, scorer=None):
    """A verl custom reward function: alignment rows go to `score --serve`,
    the rest to `fallback(data_source, solution_str, ground_truth, extra_info)`."""
    holder = {"scorer": scorer}

    def compute_score(data_source, solution_str, ground_truth, extra_info=None, **kwargs):
        if "coderl-trace" not in str(data_source):
            return fallback(data_source, solution_str, ground_truth, extra_info, **kwargs)
        if holder["scorer"] is None:
            holder["scorer"] = Scorer()
        return holder["scorer"].score([{"response": solution_str, "ground_truth": ground_truth}])[0]["score"]

    return compute_score

