"""Grading: compare what the sandbox reported with each check, decide a status.

The sandbox only reports values (what each check's expression evaluated to);
every comparison happens here, on the host, so nothing an answer prints or
returns can mark a check as passed by itself.
"""

from __future__ import annotations

import math
from typing import Any

from .extract import extract_code
from .questions import Check, Question
from .records.schema import CheckReason, Status
from .scoring import Scoring
from .values import bounded, bounded_text
from .verdicts import VerdictCache, verdict_key

# The closed status vocabulary (DESIGN.md), as plain words.
STATUSES = tuple(s.value for s in Status)
SCORED_STATUSES = tuple(s.value for s in Status if s.scored)
# What the runner may report for a job that never got to judge its checks.
RUNNER_VERDICTS = {Status.SYNTAX_ERROR, Status.RUNTIME_ERROR, Status.TIMEOUT, Status.OOM, Status.NO_FUNCTION}
ERROR_CHARS = 4000  # a stored error message or traceback (the runner already cuts them near 2000)


def loose_equal(got: Any, expected: Any) -> bool:
    """Python equality, except that lists and tuples are the same sequence
    (JavaScript has no tuples; JSON turns them into lists)."""
    if isinstance(got, (list, tuple)) and isinstance(expected, (list, tuple)):
        return len(got) == len(expected) and all(map(loose_equal, got, expected))
    if isinstance(got, dict) and isinstance(expected, dict):
        return got.keys() == expected.keys() and all(loose_equal(got[k], expected[k]) for k in got)
    try:
        return bool(got == expected)
    except Exception:  # noqa: BLE001 - exotic values never equal
        return False


def approx_equal(got: Any, expected: Any, tol: float) -> bool:
    if isinstance(expected, (list, tuple)):
        return (isinstance(got, (list, tuple)) and len(got) == len(expected)
                and all(approx_equal(g, e, tol) for g, e in zip(got, expected)))
    if isinstance(got, bool) or not isinstance(got, (int, float)):
        return False
    try:
        return math.isclose(got, expected, rel_tol=tol, abs_tol=tol)
    except OverflowError:  # an int past the float range (a huge answer): equal only exactly
        return bool(got == expected)
    except (TypeError, ValueError):  # an expected value that is not a number
        return False


def unordered_equal(got: Any, expected: list) -> bool:
    if not isinstance(got, (list, tuple)) or len(got) != len(expected):
        return False
    remaining = list(expected)
    for item in got:
        for i, candidate in enumerate(remaining):
            if loose_equal(item, candidate):
                del remaining[i]
                break
        else:
            return False
    return True


def compare(check: Check, outcome: Any) -> dict[str, Any]:
    """One check's result record from the sandbox's CheckOutcome (or None
    when the check never ran). Comparisons use the values themselves; what is
    stored (expected, got, error, traceback) is bounded (values.bounded)."""
    result = {"name": check.name, "assert": check.expr, "op": check.op,
              "expected": bounded(check.expected), "got": None, "passed": False,
              "weight": check.weight, "visible": check.visible, "error": None, "reason": None}
    if outcome is None:
        result["error"], result["reason"] = "not run", CheckReason.NOT_RUN.value
        return result
    result["got"] = bounded(outcome.value)
    if getattr(outcome, "traceback", None):  # kept for feedback: the last lines of the answer's traceback
        result["traceback"] = bounded_text(outcome.traceback, ERROR_CHARS)
    if outcome.timeout:
        result["error"], result["reason"] = "timeout", CheckReason.TIMEOUT.value
    elif outcome.oom:
        result["error"], result["reason"] = "out of memory", CheckReason.OOM.value
    elif check.op == "raises":
        raised = outcome.error is not None
        result["got"] = bounded_text(f"raised {outcome.error_type}", ERROR_CHARS) if raised \
            else bounded(outcome.value)
        wanted = check.expected
        result["passed"] = raised and (wanted is True or wanted == outcome.error_type)
        if not raised:
            result["error"], result["reason"] = "expected an error, none was raised", CheckReason.NOT_RAISED.value
    elif outcome.error is not None:
        result["error"], result["reason"] = bounded_text(outcome.error, ERROR_CHARS), CheckReason.ERROR.value
    elif check.op == "eq":
        result["passed"] = loose_equal(outcome.value, check.expected)
    elif check.op == "eq-any":
        result["passed"] = any(loose_equal(outcome.value, e) for e in check.expected)
    elif check.op == "approx":
        result["passed"] = approx_equal(outcome.value, check.expected, check.tol)
    elif check.op == "unordered":
        result["passed"] = unordered_equal(outcome.value, check.expected)
    if not result["passed"] and result["reason"] is None:
        result["reason"] = CheckReason.WRONG.value
    return result


