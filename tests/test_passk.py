"""pass@k: the unbiased estimator against hand-computed values, and the figures
the evaluate stage and the report give for a run with several samples."""

from __future__ import annotations

import json
import math

import pytest

from benchmark_files import dataset_file
from helpers import output_path, records, stage, write_records

from codeinterview.passk import pass_at_k, run_pass_at_k, summary


@pytest.mark.fast
@pytest.mark.parametrize("n,c,k,expected", [
    (5, 2, 1, 2 / 5),
    (5, 2, 2, 1 - 3 / 10),            # 1 - C(3,2)/C(5,2)
    (4, 1, 3, 1 - 1 / 4),             # 1 - C(3,3)/C(4,3)
    (10, 3, 5, 1 - 21 / 252),         # 1 - C(7,5)/C(10,5)
    (10, 0, 10, 0.0),
    (10, 10, 1, 1.0),
    (200, 13, 100, 1 - math.comb(187, 100) / math.comb(200, 100)),
    (3, 1, 3, 1.0),                   # n - c < k: some draw of k always holds the pass
])
def test_estimator_matches_hand_computed_values(n, c, k, expected):
    assert pass_at_k(n, c, k) == pytest.approx(expected, abs=1e-12)


@pytest.mark.fast
@pytest.mark.parametrize("n,c,k", [(3, 1, 4), (3, 4, 1), (3, 1, 0)])
def test_estimator_refuses_k_above_n_and_bad_counts(n, c, k):
    with pytest.raises(ValueError):
        pass_at_k(n, c, k)


@pytest.mark.fast
def test_run_value_is_the_mean_over_questions_for_k_every_question_reaches():
    assert run_pass_at_k([(10, 5), (10, 0)]) == {"pass@1": 0.25, "pass@10": 0.5}
    assert run_pass_at_k([(10, 5), (3, 3)]) == {"pass@1": 0.75}  # one question has only 3 samples
    rows = [{"suite": "s", "name": "a", "language": "python", "status": st}
            for st in ("pass", "fail", "sandbox_error")]  # an infrastructure error is no sample
    assert summary(rows)["questions"] == [{"suite": "s", "name": "a", "language": "python",
                                           "n": 2, "c": 1, "pass@1": 0.5}]


def test_evaluate_and_report_give_pass_at_k_for_several_samples(tmp_path):
    prepared = output_path(stage("prepare.py", "--interview",
                                 f"humaneval={dataset_file('humaneval/HumanEval.jsonl.gz')}",
                                 "--template", "program-completion", "--output", tmp_path / "p.ndjson"))
    rows = {r["name"]: r for r in records(prepared)}
    # HumanEval/0: 2 of 3 samples right; HumanEval/2: 1 of 3 (body-only completions)
    plan = {"HumanEval/0": ["canonical", "canonical", "    return True\n"],
            "HumanEval/2": ["canonical", "    return 0.0\n", "    return 1.5\n"]}
    answers = []
    for name, bodies in plan.items():
        row = rows[name]
        reference = row["question"]["Reference"]["python"]
        for sample, body in enumerate(bodies):
            text = reference[len(row["code_prefix"]):] if body == "canonical" else body
            answers.append({**row, "stage": "interview", "sample": sample, "answer": text,
                            "executor": "test", "model": "mixed", "params_name": "t"})
    interviewed = write_records(tmp_path / "i.ndjson", answers)
    graded = output_path(stage("evaluate.py", "--input", interviewed, "--output", tmp_path / "e.ndjson"))
    assert [r["status"] for r in records(graded) if r["name"] == "HumanEval/0"].count("pass") == 2
    passk = json.loads((tmp_path / "e.passk.json").read_text())
    per_question = {q["name"]: q for q in passk["questions"]}
    assert per_question["HumanEval/0"]["pass@1"] == pytest.approx(2 / 3, abs=1e-6)
    assert per_question["HumanEval/2"]["pass@1"] == pytest.approx(1 / 3, abs=1e-6)
    assert passk["run"] == {"questions": 2, "pass@1": 0.5}
    proc = stage("report.py", graded, "--output-dir", tmp_path)
    assert "pass@1" in proc.stdout and "0.500" in proc.stdout
    csv = (tmp_path / "leaderboard.csv").read_text().splitlines()
    assert float(dict(zip(csv[0].split(","), csv[1].split(",")))["pass@1"]) == 0.5
