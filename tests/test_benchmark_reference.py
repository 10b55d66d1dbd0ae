"""Every standard benchmark through the four stages, in one evaluate run per
dataset: the canonical solutions (the reference executor) pass but for the
datasets' known bugs, and every body replaced by one that returns nothing
fails. The `dataset` tier: a fixed sample of each dataset per commit, every
task with CODEINTERVIEW_FULL_DATASETS=1 (tests/dataset_sample.py)."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from benchmark_files import dataset_file
from codeinterview.benchmarks import load_benchmark
from dataset_sample import questions_flag, sample
from helpers import output_path, records, stage, write_records

DATASETS = {  # importer spec, expected failures of the canonical solutions
    "humaneval": ("humaneval=humaneval/HumanEval.jsonl.gz", {}),
    "humanevalplus": ("humanevalplus=humanevalplus/HumanEvalPlus.jsonl.gz", {}),
    "humaneval-js": ("humaneval-js=humaneval-js/humaneval_js.jsonl.gz",
                     {"JavaScript/112": "fail", "JavaScript/155": "fail",  # fail their own tests
                      "JavaScript/162": "runtime_error"}),                 # needs npm js-md5
    "mbpp": ("mbpp:all=mbpp/mbpp.jsonl", {}),
    "mbpp-sanitized": ("mbpp-sanitized:all=mbpp/sanitized-mbpp.json", {}),
}  # importer=file, the file's path inside the datasets folder (benchmark_files)
EMPTY_BODY = {"python": "    return None\n", "javascript": "  return undefined;\n}\n"}


def located(spec: str) -> str:
    importer, relative = spec.split("=", 1)
    return f"{importer}={dataset_file(relative)}"


def prepare(tmp_path, spec: str, template: str, chosen: list[str], name: str):
    return output_path(stage("prepare.py", "--interview", spec, "--template", template,
                             *questions_flag(chosen), "--output", tmp_path / f"prepare-{name}.ndjson"))


def empty_answer(dataset: str, record: dict) -> str:
    if dataset.startswith("mbpp"):  # chat style: a whole function (MBPP's prompt is a docstring)
        return f"```python\ndef {record['question']['Signature'].split('(')[0]}(*args):\n    return None\n```"
    return EMPTY_BODY[record["language"]]  # completion style: extraction stitches the body onto the prompt


@pytest.mark.dataset
@pytest.mark.parametrize("dataset", DATASETS)
def test_canonical_solutions_pass_and_empty_bodies_fail(dataset, tmp_path):
    spec, known = DATASETS[dataset]
    spec = located(spec)
    chosen = sample(dataset, (q.name for q in load_benchmark(spec).questions))
    known = {name: status for name, status in known.items() if name in chosen}
    # the reference executor answers the chat prompts; the empty bodies continue the completion
    # prompts (MBPP's prompt is a docstring: a whole function, in chat style): one evaluate run
    canonical = output_path(stage("interview.py", "--input", prepare(tmp_path, spec, "program-chat", chosen, "chat"),
                                  "--output", tmp_path / "interview-chat.ndjson"))
    template = "program-chat" if dataset.startswith("mbpp") else "program-completion"
    empty = [{**r, "stage": "interview", "sample": 0, "answer": empty_answer(dataset, r), "executor": "test",
              "model": "empty"} for r in records(prepare(tmp_path, spec, template, chosen, "empty"))]
    interviewed = write_records(tmp_path / "interview.ndjson", records(canonical) + empty)
    # a safety net, not a timing: a whole dataset takes minutes on a loaded 2-core machine
    rows = records(output_path(stage("evaluate.py", "--input", interviewed, "--output", tmp_path / "eval.ndjson",
                                     "--workers", "2", timeout=1800)))
    assert len(rows) == 2 * len(chosen)
    reference = [r for r in rows if r["executor"] != "test"]
    empty = [r for r in rows if r["executor"] == "test"]
    assert sorted(r["name"] for r in reference) == sorted(r["name"] for r in empty) == sorted(chosen)

    failing = {r["name"]: r["status"] for r in reference if r["status"] != "pass"}
    assert failing == known
    timings = {}
    for row in reference:  # the relative timeout is measured and recorded
        timing = timings[row["name"]] = row["timing"]
        # HumanEval+ programs time each input themselves: their budgets come on top
        relative = max(3.0, 4 * timing["reference_s"]) + (timing.get("budget_s") or 0)
        assert timing["reference_s"] > 0 and timing["limit_s"] == round(relative, 3)
        assert timing["reference_status"] == row["status"]
    if dataset == "humanevalplus":
        base, plus = {r["name"]: r["tests"] for r in reference}["HumanEval/0"].values()
        assert base[0] == base[2] > 0 and plus[0] == plus[2] > 100  # every base and plus input compared

    statuses = Counter(r["status"] for r in empty)
    # A timeout fails the answer too. No test here loops forever on an empty body (each of
    # HumanEval-X JavaScript's 164 ends in well under a second under plain node), but a loaded
    # machine can stretch a cold container's run past the 3 s floor: allow a few, not most.
    assert statuses["pass"] == 0 and set(statuses) <= {"fail", "runtime_error", "timeout"}, statuses
    assert statuses["timeout"] <= len(empty) // 4, statuses
    for row in empty:  # the reference's time is measured once per question, for both answers
        assert row["timing"] == timings[row["name"]], (row["name"], row["timing"])
    if template == "program-completion":
        assert all(r["code"].lstrip().startswith(r["code_prefix"].strip()) for r in empty)

    # eval.passk.json counts per question, over both answers: n = 2, c = 1 but for the known bugs
    passk = json.loads((tmp_path / "eval.passk.json").read_text())
    passing = len(chosen) - len(known)
    assert passk["run"] == {"questions": len(chosen), "pass@1": round(passing * 0.5 / len(chosen), 6)}

