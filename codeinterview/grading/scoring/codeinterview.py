"""Our scoring (the default): the answer is loaded once and bound to the
function the Signature names; every check runs in one sandbox job and earns
its whole weight or nothing (grading.checks judges what the sandbox reported)."""

from __future__ import annotations

from typing import Any

from ...questions import Question
from ...records.schema import Status
from ...records.values import bounded, bounded_text
from ...sandbox.types import CheckSpec, Job, Limits, Sandbox, SandboxUnavailable
from ..checks import grade_function_job, ungraded


def grade_function(sandbox: Sandbox, question: Question, language: str, code: str,
                   limits: Limits) -> dict[str, Any]:
    """Eval fields for extracted code of a function question: one sandbox job."""
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
