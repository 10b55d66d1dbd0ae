"""Comparison operators and status decisions (host side of grading)."""

from types import SimpleNamespace

import pytest

from codeinterview.grading.checks import compare, function_status, grade_function_job
from codeinterview.errors import UserError
from codeinterview.questions import Check

pytestmark = pytest.mark.fast  # no Docker engine, no server, no model


def outcome(value=None, error=None, error_type=None, timeout=False, oom=False, name="c"):
    return SimpleNamespace(name=name, value=value, error=error, error_type=error_type, timeout=timeout, oom=oom)


def check(op, expected, **kw):
    return Check(name="c", expr="f.call()", op=op, expected=expected, **kw)


def test_eq_treats_lists_and_tuples_alike_but_not_different_values():
    assert compare(check("eq", [1, [2, 3]]), outcome((1, (2, 3))))["passed"]
    assert compare(check("eq", 3), outcome(3.0))["passed"]
    assert not compare(check("eq", [1, 2]), outcome([2, 1]))["passed"]
    assert not compare(check("eq", {"a": 1}), outcome({"a": 1, "b": 2}))["passed"]


def test_eq_any_approx_unordered_raises():
    assert compare(check("eq-any", ["x", "y"]), outcome("y"))["passed"]
    assert not compare(check("eq-any", ["x", "y"]), outcome("z"))["passed"]
    assert compare(check("approx", [0.1, 0.3]), outcome([0.1, 0.1 + 0.2]))["passed"]
    assert not compare(check("approx", 1.0), outcome(1.01))["passed"]
    assert compare(check("approx", 1.0, tol=0.1), outcome(1.01))["passed"]
    assert not compare(check("approx", 1.0), outcome("1.0"))["passed"]
    assert compare(check("unordered", [[1], 2, 2]), outcome([2, [1], 2]))["passed"]
    assert not compare(check("unordered", [1, 2, 2]), outcome([1, 1, 2]))["passed"]
    assert compare(check("raises", True), outcome(error="ValueError: bad", error_type="ValueError"))["passed"]
    assert compare(check("raises", "ValueError"), outcome(error="x", error_type="ValueError"))["passed"]
    assert not compare(check("raises", "KeyError"), outcome(error="x", error_type="ValueError"))["passed"]
    assert not compare(check("raises", True), outcome(value=1))["passed"]


def test_errors_and_timeouts_fail_a_check_with_the_reason():
    result = compare(check("eq", 1), outcome(error="ZeroDivisionError: division by zero"))
    assert not result["passed"] and result["error"].startswith("ZeroDivisionError")
    assert compare(check("eq", 1), outcome(timeout=True))["error"] == "timeout"
    assert compare(check("eq", 1), None)["error"] == "not run"


def test_status_and_weighted_partial_credit():
    checks = [Check("a", "x", "eq", 1, weight=1), Check("b", "x", "eq", 2, weight=3)]
    job = SimpleNamespace(status="ok", checks=[outcome(1, name="a"), outcome(5, name="b")])
    graded = grade_function_job(checks, job)
    assert (graded["status"], graded["passed"], graded["total"], graded["score"]) == ("fail", 1, 4, 0.25)
    job.checks[1] = outcome(timeout=True, name="b")
    assert grade_function_job(checks, job)["status"] == "timeout"
    job.checks[1] = outcome(error="TypeError: x", name="b")
    assert grade_function_job(checks, job)["status"] == "runtime_error"
    job.checks[1] = outcome(2, name="b")
    assert grade_function_job(checks, job)["status"] == "pass"
    assert function_status("no_function", [{"passed": True, "error": None}]) == "no_function"
    assert function_status("syntax_error", []) == "syntax_error"


def test_every_scoring_is_registered_and_every_sandbox_backend_is_a_sandbox():
    from codeinterview.grading.scoring import SCORINGS, Scoring
    from codeinterview.sandbox import BACKENDS, Sandbox

    assert all(callable(SCORINGS.get(Scoring(name))) for name in SCORINGS)
    with pytest.raises(UserError, match="unknown scoring 'nope'; known: codeinterview, can-ai-code"):
        Scoring("nope")
    for name in BACKENDS:
        backend = BACKENDS.get(name)
        assert issubclass(backend, Sandbox) and backend.backend == name
