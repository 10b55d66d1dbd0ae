"""Intervals and the paired test, on eval files whose answers are drawn with
known true rates: the 95% interval covers the true rate in about 95% of
seeded draws; a real difference between two models is called, a coin flip is
not (in about 95% of draws)."""

from __future__ import annotations

import csv
import random
from pathlib import Path

import pytest

from helpers import stage, write_records

from codeinterview.compare import compare_groups, file_groups
from codeinterview.leaderboard import leaderboard
from codeinterview.leaderboard.stats import Verdict, paired, ratio_interval
from codeinterview.passk import pass_at_k
from codeinterview.report import collect

pytestmark = pytest.mark.fast  # no Docker engine, no server, no model

DRAWS = 100       # datasets per coverage test
QUESTIONS = 120


def answer(model: str, name: str, passed: bool, sample: int = 0, suite: str = "s", language: str = "python") -> dict:
    return {"stage": "eval", "suite": suite, "name": name, "language": language, "sample": sample, "model": model,
            "template": "chat-simple", "params_name": "greedy", "status": "pass" if passed else "fail",
            "passed": int(passed), "total": 1, "checks": [{"name": "c0", "passed": passed}]}


def drawn(path: Path, model: str, rates: list[float], rng: random.Random, samples: int = 1) -> Path:
    """One file: question i answered `samples` times, each passing with probability rates[i]."""
    return write_records(path, [answer(model, f"Q{i}", rng.random() < rate, sample)
                                for i, rate in enumerate(rates) for sample in range(samples)])


def covered(low: float, high: float, truth: float) -> bool:
    return low <= truth <= high


def test_score_interval_covers_the_true_rate_at_about_the_stated_level(tmp_path):
    rate, hits = 0.7, 0
    for seed in range(DRAWS):
        path = drawn(tmp_path / "e.ndjson", "m", [rate] * QUESTIONS, random.Random(seed))
        row = leaderboard(collect([path])).iloc[0]
        assert row.score_low <= row.score_pct <= row.score_high
        hits += covered(row.score_low, row.score_high, 100 * rate)
    assert 0.88 <= hits / DRAWS <= 1.0, hits


def test_pass_at_k_interval_covers_the_true_pass_at_k(tmp_path):
    """Questions of three difficulties, ten samples each: the true pass@1 is the
    mean pass probability, the true pass@10 the mean of 1 - (1 - p)^10."""
    levels = [0.2, 0.5, 0.9]
    truth = {k: sum(1 - (1 - p) ** k for p in levels) / len(levels) for k in (1, 10)}
    hits = {1: 0, 10: 0}
    for seed in range(DRAWS):
        rng = random.Random(seed)
        rates = [rng.choice(levels) for _ in range(QUESTIONS // 2)]
        row = leaderboard(collect([drawn(tmp_path / "e.ndjson", "m", rates, rng, samples=10)])).iloc[0]
        for k in hits:
            hits[k] += covered(row[f"pass@{k}_low"], row[f"pass@{k}_high"], truth[k])
    assert all(0.88 <= h / DRAWS <= 1.0 for h in hits.values()), hits
    assert pass_at_k(10, 1, 1) == pytest.approx(0.1)  # the estimator the interval resamples


def test_a_question_asked_in_two_languages_is_one_unit():
    """Clusters: the same (suite, name) in two languages resamples as one question."""
    one = ratio_interval(((("s", f"Q{i}"), i % 2, 1) for i in range(40)))
    doubled = ratio_interval((("s", f"Q{i}"), i % 2, 1) for i in range(40) for _ in ("python", "javascript"))
    assert one is not None and doubled is not None and (one.low, one.high) == (doubled.low, doubled.high)
    assert ratio_interval([(("s", "Q0"), 1, 1)]) is None  # one question: nothing to resample


def two_files(tmp: Path, rates: tuple[float, float], seed: int) -> list[Path]:
    rng = random.Random(seed)
    return [drawn(tmp / f"{model}.ndjson", model, [rate] * QUESTIONS, rng) for model, rate in zip("ab", rates)]


def test_a_real_difference_is_significant_and_a_coin_flip_is_not(tmp_path):
    called = {"real": 0, "coin": 0}
    trials = 30
    for seed in range(trials):
        for kind, rates in (("real", (0.8, 0.5)), ("coin", (0.5, 0.5))):
            comparison = compare_groups(file_groups(two_files(tmp_path, rates, seed)))
            test = next(t for t in comparison["tests"] if t.suite == "all suites")
            assert test.result.questions == QUESTIONS
            called[kind] += test.result.verdict is not Verdict.NOISE
            if kind == "real":
                assert test.result.verdict in (Verdict.A_BETTER, Verdict.NOISE)  # never the wrong way round
    assert called["real"] >= 0.9 * trials, called
    assert called["coin"] <= 0.15 * trials, called


def test_identical_runs_are_within_noise_and_the_verdict_is_printed(tmp_path):
    rng = random.Random(7)
    rates = [0.6] * QUESTIONS
    a = drawn(tmp_path / "a.ndjson", "a", rates, rng)
    better = write_records(tmp_path / "b.ndjson", [answer("b", f"Q{i}", True) for i in range(QUESTIONS)])
    same = paired((("s", f"Q{i}"), 1, 1, 1, 1) for i in range(QUESTIONS))
    assert same is not None and same.verdict is Verdict.NOISE and same.difference == 0
    proc = stage("report.py", "--compare", a, better, "--output-dir", tmp_path / "out")
    # the leaderboard says it too: a against the top row (b), paired on the same questions
    board = {r["model"]: r for r in csv.DictReader((tmp_path / "out" / "leaderboard.csv").open())}
    assert board["a"]["vs_top"] == "worse" and float(board["a"]["vs_top_high"]) < 0
    assert float(board["a"]["vs_top_points"]) == round(float(board["a"]["score_pct"]) - 100, 1)
    assert board["b"]["vs_top"] == ""  # the top row itself
    line = next(line for line in proc.stdout.splitlines() if "all suites" in line)
    assert "B better" in line and "seed 0" in proc.stdout and "paired" in proc.stdout
    assert "95% interval: percentile bootstrap over questions (1000 resamples, seed 0)" in proc.stdout