def grade_function_job(checks: list[Check], job_result: Any) -> dict[str, Any]:
    """Eval fields (checks, status, passed, total, score) for a function job."""
    outcomes = {o.name: o for o in job_result.checks}
    results = [compare(check, outcomes.get(check.name)) for check in checks]
    total = sum(c.weight for c in checks)
    passed = sum(r["weight"] for r in results if r["passed"])
    return {"checks": results, "status": function_status(job_result.status, results),
            "passed": passed, "total": total, "score": round(passed / total, 4) if total else 0.0}


def function_status(runner_status: str, results: list[dict[str, Any]]) -> Status:
    if runner_status in RUNNER_VERDICTS:
        return Status(runner_status)
    if all(r["passed"] for r in results):
        return Status.PASS
    reasons = {check_reason(r) for r in results if not r["passed"]}
    if CheckReason.OOM in reasons:
        return Status.OOM
    if CheckReason.TIMEOUT in reasons:
        return Status.TIMEOUT
    if CheckReason.ERROR in reasons:
        return Status.RUNTIME_ERROR
    return Status.FAIL


def check_reason(result: dict[str, Any]) -> CheckReason | None:
    """Why a check result failed; older records carry only the message."""
    if result.get("reason"):
        return CheckReason(result["reason"])
    if result.get("passed"):
        return None
    legacy = {"not run": CheckReason.NOT_RUN, "timeout": CheckReason.TIMEOUT,
              "out of memory": CheckReason.OOM, "expected an error, none was raised": CheckReason.NOT_RAISED}
    error = result.get("error")
    return legacy.get(error, CheckReason.ERROR) if error else CheckReason.WRONG


def ungraded(status: Status, checks: list[Check], error: str | None = None) -> dict[str, Any]:
    """Eval fields for an answer that never reached its checks."""
    results = [compare(c, None) for c in checks]
    return {"checks": results, "status": status, "passed": 0,
            "total": sum(c.weight for c in checks), "score": 0.0, "error": error}


def grade_answer(sandbox: Any, question: Question, language: str, answer: str,
                 code_prefix: str | None, limits: Any, timing: Any = None,
                 scoring: Scoring = Scoring.CODEINTERVIEW, code_suffix: str | None = None,
                 verdicts: VerdictCache | None = None) -> dict[str, Any]:
    """Extract the code from one answer and grade it in the sandbox.

    Returns the eval fields: code, checks, status, passed, total, score, and
    what the sandbox saw (function, error, stdout, stderr). Shared by the
    evaluate stage and the feedback executor. `scoring` picks the rules for
    function questions (codeinterview.scoring); program questions have one.
    `code_suffix` marks a fill-in-the-middle answer (extract_code).
    `verdicts`: this run's cache; an answer graded before takes that verdict
    (its `sandbox` says reused: true) instead of a second sandbox run.
    """
    if question.kind == "program":  # a whole test program (HumanEval style); `timing`: its RelativeTimeout
        from .benchmarks.program import grade_program
        return grade_program(sandbox, question, language, answer, code_prefix, limits, timing, code_suffix,
                             verdicts)

    code = extract_code(answer, language, question.function_name, code_prefix, code_suffix)
    if code is None:
        return {"code": None, **ungraded(Status.NO_CODE, question.checks, "no code found in the answer")}

    def run() -> dict[str, Any]:
        return grade_function(sandbox, question, language, code, limits, scoring)
    if verdicts is None:
        return run()
    key = verdict_key("function", language, code, question.signature,
                      [c.to_dict() for c in question.checks], limits, scoring.value)
    return {"code": code, **verdicts.grade(key, run)}


def grade_function(sandbox: Any, question: Question, language: str, code: str, limits: Any,
                   scoring: Scoring) -> dict[str, Any]:
    """Eval fields for extracted code of a function question: one sandbox job
    (or, under can-ai-code scoring, one per call)."""
    from .sandbox import CheckSpec, Job, SandboxUnavailable  # docker SDK only when grading

    if scoring is Scoring.CAN_AI_CODE:
        from .scoring.canaicode import grade_canaicode
        return grade_canaicode(sandbox, question, language, code, limits)
    job = Job(language=language, code=code, kind="function", function=question.function_name,
              checks=[CheckSpec(c.name, c.expr) for c in question.checks], limits=limits)
    try:
        result = sandbox.run(job)
    except SandboxUnavailable as exc:
        return {"code": code, **ungraded(Status.SANDBOX_ERROR, question.checks, str(exc))}
    return {"code": code, **grade_function_job(question.checks, result),
            "function": bounded(result.function), "error": bounded(result.error),
            "stdout": bounded_text(result.stdout), "stderr": bounded_text(result.stderr),
            "sandbox": {"duration_s": round(result.duration_s, 4), "replaced": result.replaced}}
