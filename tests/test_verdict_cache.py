"""Verdict reuse: identical answers in one run share one sandbox run (codeinterview.grading.verdicts)."""

from __future__ import annotations

import dataclasses
import threading

import pytest

from codeinterview import evaluate
from codeinterview.benchmarks import humaneval
from codeinterview.grading.program import RelativeTimeout
from codeinterview.grading.answer import grade_answer
from codeinterview.grading.config import GradingConfig
from codeinterview.suites import load_suites
from codeinterview.sandbox import Limits, SandboxUnavailable, open_sandbox
from codeinterview.grading.scoring import Scoring
from codeinterview.grading.verdicts import VerdictCache, verdict_key
from benchmark_files import dataset_file
from helpers import records, write_records

GCD = "Here it is:\n```python\ndef gcd(a, b):\n    while b:\n        a, b = b, a % b\n    return a\n```\n"
LIMITS = Limits(timeout_s=8.0, check_timeout_s=2.0, memory_mb=256)


class Counting:
    """The real sandbox, counting its runs; `fail_first` injects that many
    SandboxUnavailable before delegating (an engine that hiccups)."""

    def __init__(self, sandbox, fail_first: int = 0):
        self.sandbox, self.fail_first, self.runs = sandbox, fail_first, 0
        self.lock = threading.Lock()

    def run(self, job):
        with self.lock:
            self.runs += 1
            if self.fail_first:
                self.fail_first -= 1
                raise SandboxUnavailable("injected: the engine went away")
        return self.sandbox.run(job)

    def close(self):
        self.sandbox.close()


def gcd_question():
    CAN_AI_CODE = dataset_file("can-ai-code-junior-v2")
    suite = next(s for s in load_suites([str(CAN_AI_CODE)]))
    return next(q for q in suite.questions if q.name == "GCDZeroShot")


def test_ten_identical_samples_cost_one_sandbox_run(sandbox_image, tmp_path, monkeypatch):
    CAN_AI_CODE = dataset_file("can-ai-code-junior-v2")
    opened: list[Counting] = []

    def open_counting(self, workers):
        opened.append(Counting(open_sandbox(backend="docker", workers=workers, image=sandbox_image)))
        return opened[-1]
    monkeypatch.setattr(GradingConfig, "open_sandbox", open_counting)
    rows = [{"name": "GCDZeroShot", "language": "python", "model": "greedy-model", "params": {},
             "answer": GCD, "sample": i} for i in range(10)]
    source = write_records(tmp_path / "answers.ndjson", rows)
    out = tmp_path / "eval.ndjson"
    assert evaluate.main(["--input", str(source), "--interview", str(CAN_AI_CODE), "--output", str(out),
                          "--workers", "2"]) == 0
    graded = records(out)
    assert len(graded) == len(rows) and opened[0].runs == 1
    assert [r["sandbox"]["reused"] for r in sorted(graded, key=lambda r: r["sample"])].count(True) == len(rows) - 1
    verdicts = {(r["status"], r["passed"], r["total"], str(r["checks"])) for r in graded}
    assert len(verdicts) == 1 and graded[0]["status"] == "pass"


def test_different_checks_limits_or_scoring_do_not_share(pool):
    counting, cache = Counting(pool), VerdictCache()
    question = gcd_question()
    first = grade_answer(counting, question, "python", GCD, None, LIMITS, verdicts=cache)
    # one expected value changed: another verdict, from another run
    wrong = dataclasses.replace(question, checks=[dataclasses.replace(question.checks[0], expected=-1)]
                                + question.checks[1:])
    other = grade_answer(counting, wrong, "python", GCD, None, LIMITS, verdicts=cache)
    assert (first["status"], other["status"]) == ("pass", "fail") and counting.runs == 2
    tighter = dataclasses.replace(LIMITS, check_timeout_s=1.5)
    assert grade_answer(counting, question, "python", GCD, None, tighter, verdicts=cache)["sandbox"]["reused"] is False
    assert counting.runs == 3
    upstream = grade_answer(counting, question, "python", GCD, None, LIMITS, scoring=Scoring("can-ai-code"),
                            verdicts=cache)
    assert upstream["sandbox"]["reused"] is False and counting.runs > 3
    runs = counting.runs
    again = grade_answer(counting, question, "python", GCD, None, LIMITS, verdicts=cache)
    assert again["sandbox"]["reused"] is True and counting.runs == runs
    assert {k: v for k, v in again.items() if k != "sandbox"} == {k: v for k, v in first.items() if k != "sandbox"}


