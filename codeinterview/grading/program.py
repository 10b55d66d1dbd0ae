"""Grading program-style questions: the answer plus the question's test program,
run whole in the sandbox and judged the way the dataset's evaluator judges.

- Python (HumanEval, HumanEval+, MBPP): passes when the program runs to its end
  without raising. An AssertionError is `fail`; any other uncaught exception
  is `runtime_error` (both are failures to the official rule).
- JavaScript (HumanEval-X): passes only when stdout and stderr are both empty;
  a failed console.assert only prints "Assertion failed", so it is `fail`.

Every program ends by writing a per-job token to stderr; a program that
exits before its tests finish (sys.exit, os._exit, process.exit) never shows
it and fails, where a bare exit-code rule would pass it.

Timeouts are relative, as in evalplus: the reference solution's program is run
once per question and sandbox, and each answer gets max(floor, factor x that
runtime). HumanEval+ programs also time each input inside the program, as
evalplus does: max(1 s, factor x the reference's time on that input), within
each set's budget (min(60 s, the set's limits summed) + 2 s); the whole
program then gets the reference's budgets on top, as a backstop for answers
that a signal cannot stop. The figures go into the record's `timing`.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
import secrets
import threading
import weakref
from typing import Any, NamedTuple

from .. import languages
from ..extract import defines, extract_code
from ..languages.base import TOKEN_ENV
from ..questions import Question
from ..records.schema import Status
from ..sandbox.types import Job, JobResult, Limits, Sandbox, SandboxUnavailable
from .verdicts import VerdictCache, verdict_key

DEFAULT_TIMEOUT_FACTOR = 4.0   # program questions: max(floor, factor x the reference's runtime)
DEFAULT_TIMEOUT_FLOOR_S = 3.0
OUTPUT_BYTES = 256 << 10      # per stream: room for the token after chatty answers
TOKEN_PREFIX = "codeinterview-done-"
EVALPLUS_LINE = re.compile(r"^codeinterview-evalplus (\{.*\})$", re.M)
DEFAULT_INPUT_FLOOR_S = 1.0   # HumanEval+: the least time limit of one input (evalplus's min_time_limit)


def assemble(question: Question, language: str, code: str) -> str | None:
    """The answer's part of the program (the official "prompt + completion"),
    or None when it defines no function the tests could call."""
    prompt = question.fields["Prompt"].get(language, "")
    if prompt.strip() and code.lstrip().startswith(prompt.strip()):
        return code  # the prompt continued: a completion stitched to it, or the reference
    if defines(code, language, question.function_name):
        # A whole function (in Python the prompt still comes first, for its imports)
        return languages.get(language).prompt_then_function(prompt, code)
    first = next((line for line in code.splitlines() if line.strip()), "")
    if first[:1] in (" ", "\t"):
        return prompt + code  # a bare body: stitch the prompt's signature back
    return None


def program_text(body: str, test: str, language: str, token: str,
                 input_limit: tuple[float, float] | None = None) -> str:
    """input_limit: (factor, floor) of HumanEval+'s per-input time limits (evalplus_check.py)."""
    return languages.get(language).compose_program(body, test, token, input_limit=input_limit)


class Judged(NamedTuple):
    status: Status
    error: str | None   # a short error, for the record and feedback


class ProgramRun(NamedTuple):
    """One run of a program (the answer's or the reference's) and its verdict."""
    result: JobResult
    status: Status
    error: str | None


class ReferenceRun(NamedTuple):
    """The reference's run, measured for a relative timeout."""
    body: str
    run: ProgramRun


class Measured(NamedTuple):
    timing: dict[str, Any]            # the record's `timing` fields
    reference: ReferenceRun | None    # None: nothing to measure, or a fixed timeout


def judge(language: str, result: JobResult, token: str) -> Judged:
    """The status and short error of a program JobResult."""
    status, error = languages.get(language).judge(result, token)
    return Judged(status, error)


def _evalplus_summary(stderr: str) -> dict | None:
    """HumanEval+: inputs passed per set, whether the first failure was an input's
    time limit, and the sets' time budgets (the last summary line: one is
    written after each set)."""
    for line in reversed(EVALPLUS_LINE.findall(stderr)):
        try:
            return json.loads(line)
        except ValueError:
            continue
    return None


def _tests(stderr: str) -> dict | None:
    """The record's `tests`: HumanEval+ inputs [passed, run, total] per set."""
    summary = _evalplus_summary(stderr)
    return {"base": summary["base"], "plus": summary["plus"]} if summary else None


