"""Grading an exercise answer: its solution files (taken by exact path) with
the pristine tests, run by the language's own framework in the sandbox.

An exercise passes only when all of these hold:
- the framework wrote its report (an answer that ends the process early leaves none);
- our canary test (frameworks: one of ours that must fail) is in the report, failed;
- the test cases reported, the canary aside, are exactly as many as the test
  files define (counted from the files; a framework that silently ran fewer,
  e.g. a C++ build without EXERCISM_RUN_ALL_TESTS, is a failure);
- every one of them passed.
The run's exit status is the framework's, which the canary makes non-zero: it
is not what decides.
"""

from __future__ import annotations

import dataclasses
import secrets
from typing import Any

from .. import languages
from ..questions import Question
from ..records.schema import CheckReason, Status
from ..sandbox.types import Job, JobResult, Limits, Sandbox, SandboxUnavailable
from ..grading.verdicts import VerdictCache, verdict_key
from .files import take_files
from .frameworks import FRAMEWORKS, Case, Framework
from .model import Exercise

OUTPUT_BYTES = 1 << 20   # per stream: a framework's report on stdout can be long (go test -json)
TIMEOUT_S = 180.0        # aider's per-run limit (benchmark.py, run_unit_tests)
PIDS = 2048              # tests start threads by the thousand (C++ bank-account: 1000 at once), runners too
MEMORY_MB = 1024         # a test runner's own memory comes on top (jest, the JVM; JS parallel-letter-frequency's
                         # worker threads each with a heap of their own ran out at 512 MB)
RUNNER_STATUS = {"timeout": Status.TIMEOUT, "oom": Status.OOM, "compile_error": Status.COMPILE_ERROR}


def exercise_limits(limits: Limits) -> Limits:
    """The run's limits: aider's 180 s unless the user set a longer timeout, output room for
    reports, memory, processes and threads enough for a test runner (aider sets no limit)."""
    return dataclasses.replace(limits, timeout_s=max(limits.timeout_s, TIMEOUT_S),
                               output_bytes=max(limits.output_bytes, OUTPUT_BYTES), pids=max(limits.pids, PIDS),
                               memory_mb=max(limits.memory_mb, MEMORY_MB))


def check_of(case: Case) -> dict[str, Any]:
    """A test case as the record's check (a skipped case is never one: judge leaves it out)."""
    return {"name": case.name, "passed": case.passed, "weight": 1, "visible": True,
            "error": None if case.passed else (case.message or "failed"),
            "reason": None if case.passed else CheckReason.WRONG.value}


def judge(framework: Framework, result: JobResult, expected: int, nonce: str) -> dict[str, Any]:
    """Status, error, checks, passed and total of one run."""
    base = {"checks": [], "passed": 0, "total": expected, "score": 0.0}
    if result.status == "sandbox_error":
        return {**base, "status": Status.SANDBOX_ERROR, "error": (result.error or {}).get("message")}
    if result.status in RUNNER_STATUS:
        message = (result.error or {}).get("message") or {"timeout": "Tests timed out!",
                                                          "oom": "the tests ran out of memory"}.get(result.status)
        return {**base, "status": RUNNER_STATUS[result.status], "error": message}
    cases = framework.cases(result)
    built = framework.build_error(result)
    if built is not None:
        return {**base, "status": built[0], "error": built[1]}
    if cases is None:
        return {**base, "status": Status.FAIL,
                "error": f"{framework.display} wrote no report (the process ended before its tests finished, "
                         f"or the tests did not build)"}
    canary = framework.canary_name(nonce)
    ours = [c for c in cases if canary in c.name]
    # what the framework skipped (what aider leaves skipped: JavaScript's xit) is neither counted nor required
    theirs = [c for c in cases if canary not in c.name and not c.skipped]
    checks = [check_of(c) for c in theirs]
    passed = sum(c.passed for c in theirs)
    total = max(expected, len(theirs))  # Go's subtests come on top of the counted tests
    fields = {**base, "checks": checks, "passed": passed, "total": total}
    if len(ours) != 1 or ours[0].passed:
        return {**fields, "status": Status.FAIL, "passed": 0, "score": 0.0,
                "error": "the test run cannot be trusted: our canary test, which must fail, "
                         + ("is missing from the report" if not ours else "passed")}
    counted = [c for c in theirs if framework.counted(c)]
    if len(counted) != expected:
        return {**fields, "status": Status.FAIL, "score": 0.0,
                "error": f"{framework.display} ran {len(counted)} of the {expected} test cases the test files define"}
    failed = [c for c in theirs if not c.passed]
    if failed:
        first = failed[0]
        message = (first.message or "").strip().split("\n")[0][:300]
        return {**fields, "status": Status.FAIL, "score": passed / total if total else 0.0,
                "error": f"{len(failed)} of {len(theirs)} tests failed; first: {first.name}"
                         + (f": {message}" if message else "")}
    return {**fields, "status": Status.PASS, "score": 1.0, "error": None}


