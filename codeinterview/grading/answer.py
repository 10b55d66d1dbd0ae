"""grade_answer: one answer, extracted and graded in the sandbox, the way its
question's kind is graded. Shared by the evaluate stage and the feedback loop."""

from __future__ import annotations

from typing import Any

from ..exercises.grading import grade_exercise
from ..extract import extract_code
from ..questions import Question
from ..records.schema import Status
from ..sandbox.types import Limits, Sandbox
from .checks import ungraded
from .program import RelativeTimeout, grade_program
from .scoring import DEFAULT_SCORING, SCORINGS, Scoring
from .verdicts import VerdictCache, verdict_key


def grade_answer(sandbox: Sandbox, question: Question, language: str, answer: str,
                 code_prefix: str | None, limits: Limits, timing: RelativeTimeout | None = None,
                 scoring: Scoring = DEFAULT_SCORING, code_suffix: str | None = None,
                 verdicts: VerdictCache | None = None) -> dict[str, Any]:
    """Extract the code from one answer and grade it in the sandbox.

    Returns the eval fields: code, checks, status, passed, total, score, and
    what the sandbox saw (function, error, stdout, stderr). `scoring` picks the
    rules for function questions (grading.scoring); program questions have one,
    and `timing` is their RelativeTimeout. `code_suffix` marks a
    fill-in-the-middle answer (extract_code). `verdicts`: this run's cache; an
    answer graded before takes that verdict (its `sandbox` says reused: true)
    instead of a second sandbox run.
    """
    if question.kind == "exercise":  # files run by the language's test framework (aider's polyglot)
        return grade_exercise(sandbox, question, answer, limits, verdicts)
    if question.kind == "program":  # a whole test program (HumanEval style)
        return grade_program(sandbox, question, language, answer, code_prefix, limits, timing, code_suffix,
                             verdicts)

    code = extract_code(answer, language, question.function_name, code_prefix, code_suffix)
    if code is None:
        return {"code": None, **ungraded(Status.NO_CODE, question.checks, "no code found in the answer")}
    grade = SCORINGS.get(scoring.value)

    def run() -> dict[str, Any]:
        return grade(sandbox, question, language, code, limits)
    if verdicts is None:
        return run()
    key = verdict_key("function", language, code, question.signature,
                      [c.to_dict() for c in question.checks], limits, scoring.value)
    return {"code": code, **verdicts.grade(key, run)}