class RelativeTimeout:
    """Per (sandbox, question, language): the reference program's runtime,
    measured once in the sandbox (threads asking together wait for one run)."""

    def __init__(self, factor: float = DEFAULT_TIMEOUT_FACTOR, floor_s: float = DEFAULT_TIMEOUT_FLOOR_S,
                 cap_s: float = 120.0, input_floor_s: float = DEFAULT_INPUT_FLOOR_S):
        self.factor, self.floor_s, self.cap_s = factor, floor_s, cap_s
        self.input_limit = (factor, input_floor_s)  # HumanEval+'s per-input limits
        # sandbox -> {question key: timing}; a closed sandbox's figures go with it
        self._cache: weakref.WeakKeyDictionary[Sandbox, dict[tuple, Measured]] = weakref.WeakKeyDictionary()
        self._locks: dict[tuple, threading.Lock] = {}
        self._lock = threading.Lock()

    def measure(self, sandbox: Sandbox, question: Question, language: str, limits: Limits) -> Measured:
        """The timing fields for the record, and the reference's run (None when not measured)."""
        reference = question.reference(language)
        if not reference or not self.factor:  # nothing to measure, or a fixed timeout: the floor
            return Measured({"reference_s": None, "reference_status": None, "limit_s": self.floor_s,
                             "factor": self.factor, "floor_s": self.floor_s, "budget_s": None}, None)
        digest = hashlib.sha256((reference + question.fields["Test"][language]).encode()).hexdigest()
        key = (question.suite, question.name, language, digest)
        with self._lock:
            lock = self._locks.setdefault((id(sandbox),) + key, threading.Lock())
            cache = self._cache.setdefault(sandbox, {})
        with lock:
            if key not in cache:
                cache[key] = self._measure(sandbox, question, language, reference, limits)
            return cache[key]

    def _measure(self, sandbox: Sandbox, question: Question, language: str, reference: str,
                 limits: Limits) -> Measured:
        body = assemble(question, language, reference) or reference
        run = run_program(sandbox, question, language, body, limits, self.cap_s, self.input_limit)
        result, status = run.result, run.status
        # the run alone: a compiled language's compile step has a limit of its own
        reference_s = round(result.run_s if result.run_s is not None else result.duration_s, 4)
        # HumanEval+: the inputs' own budgets come on top (the program enforces them itself)
        budget = (_evalplus_summary(result.stderr) or {}).get("budget_s")
        limit = max(self.floor_s, self.factor * reference_s) + (budget or 0)
        if result.status == Status.TIMEOUT:
            limit = self.cap_s
        times = {"reference_s": reference_s, "reference_status": status, "limit_s": round(limit, 3),
                 "factor": self.factor, "floor_s": self.floor_s, "budget_s": budget}
        return Measured(times, ReferenceRun(body, run))


DEFAULT_TIMING = RelativeTimeout()  # for callers that pass none (evaluate.py passes its flags')


def run_program(sandbox: Sandbox, question: Question, language: str, body: str, limits: Limits,
                timeout_s: float, input_limit: tuple[float, float] | None = None) -> ProgramRun:
    """Run body + the question's test once."""
    token = TOKEN_PREFIX + secrets.token_hex(12)
    limits = dataclasses.replace(limits, timeout_s=timeout_s, check_timeout_s=timeout_s,
                                 output_bytes=max(limits.output_bytes, OUTPUT_BYTES))
    code = program_text(body, question.fields["Test"][language], language, token, input_limit)
    result = sandbox.run(Job(language=language, code=code, kind="program", limits=limits,
                             env={TOKEN_ENV: token}))
    status, error = judge(language, result, token)
    if status in (Status.FAIL, Status.RUNTIME_ERROR) and (_evalplus_summary(result.stderr) or {}).get("timeout"):
        status = Status.TIMEOUT  # HumanEval+: an input ran over its own limit before anything else failed
    return ProgramRun(result, status, error)


def grade_program(sandbox: Sandbox, question: Question, language: str, answer: str,
                  code_prefix: str | None, limits: Limits, timing: RelativeTimeout | None = None,
                  code_suffix: str | None = None, verdicts: VerdictCache | None = None) -> dict[str, Any]:
    """Eval fields for one answer to a program question (the same fields as a
    function question's, plus `timing` and, for HumanEval+, `tests`).
    `verdicts`: the run's VerdictCache (grading.verdicts), or None."""
    empty = {"checks": [], "passed": 0, "total": 1, "score": 0.0, "function": None,
             "stdout": None, "stderr": None, "timing": None, "tests": None}
    code = extract_code(answer, language, question.function_name, code_prefix, code_suffix)
    if code is None:
        return {**empty, "code": None, "status": Status.NO_CODE, "error": "no code found in the answer"}
    body = assemble(question, language, code)
    if body is None:
        return {**empty, "code": code, "status": Status.NO_FUNCTION,
                "error": f"the answer does not define {question.function_name}"}
    timing = timing or DEFAULT_TIMING
    try:
        times, reference = timing.measure(sandbox, question, language, limits)
    except SandboxUnavailable as exc:
        return {**empty, "code": code, "status": Status.SANDBOX_ERROR, "error": str(exc)}

    def run() -> dict[str, Any]:
        try:
            # An answer whose program is the reference's gets that run's verdict (same program,
            # same sandbox) instead of a second run: a self-test costs one run per question.
            shared = reference.run if reference and reference.body == body \
                and reference.run.status != Status.TIMEOUT else None
            result, status, error = shared or run_program(sandbox, question, language, body, limits,
                                                          times["limit_s"], timing.input_limit)
        except SandboxUnavailable as exc:
            return {**empty, "status": Status.SANDBOX_ERROR, "error": str(exc)}
        passed = int(status == Status.PASS)
        return {**empty, "status": status, "passed": passed, "score": float(passed),
                "error": error, "stdout": result.stdout, "stderr": result.stderr, "timing": times,
                "tests": _tests(result.stderr),
                "sandbox": {"duration_s": round(result.duration_s, 4), "replaced": result.replaced,
                            "reference_run": shared is not None, "compile_s": result.compile_s,
                            "compile_cached": result.compile_cached}}
    if verdicts is None:
        return {"code": code, **run()}
    # the program before its per-run token, and the limits it runs under (the relative timeout applied)
    key = verdict_key("program", language, body, question.fields["Test"][language], limits,
                      times["limit_s"], timing.input_limit)
    return {"code": code, **verdicts.grade(key, run)}
