"""The record schema: which fields each stage writes, and the closed vocabularies.

Records travel as plain dicts (one JSON object per line), but every field a
stage adds is declared here, once: a stage builds its fields through its
dataclass (so a field nobody declared fails loudly, in tests, not in a user's
file), and the fields a stage owns, and strips before redoing its work, are
derived from the same dataclass.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from enum import Enum
from typing import Any


class Status(str, Enum):
    """An answer's verdict: the closed set of DESIGN.md, shared by grading,
    feedback and report. A str, so records hold the plain word."""

    PASS = "pass"
    FAIL = "fail"
    NO_CODE = "no_code"
    NO_FUNCTION = "no_function"
    SYNTAX_ERROR = "syntax_error"
    COMPILE_ERROR = "compile_error"   # compiled languages: the program did not compile
    RUNTIME_ERROR = "runtime_error"
    TIMEOUT = "timeout"
    OOM = "oom"
    SANDBOX_ERROR = "sandbox_error"   # infrastructure: never the model's failure, redone on resume

    __str__ = str.__str__

    @property
    def scored(self) -> bool:
        return self is not Status.SANDBOX_ERROR


class CheckReason(str, Enum):
    """Why one check did not pass (a value to branch on; `error` is for people)."""

    WRONG = "wrong"             # ran, returned something else
    NOT_RUN = "not_run"         # the answer never reached it
    TIMEOUT = "timeout"
    OOM = "oom"
    NOT_RAISED = "not_raised"   # a `raises` check whose call returned
    ERROR = "error"             # the call raised

    __str__ = str.__str__


STATUS_WORDS = frozenset(s.value for s in Status)


def _declared(cls) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls))


@dataclass
class PromptFields:
    """What prepare.py writes: one prompt for one question in one language."""

    suite: str
    name: str
    language: str
    question: dict[str, Any]
    template: str
    prompt: Any                 # chat messages or a completion text
    code_prefix: str | None
    suite_hash: str
    prepared_at: str
    stage: str = "prepare"
    code_suffix: str | None = None  # fill-in-the-middle: the code after the hole


@dataclass
class InterviewFields:
    """What interview.py adds: the answer and what the backend reported."""

    sample: int
    answer: str
    executor: str
    model: str
    params: dict[str, Any]
    params_name: str
    interviewed_at: str
    finish_reason: str | None = None
    usage: dict[str, Any] = field(default_factory=dict)
    latency_s: float | None = None
    reasoning: str | None = None
    retries: int = 0
    params_sent: dict[str, Any] = field(default_factory=dict)
    params_dropped: list[str] = field(default_factory=list)
    answer_error: str | None = None       # the backend refused the prompt (the answer is empty)
    base_url: str | None = None           # openai, langchain
    device: str | None = None             # transformers
    dtype: str | None = None              # transformers
    context_size: int | None = None       # llamacpp
    gpu_layers: int | None = None         # llamacpp
    replayed_from: dict[str, Any] | None = None  # replay
    attempts: list[dict[str, Any]] | None = None  # feedback: every attempt
    feedback: dict[str, Any] | None = None        # feedback: the policy
    feedback_grading: dict[str, Any] | None = None  # feedback: the grader it used (evaluate's `grading`)
    stage: str = "interview"


@dataclass
class EvalFields:
    """What evaluate.py adds: the code graded and the verdict."""

    code: str | None
    checks: list[dict[str, Any]]
    status: Status
    passed: float
    total: float
    score: float
    evaluated_at: str
    grading: dict[str, Any]               # the grading config (limits, timeouts, backend, image)
    error: str | None = None
    function: dict[str, Any] | None = None
    stdout: str | None = None
    stderr: str | None = None
    sandbox: dict[str, Any] | None = None
    timing: dict[str, Any] | None = None  # program questions: the relative timeout
    tests: dict[str, Any] | None = None   # HumanEval+: inputs passed per set
    attempts_graded: list[dict[str, Any]] | None = None  # feedback records: each attempt re-graded
    # the code's distance to the question's reference (reference_metrics.py); never part of the verdict
    reference_metrics: dict[str, float] | None = None
    stage: str = "eval"

    def __post_init__(self):
        self.status = Status(self.status)  # a word outside the closed set is a bug


# Identity and provenance every stage sets anew on its records (records/identity.py);
# `runs`, the lineage, is read from the input record and extended, not dropped.
RUN_FIELDS = ("run", "harness_version")

PROMPT_FIELDS = _declared(PromptFields)
INTERVIEW_FIELDS = tuple(f for f in _declared(InterviewFields) if f not in ("stage", "sample"))
EVAL_FIELDS = tuple(f for f in _declared(EvalFields) if f != "stage")
# Older versions wrote these; a re-run stage drops them with its own.
LEGACY_EVAL_FIELDS = ("grader",)


def stage_fields(cls, values: dict[str, Any]) -> dict[str, Any]:
    """`values` checked against a stage's dataclass: an undeclared field is a
    bug (TypeError), a missing required one too. Returns a plain dict without
    the optional fields left unset (None), so records stay lean."""
    typed = cls(**values)
    record = {}
    for f in fields(cls):
        value = getattr(typed, f.name)
        if value is None and f.default is None:
            continue
        record[f.name] = value.value if isinstance(value, Enum) else value
    return record
