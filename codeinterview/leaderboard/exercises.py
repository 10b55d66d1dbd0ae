"""Aider's figures for exercise runs (its polyglot benchmark), per model and
language, from eval records (each attempt graded afresh: `attempts_graded`).

As aider's benchmark reports them (Aider-AI/aider benchmark/benchmark.py,
summarize_results): pass_rate_1 and pass_rate_2, the percent of exercises
passed after the first and the second try; percent_cases_well_formed (here:
every attempt gave back each file it was asked for, under its path); the test
runs that timed out; syntax errors (aider counts the lines of test output
that start with SyntaxError; here the attempts graded `syntax_error`, and
apart, `compile_error`); prompt and completion tokens; seconds per case (the
model's time, summed over the tries). Streams: memory grows with the number
of (model, language) pairs, never with the records.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ..records.schema import Status

ALL = "all"


@dataclass(slots=True)
class Figures:
    cases: int = 0
    passed_by: list[int] = field(default_factory=lambda: [0, 0])  # passed within 1 and 2 tries
    well_formed: int = 0
    timeouts: int = 0
    syntax_errors: int = 0
    compile_errors: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    seconds: float = 0.0

    def add(self, record: dict[str, Any]) -> None:
        attempts = record.get("attempts_graded") or [{"status": record.get("status"), "usage": record.get("usage"),
                                                       "well_formed": _well_formed(record)}]
        statuses = [a.get("status") for a in attempts]
        self.cases += 1
        for k in range(2):
            self.passed_by[k] += Status.PASS in statuses[:k + 1]
        self.well_formed += all(a.get("well_formed", True) for a in attempts)
        self.timeouts += statuses.count(Status.TIMEOUT)
        self.syntax_errors += statuses.count(Status.SYNTAX_ERROR)
        self.compile_errors += statuses.count(Status.COMPILE_ERROR)
        usage = record.get("usage") or {}
        self.prompt_tokens += int(usage.get("prompt_tokens") or 0)
        self.completion_tokens += int(usage.get("completion_tokens") or 0)
        self.seconds += float(record.get("latency_s") or 0.0)

    def row(self) -> dict[str, Any]:
        pct = lambda n: round(100 * n / self.cases, 1) if self.cases else None  # noqa: E731
        return {"cases": self.cases, "pass_rate_1": pct(self.passed_by[0]), "pass_rate_2": pct(self.passed_by[1]),
                "percent_cases_well_formed": pct(self.well_formed), "test_timeouts": self.timeouts,
                "syntax_errors": self.syntax_errors, "compile_errors": self.compile_errors,
                "prompt_tokens": self.prompt_tokens, "completion_tokens": self.completion_tokens,
                "seconds_per_case": round(self.seconds / self.cases, 2) if self.cases else None}


def _well_formed(record: dict[str, Any]) -> bool:
    """The answer gave back every file asked for (exercise grading's `tests.missing`)."""
    return record.get("status") != Status.NO_CODE and not (record.get("tests") or {}).get("missing")


def is_exercise(record: dict[str, Any]) -> bool:
    question = record.get("question")
    return isinstance(question, dict) and question.get("Kind") == "exercise"


class ExerciseFigures:
    """The figures of the exercise records offered to it (report.collect's one pass over the files)."""

    def __init__(self) -> None:
        self.figures: dict[tuple[str, str], Figures] = {}

    def add(self, record: dict[str, Any]) -> None:
        """Count a record if it is an exercise's; sandbox errors are left out (never graded, redone on a re-run)."""
        if not is_exercise(record) or record.get("status") == Status.SANDBOX_ERROR:
            return
        model = str(record.get("model") or "?")
        for language in (str(record.get("language")), ALL):
            self.figures.setdefault((model, language), Figures()).add(record)

    def table(self) -> pd.DataFrame:
        """One row per model and language (and per model over all its languages); empty without exercises."""
        return pd.DataFrame([{"model": model, "language": language, **f.row()}
                             for (model, language), f in sorted(self.figures.items())])

