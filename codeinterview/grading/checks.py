"""Function checks: compare what the sandbox reported with each check, decide a status.

The sandbox only reports values (what each check's expression evaluated to);
every comparison happens here, on the host (compare.py), so nothing an answer
prints or returns can mark a check as passed by itself.
"""

from __future__ import annotations

from typing import Any

from ..questions import Check
from ..records.schema import CheckReason, Status
from ..records.values import bounded, bounded_text
from ..sandbox.types import CheckOutcome, JobResult
from .compare import approx_equal, loose_equal, unordered_equal

# The closed status vocabulary (DESIGN.md), as plain words.
STATUSES = tuple(s.value for s in Status)
SCORED_STATUSES = tuple(s.value for s in Status if s.scored)
# What the runner may report for a job that never got to judge its checks.
RUNNER_VERDICTS = {Status.SYNTAX_ERROR, Status.RUNTIME_ERROR, Status.TIMEOUT, Status.OOM, Status.NO_FUNCTION}
ERROR_CHARS = 4000  # a stored error message or traceback (the runner already cuts them near 2000)


def compare(check: Check, outcome: CheckOutcome | None) -> dict[str, Any]:
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


def grade_function_job(checks: list[Check], job_result: JobResult) -> dict[str, Any]:
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
