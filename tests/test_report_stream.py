"""report.py streams: over generated eval records (no sandbox needed) its
numbers are those computed directly from the records, large totals print as
integers, --compare agrees with the records, and peak memory does not grow
with the number of records."""

from __future__ import annotations

import csv
import gzip
import json
import random
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from helpers import REPO, stage

from codeinterview import compare as compare_module
from codeinterview.errors import UserError
from codeinterview.html.examples import RUNS_SHOWN, Examples
from codeinterview.report import number

pytestmark = pytest.mark.fast  # no Docker engine, no server, no model

MODELS = ("alpha", "beta", "gamma")
LANGUAGES = ("python", "javascript")
QUESTIONS = [("junior", f"Q{i}") for i in range(8)] + [("senior", f"S{i}") for i in range(4)]
STATUSES = ("pass", "pass", "fail", "runtime_error", "timeout", "sandbox_error")


SLOTS = [(m, s, q, lang) for m in MODELS for s, q in QUESTIONS for lang in LANGUAGES]


def synthetic(count: int, seed: int = 0, runs: int = 2, payload: int = 600):
    """`count` eval records: every model x question x language, samples round-robin,
    spread over `runs` runs per model (the `run` field), with tokens and latency."""
    rng = random.Random(seed)
    for i in range(count):
        model, suite, name, language = SLOTS[i % len(SLOTS)]
        status = rng.choice(STATUSES)
        weights = [1, 1, 2, 0.5] if model == "gamma" else [1, 1, 2, 1]
        checks = [{"name": f"c{k}", "assert": f"f({k})", "expected": k, "weight": w,
                   "passed": status == "pass" or (status == "fail" and k % 2 == 0),
                   "got": k if status == "pass" else None} for k, w in enumerate(weights)]
        yield {"stage": "eval", "suite": suite, "name": name, "language": language, "sample": i // len(SLOTS),
               "model": model, "template": "chat-simple", "params_name": "greedy",
               "run": f"{model}-run{(i // len(SLOTS)) % runs}", "status": status,
               "passed": 0 if status == "sandbox_error" else sum(c["weight"] for c in checks if c["passed"]),
               "total": sum(weights), "checks": checks,
               "code": "x" * payload, "question": {"Signature": f"{name}(x)", "Reference": "r" * payload},
               "usage": {"prompt_tokens": rng.randint(10, 99), "completion_tokens": rng.randint(1, 50)},
               "latency_s": round(rng.uniform(0.1, 2.0), 3)}


def write(path: Path, records) -> Path:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "wt") as handle:
        for record in records:
            handle.write(json.dumps(record) + "\n")
    return path


def expected_rows(records: list[dict]) -> dict[str, dict]:
    """The leaderboard.csv numbers per model, from the records alone."""
    rows = defaultdict(list)
    for r in records:
        rows[r["model"]].append(r)
    want = {}
    for model, part in rows.items():
        scored = [r for r in part if r["status"] != "sandbox_error"]
        per_run, per_question = defaultdict(lambda: [0, 0]), defaultdict(list)
        for r in scored:
            per_run[r["run"]][0] += r["passed"]
            per_run[r["run"]][1] += r["total"]
            per_question[(r["suite"], r["name"], r["language"])].append(r["status"] == "pass")
        scores = [100 * p / t for p, t in per_run.values()]
        tokens = [r["usage"]["prompt_tokens"] + r["usage"]["completion_tokens"] for r in scored]
        want[model] = {
            "infra_errors": len(part) - len(scored),
            "passed": sum(r["passed"] for r in scored), "total": sum(r["total"] for r in scored),
            "answers_passed": sum(r["status"] == "pass" for r in scored), "answers": len(scored),
            "python_passed": sum(r["passed"] for r in scored if r["language"] == "python"),
            "javascript_answers": sum(r["language"] == "javascript" for r in scored),
            "runs": len(per_run), "score_mean": round(sum(scores) / len(scores), 1),
            "score_min": round(min(scores), 1), "score_max": round(max(scores), 1),
            "tokens_per_answer": round(sum(tokens) / len(tokens), 2),
            "pass@1": round(sum(sum(v) / len(v) for v in per_question.values()) / len(per_question), 6),
        }
    return want


def test_leaderboard_is_the_records_numbers(tmp_path):
    records = list(synthetic(3000))
    source = write(tmp_path / "eval.ndjson.gz", records)
    stage("report.py", source, "--output-dir", tmp_path)
    table = {row["model"]: row for row in csv.DictReader((tmp_path / "leaderboard.csv").open())}
    for model, want in expected_rows(records).items():
        for column, value in want.items():
            assert float(table[model][column]) == pytest.approx(value, abs=1e-6), (model, column)


def test_large_totals_print_as_integers(tmp_path):
    records = [{**r, "status": "pass", "passed": 500, "total": 500} for r in synthetic(3000, payload=10)]
    halves = [{**r, "model": "halves", "passed": 0.5, "total": 1.5} for r in synthetic(5, payload=10)]
    proc = stage("report.py", write(tmp_path / "big.ndjson", records + halves), "--output-dir", tmp_path)
    alpha = 500 * sum(r["model"] == "alpha" for r in records)
    assert f"{alpha}/{alpha} (100.0%) [100.0-100.0]" in proc.stdout  # not 5.04e+05
    assert "e+0" not in proc.stdout and "e+0" not in (tmp_path / "leaderboard.md").read_text()
    assert "2.5/7.5 (33.3%) [33.3-33.3]" in proc.stdout  # every question 0.5/1.5: no spread
    assert [number(v) for v in (1315540.0, 1315540, 2.5, 0.1 + 0.2, 2 / 3)] == ["1315540", "1315540", "2.5", "0.3", "0.67"]


