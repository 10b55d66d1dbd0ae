"""Every standard benchmark, whole, through the four stages with the reference
executor: the canonical solutions pass (but for the datasets' known bugs), and
with every body replaced by one that returns nothing, everything fails."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from benchmark_files import dataset_file
from helpers import output_path, records, stage, write_records

DATASETS = {  # importer spec, expected failures of the canonical solutions
    "humaneval": ("humaneval=humaneval/HumanEval.jsonl.gz", 164, {}),
    "humanevalplus": ("humanevalplus=humanevalplus/HumanEvalPlus.jsonl.gz", 164, {}),
    "humaneval-js": ("humaneval-js=humaneval-js/humaneval_js.jsonl.gz", 164,
                     {"JavaScript/112": "fail", "JavaScript/155": "fail",  # fail their own tests
                      "JavaScript/162": "runtime_error"}),                 # needs npm js-md5
    "mbpp": ("mbpp:all=mbpp/mbpp.jsonl", 974, {}),
    "mbpp-sanitized": ("mbpp-sanitized:all=mbpp/sanitized-mbpp.json", 427, {}),
}  # importer=file, the file's path inside the datasets folder (benchmark_files)


def located(spec: str) -> str:
    importer, relative = spec.split("=", 1)
    return f"{importer}={dataset_file(relative)}"
EMPTY_BODY = {"python": "    return None\n", "javascript": "  return undefined;\n}\n"}


def run_stages(tmp, spec, template="program-chat", answers=None, *evaluate_args):
    prepared = output_path(stage("prepare.py", "--interview", spec, "--template", template,
                                 "--output", tmp / "prepare.ndjson"))
    if answers is None:
        interviewed = output_path(stage("interview.py", "--input", prepared, "--output", tmp / "interview.ndjson"))
    else:  # hand-made answers: the prepare records plus an answer each
        interviewed = write_records(tmp / "interview.ndjson", [
            {**r, "stage": "interview", "sample": 0, "answer": answers(r), "executor": "test", "model": "empty"}
            for r in records(prepared)])
    # a safety net, not a timing: 164 compiled programs take ~5-9 min on a loaded 2-core machine
    return output_path(stage("evaluate.py", "--input", interviewed, "--output", tmp / "eval.ndjson",
                             "--workers", "2", *evaluate_args, timeout=1800))


@pytest.mark.parametrize("dataset", DATASETS)
def test_canonical_solutions_pass_but_for_known_data_bugs(dataset, tmp_path):
    spec, count, known = DATASETS[dataset]
    spec = located(spec)
    rows = records(run_stages(tmp_path, spec))
    assert len(rows) == count
    failing = {r["name"]: r["status"] for r in rows if r["status"] != "pass"}
    assert failing == known
    for row in rows:  # the relative timeout is measured and recorded
        timing = row["timing"]
        # HumanEval+ programs time each input themselves: their budgets come on top
        relative = max(3.0, 4 * timing["reference_s"]) + (timing.get("budget_s") or 0)
        assert timing["reference_s"] > 0 and timing["limit_s"] == round(relative, 3)
        assert timing["reference_status"] == row["status"]
    passk = json.loads((tmp_path / "eval.passk.json").read_text())
    assert passk["run"] == {"questions": count, "pass@1": round((count - len(known)) / count, 6)}
    if dataset == "humanevalplus":
        base, plus = {r["name"]: r["tests"] for r in rows}["HumanEval/0"].values()
        assert base[0] == base[2] > 0 and plus[0] == plus[2] > 100  # every base and plus input compared


@pytest.mark.parametrize("dataset", DATASETS)
def test_an_empty_body_fails_everything(dataset, tmp_path):
    spec, count, _ = DATASETS[dataset]
    if dataset == "humanevalplus":  # Mini: the same tasks, far fewer plus inputs
        spec = spec.replace("HumanEvalPlus.jsonl.gz", "HumanEvalPlus-Mini.jsonl.gz")
    spec = located(spec)
    if dataset.startswith("mbpp"):  # chat style: a whole function (MBPP's prompt is a docstring)
        template, answer = "program-chat", lambda r: (
            f"```python\ndef {r['question']['Signature'].split('(')[0]}(*args):\n    return None\n```")
    else:  # completion style: the body alone continues the prompt, and extraction stitches it on
        template, answer = "program-completion", lambda r: EMPTY_BODY[r["language"]]
    rows = records(run_stages(tmp_path, spec, template, answer, "--timeout-factor", "0"))
    assert len(rows) == count
    statuses = Counter(r["status"] for r in rows)
    assert statuses["pass"] == 0 and set(statuses) <= {"fail", "runtime_error"}, statuses
    assert all(r["timing"]["limit_s"] == 3.0 and r["timing"]["reference_s"] is None for r in rows)
    if template == "program-completion":
        assert all(r["code"].lstrip().startswith(r["code_prefix"].strip()) for r in rows)