def run_exercise(sandbox: Sandbox, exercise: Exercise, files: dict[str, str], limits: Limits) -> dict[str, Any]:
    framework = FRAMEWORKS.get(exercise.language)
    nonce = secrets.token_hex(6)
    tests = {path: framework.unskip(path, text) for path, text in exercise.tests.items()}
    workspace = {**exercise.workspace(files), **tests}
    workspace, test_paths = framework.with_canary(workspace, list(tests), nonce)
    result = sandbox.run(Job(language=exercise.language, code="", kind="tests", files=workspace,
                             tests=test_paths, limits=exercise_limits(limits)))
    verdict = judge(framework, result, framework.count(tests), nonce)
    return {**verdict, "stdout": framework.without_canary(framework.output(result), nonce), "stderr": None,
            "function": None,
            "sandbox": {"duration_s": round(result.duration_s, 4), "replaced": result.replaced,
                        "compile_s": result.compile_s, "run_s": result.run_s}}


def grade_exercise(sandbox: Sandbox, question: Question, answer: str, limits: Limits,
                   verdicts: VerdictCache | None = None) -> dict[str, Any]:
    """Eval fields for one answer to an exercise question."""
    exercise = Exercise.of(question.fields)
    framework = FRAMEWORKS.get(exercise.language)
    taken = take_files(answer, exercise.solution_paths, framework.new_files,
                       frozenset(exercise.tests) | frozenset(exercise.support))
    empty = {"checks": [], "passed": 0, "total": 1, "score": 0.0, "function": None,
             "stdout": None, "stderr": None, "timing": None, "tests": None}
    comment = languages.get(exercise.language).comment
    code = "\n".join(f"{comment} {path}\n{text}" for path, text in taken.files.items()) or None
    if not taken.files:
        return {**empty, "code": None, "status": Status.NO_CODE,
                "error": f"no file found in the answer; expected {', '.join(exercise.solution_paths)}, "
                         f"each under its path"}

    def run() -> dict[str, Any]:
        try:
            fields = run_exercise(sandbox, exercise, taken.files, limits)
        except SandboxUnavailable as exc:
            return {**empty, "status": Status.SANDBOX_ERROR, "error": str(exc)}
        if taken.missing and fields["status"] != Status.PASS:
            fields["error"] = f"the answer gave no {', '.join(taken.missing)} (the stub was used); " \
                + (fields["error"] or "")
        return {**empty, **fields, "tests": {"files": sorted(taken.files), "missing": taken.missing,
                                             "added": taken.added, "ignored": taken.ignored}}
    if verdicts is None:
        return {"code": code, **run()}
    key = verdict_key("exercise", exercise.language, sorted(taken.files.items()),
                      sorted(exercise.tests.items()), sorted(exercise.support.items()), limits)
    return {"code": code, **verdicts.grade(key, run)}