def test_site_keeps_one_answer_per_run_and_says_how_many(tmp_path):
    records = list(synthetic(len(SLOTS) * 6, runs=2, payload=10))  # 6 samples per slot, in two runs
    stage("report.py", write(tmp_path / "e.ndjson", records), "--output-dir", tmp_path, "--html", tmp_path / "site")
    page = (tmp_path / "site" / "q" / "junior--Q1.html").read_text()
    assert page.count('class="checks"') == len(MODELS) * len(LANGUAGES) * 2  # one answer per run
    assert page.count("2 of 6 answers shown") == len(MODELS) * len(LANGUAGES)
    assert "sample 0" in page and "sample 1" in page and "sample 2" not in page  # the first sample of each run


def test_examples_keep_the_lowest_sample_of_the_first_runs():
    examples = Examples()
    base = next(synthetic(1, payload=10))
    for run in range(RUNS_SHOWN + 2):
        for sample in (3, 1, 2):
            examples.offer({**base, "sample": sample}, f"run{run}")
    column = (base["suite"], base["name"], base["language"], (base["model"], "chat-simple", "greedy"))
    kept = examples.answers(column)
    assert [(a["run"], a["sample"]) for a in kept] == [(f"run{i}", 1) for i in range(RUNS_SHOWN)]
    assert examples.questions[(base["suite"], base["name"])] == {"Signature": base["question"]["Signature"]}


def test_compare_streams_and_matches_the_records(tmp_path, monkeypatch):
    a = list(synthetic(400, seed=1, runs=1, payload=10))
    b = list(synthetic(400, seed=2, runs=1, payload=10))[:-10]  # 10 answers only in A
    with pytest.raises(UserError, match="several runs"):  # three models' answers share their keys
        compare_module.compare_files([write(tmp_path / "a3.ndjson", a), write(tmp_path / "b3.ndjson", b)])
    monkeypatch.setattr(compare_module, "LIST_ROWS", 5)

    def key(r):
        return r["suite"], r["name"], r["language"], r["sample"]

    a = [r for r in a if r["model"] == "alpha"]
    b = [r for r in b if r["model"] == "alpha"]
    result = compare_module.compare_files([write(tmp_path / "a1.ndjson", a), write(tmp_path / "b1.ndjson", b)])
    by_b = {key(r): r for r in b}
    graded = [(r, by_b[key(r)]) for r in a if key(r) in by_b
              and "sandbox_error" not in (r["status"], by_b[key(r)]["status"])]
    flips = [(x, y) for x, y in graded if (x["status"] == "pass") != (y["status"] == "pass")]
    changed = sum(cx["passed"] != cy["passed"] or cx["got"] != cy["got"]
                  for x, y in graded for cx, cy in zip(x["checks"], y["checks"]))
    summary = result["summary"]
    assert summary["answers compared"] == len(graded)
    assert summary["fixed (B passes, A did not)"] == sum(y["status"] == "pass" for _, y in flips)
    assert summary["broke (A passed, B does not)"] == sum(x["status"] == "pass" for x, _ in flips)
    assert summary["checks changed"] == changed
    assert summary["only in A"] == sum(key(r) not in by_b for r in a) and summary["only in B"] == 0
    assert summary["score A (%)"] == round(100 * sum(x["passed"] for x, _ in graded)
                                           / sum(x["total"] for x, _ in graded), 1)
    assert len(result["flips"]) == 5 and result["more"] == {"flips": len(flips), "checks": changed}
    assert list(result["flips"].name) == sorted(result["flips"].name)  # the first rows, in key order
    assert "(the first 5 of" in compare_module.render_two(result, "github")


def test_site_and_compare_survive_undecodable_output(tmp_path):
    """A lone surrogate (what undecodable bytes become) in a value or in stdout."""
    a = [r for r in synthetic(len(SLOTS), payload=10) if r["model"] == "alpha"]
    b = [{**r, "run": "b", "stdout": "out \udcff",
          "checks": [{**r["checks"][0], "got": "bad \ud800", "passed": False}]} for r in a]
    files = [write(tmp_path / "a.ndjson", a), write(tmp_path / "b.ndjson", b)]
    stage("report.py", *files, "--compare", "--output-dir", tmp_path, "--html", tmp_path / "site")
    assert "\\ud800" in (tmp_path / "site" / "compare.html").read_text()  # the got value, as JSON
    assert "out ?" in (tmp_path / "site" / "q" / "junior--Q0.html").read_text()  # stdout as it is, but the byte


PEAK = """
import resource, sys
from codeinterview.report import main
main(sys.argv[1:])
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)
"""


def peak_kib(path: Path, tmp: Path, *extra: str) -> int:
    proc = subprocess.run([sys.executable, "-c", PEAK, str(path), "--output-dir", str(tmp), *extra],
                          cwd=REPO, capture_output=True, text=True, check=True)
    return int(proc.stderr.strip().splitlines()[-1])


def test_peak_memory_does_not_grow_with_records(tmp_path):
    """2k and 30k records, leaderboard and site: the same peak, give or take
    allocator noise (a report that held the records would grow with them)."""
    small = write(tmp_path / "small.ndjson", synthetic(2_000, payload=800))
    large = write(tmp_path / "large.ndjson", synthetic(30_000, payload=800))
    low, high = (peak_kib(path, tmp_path, "--html", str(tmp_path / "site")) for path in (small, large))
    assert high - low < 20 * 1024, (low, high)