def test_a_sandbox_error_is_never_reused(pool):
    counting, cache = Counting(pool, fail_first=1), VerdictCache()
    question = gcd_question()
    failed = grade_answer(counting, question, "python", GCD, None, LIMITS, verdicts=cache)
    assert failed["status"] == "sandbox_error"
    graded = grade_answer(counting, question, "python", GCD, None, LIMITS, verdicts=cache)
    assert graded["status"] == "pass" and graded["sandbox"]["reused"] is False and counting.runs == 2


def test_identical_program_answers_share_a_run(pool, tmp_path):
    # HumanEval: the reference is measured once, then one run for three identical answers
    question = humaneval.load(dataset_file("humaneval/HumanEval.jsonl.gz"), None).questions[0]
    body = "    return any(abs(a - b) < threshold for i, a in enumerate(numbers) for b in numbers[i + 1:])\n"
    counting, cache, timing = Counting(pool), VerdictCache(), RelativeTimeout()
    graded = [grade_answer(counting, question, "python", f"```python\n{body}```", question.fields["Prompt"]["python"],
                           LIMITS, timing, verdicts=cache) for _ in range(3)]
    assert [g["status"] for g in graded] == ["pass"] * 3
    assert [g["sandbox"]["reused"] for g in graded] == [False, True, True] and counting.runs == 2


@pytest.mark.fast
def test_the_cache_is_bounded_and_least_recently_used_goes_first():
    cache, computed = VerdictCache(max_entries=3), []

    def verdict(n):
        return lambda: computed.append(n) or {"status": "pass", "passed": 1, "total": 1, "score": 1.0}
    for n in range(5):
        cache.grade(str(n), verdict(n))
    assert len(cache) == 3 and computed == [0, 1, 2, 3, 4]
    cache.grade("2", verdict(2))          # kept: no new computation, and now the most recent
    cache.grade("0", verdict(0))          # evicted: computed again, evicting 3
    assert computed == [0, 1, 2, 3, 4, 0] and len(cache) == 3
    cache.grade("2", verdict(2))
    assert computed[-1] == 0
    small = VerdictCache(max_chars=300)
    for n in range(20):
        small.grade(str(n), lambda n=n: {"status": "fail", "stdout": "x" * 100, "n": n})
    assert 1 <= len(small) <= 3


@pytest.mark.fast
def test_concurrent_identical_answers_wait_for_one_run():
    cache, started, release, calls = VerdictCache(), threading.Event(), threading.Event(), []

    def slow():
        calls.append(1)
        started.set()
        release.wait(5)
        return {"status": "pass", "sandbox": {"duration_s": 0.1}}
    results: list[dict] = []
    threads = [threading.Thread(target=lambda: results.append(cache.grade("k", slow))) for _ in range(4)]
    threads[0].start()
    started.wait(5)
    for t in threads[1:]:
        t.start()
    release.set()
    for t in threads:
        t.join(5)
    assert len(calls) == 1 and sorted(r["sandbox"]["reused"] for r in results) == [False, True, True, True]


@pytest.mark.fast
def test_a_sandbox_error_lets_a_waiting_twin_run_itself():
    cache = VerdictCache()
    assert cache.grade("k", lambda: {"status": "sandbox_error"})["sandbox"]["reused"] is False
    assert len(cache) == 0
    assert cache.grade("k", lambda: {"status": "pass"})["sandbox"]["reused"] is False and len(cache) == 1


@pytest.mark.fast
def test_the_key_covers_what_decides_a_verdict():
    question = gcd_question()
    checks = [c.to_dict() for c in question.checks]
    base = verdict_key("function", "python", "code", question.signature, checks, LIMITS, "codeinterview")
    assert base == verdict_key("function", "python", "code", question.signature, checks, LIMITS, "codeinterview")
    tol = [dict(checks[0], tol=0.5)] + checks[1:]
    for changed in (("function", "javascript", "code", question.signature, checks, LIMITS, "codeinterview"),
                    ("function", "python", "code ", question.signature, checks, LIMITS, "codeinterview"),
                    ("function", "python", "code", question.signature, tol, LIMITS, "codeinterview"),
                    ("function", "python", "code", question.signature, checks,
                     dataclasses.replace(LIMITS, memory_mb=257), "codeinterview"),
                    ("function", "python", "code", question.signature, checks, LIMITS, "can-ai-code")):
        assert verdict_key(*changed) != base, changed
