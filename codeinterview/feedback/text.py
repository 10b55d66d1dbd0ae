"""Feedback: what went wrong with one graded answer, in words a model can act on.

Two views of one grade (the fields grading.answer.grade_answer returns):

  verdict()     a structured verdict, as LiveCodeBench builds it: the kind of
                failure (syntax error with its line / compile error with the
                compiler's first error and its context / wrong result with the
                call, got and expected / exception with the last lines of its
                traceback / timeout), every value truncated
  raw_output()  the runner's report as a test log, as aider sends it: one line
                per check, tracebacks and output, with paths, runner-internal
                frames and timings stripped

Both honour the reveal policy. `visible` (the default) describes only checks
marked visible, `all` every check, `none` no check at all; problems that
involve no check (no code, syntax error, an exception while loading) are always
described. Hidden checks are counted, never named or quoted, and the answer's
own stdout/stderr (which can echo a hidden check's arguments) is shown only
with `all`. A program question (HumanEval style) has one check, its test
program, whose assertions hold the test inputs: only `all` shows what it
printed; otherwise the model learns the kind of failure and the exception's name.

`FeedbackTemplate` renders a verdict through a Jinja template from prompts/:
a chat template gives the messages that continue the conversation, a text
template a fresh prompt for completion models.
"""

from __future__ import annotations

import re
from typing import Any

from .. import languages
from ..errors import UserError
from ..exercises.feedback import OUTPUT_CHARS, test_output
from ..grading.checks import check_reason
from ..questions import Question
from ..records.schema import CheckReason, Status
from ..templates import Template, load_template, template_variables

REVEAL = ("visible", "all", "none")
DEFAULT_CHAT_TEMPLATE = "feedback-verdict"
DEFAULT_TEXT_TEMPLATE = "feedback-completion"
DEFAULT_PROGRAM_TEXT_TEMPLATE = "feedback-program-completion"  # continues a benchmark's code prompt
DEFAULT_EXERCISE_TEMPLATE = "feedback-exercise"  # aider's second try (exercises/feedback.py)
# What feedback templates may use besides the question's variables.
FEEDBACK_VARIABLES = ("verdict", "raw_output", "code", "answer", "attempt", "max_attempts", "reveal",
                      "lint")
VALUE_CHARS = 200        # one got/expected value
TRACEBACK_LINES = 6      # the end of a traceback is where the answer's own frame is
MESSAGE_CHARS = 2000     # a whole feedback message (a few hundred tokens)
COMPILER_LINES = 8       # of a compiler's output: its first error with the context it gives

# Runner internals and host paths say nothing to the model and vary between runs.
_RUNNER_FRAME = re.compile(r"/opt/runner/|child_(?:py|js)\b|node:internal")
_PATH = re.compile(r"(?<![\w.])(?:/[\w.@+-]+)+/([\w.@+-]+)")
_FRAME_START = re.compile(r"\s*(?:Traceback|File |at )")
_DIAGNOSTIC = re.compile(r"\b(?:error|warning|note)\b", re.I)  # a compiler's own words, not quoted source
_TIMING = re.compile(r"\s*(?:\bin\s+)?[(\[]?\b\d+(?:\.\d+)?\s?(?:ms|s|sec|seconds)\b[)\]]?")


def truncate(text: str, limit: int) -> str:
    """Keep the head and the tail (where the error usually is) of a long text."""
    if len(text) <= limit:
        return text
    head = limit * 2 // 3
    tail = limit - head
    return f"{text[:head]}\n... ({len(text) - limit} characters cut) ...\n{text[-tail:]}"


def show_value(value: Any, language: str) -> str:
    """A value as the model's language writes it (Language.show_value: null/true
    for JavaScript), truncated."""
    text = languages.get(language).show_value(value)
    if len(text) > VALUE_CHARS:
        text = f"{text[:VALUE_CHARS]}... ({len(text) - VALUE_CHARS} more characters)"
    return text


def clean_output(text: str | None) -> str:
    """Runner output for a model: no runner frames, no absolute paths, no timings."""
    if not text:
        return ""
    lines = [line for line in text.splitlines() if not _RUNNER_FRAME.search(line)]
    cleaned = "\n".join(_TIMING.sub("", _PATH.sub(r"\1", line)).rstrip() for line in lines)
    return cleaned.strip("\n")


def last_lines(traceback: str | None, n: int = TRACEBACK_LINES) -> str:
    lines = [line for line in clean_output(traceback).splitlines() if line.strip()]
    return "\n".join(lines[-n:])


def shown_checks(checks: list[dict[str, Any]], reveal: str) -> list[dict[str, Any]]:
    if reveal == "all":
        return list(checks)
    if reveal == "none":
        return []
    return [c for c in checks if c.get("visible", True)]


def describe_call(expr: str, function_name: str) -> str:
    """`f.call(1, 2)` reads as `add(1, 2)`; other expressions stay as written."""
    return re.sub(r"\bf\.call\(", f"{function_name}(", expr)


def describe_expected(check: dict[str, Any], language: str) -> str:
    op, expected = check.get("op", "eq"), check.get("expected")
    if op == "eq-any":
        return "one of " + ", ".join(show_value(v, language) for v in expected or [])
    if op == "approx":
        return f"{show_value(expected, language)} (within {check.get('tol', 1e-6):g})"
    if op == "unordered":
        return f"{show_value(expected, language)} in any order"
    if op == "raises":
        return "an error to be raised" if expected is True else f"a {expected} to be raised"
    return show_value(expected, language)


# A check's failure reason -> the kind of failure feedback describes.
_FAILURE_KINDS = {CheckReason.TIMEOUT: "timeout", CheckReason.OOM: "oom", CheckReason.ERROR: "exception"}


def _failure(check: dict[str, Any], function_name: str, language: str) -> dict[str, Any]:
    error = check.get("error")
    reason = check_reason(check)
    kind = _FAILURE_KINDS.get(reason, "wrong_result") if reason else "wrong_result"
    return {"name": check["name"], "kind": kind, "call": describe_call(check["assert"], function_name),
            "expected": describe_expected(check, language),
            "got": None if kind != "wrong_result" else show_value(check.get("got"), language),
            "error": truncate(str(error), VALUE_CHARS) if kind == "exception" else None,
            "traceback": last_lines(check.get("traceback")) if kind == "exception" else None}


def verdict(graded: dict[str, Any], question: Question, language: str, reveal: str = "visible",
            check_timeout_s: float | None = None) -> dict[str, Any]:
    """The structured verdict on one graded answer, limited to what `reveal` allows."""
    if question.kind in ("program", "exercise"):  # an exercise: its test run as the one check
        return program_verdict(graded, question, reveal)
    status = Status(graded["status"])
    checks = graded.get("checks") or []
    shown = shown_checks(checks, reveal)
    shown_names = {c["name"] for c in shown}
    ran = [c for c in checks if check_reason(c) is not CheckReason.NOT_RUN]
    failures = [_failure(c, question.function_name, language)
                for c in shown if not c.get("passed") and check_reason(c) is not CheckReason.NOT_RUN]
    out: dict[str, Any] = {
        "status": status, "kind": _KINDS.get(status, status), "function_name": question.function_name,
        "error": _load_error(graded, language), "failures": failures,
        "shown_passed": sum(1 for c in shown if c.get("passed")),
        "shown_failed": len(failures),
        "hidden_failed": sum(1 for c in ran if not c.get("passed") and c["name"] not in shown_names),
        "checks_total": len(checks), "checks_passed": sum(1 for c in checks if c.get("passed")),
        "check_timeout_s": check_timeout_s, "found_function": None,
    }
    function = graded.get("function") or {}
    if status == Status.NO_FUNCTION and function.get("fallback"):
        out["found_function"] = function.get("name")
    out["summary"] = _summary(out)
    return out


_KINDS = {Status.FAIL: "wrong_result", Status.RUNTIME_ERROR: "exception"}


def program_verdict(graded: dict[str, Any], question: Question, reveal: str) -> dict[str, Any]:
    """The verdict on an answer to a program question: the same fields as a
    function question's, with the test program as its one check."""
    status = Status(graded["status"])
    output = clean_output(graded.get("error") if isinstance(graded.get("error"), str) else None)
    exception = _exception_name(output)
    shown = reveal == "all" or status == Status.SYNTAX_ERROR  # a syntax error is the answer's own text
    failed = status not in (Status.PASS, Status.NO_CODE, Status.NO_FUNCTION, Status.SANDBOX_ERROR)
    out: dict[str, Any] = {
        "status": status, "kind": _KINDS.get(status, status), "function_name": question.function_name,
        "error": None, "failures": [], "shown_passed": 0, "shown_failed": 0, "hidden_failed": 0,
        "checks_total": 1, "checks_passed": int(status == Status.PASS),
        "check_timeout_s": (graded.get("timing") or {}).get("limit_s"), "found_function": None,
    }
    if status == Status.COMPILE_ERROR:  # like a syntax error: always described
        out["error"] = compile_error(graded, reveal)
    elif failed and shown and output:
        lines = output.splitlines()
        frames = lines[:-1]
        starts = [i for i, line in enumerate(frames) if _FRAME_START.match(line)]
        frames = frames[starts[0]:] if starts else frames  # not from the middle of a frame
        out["error"] = {"type": exception, "message": truncate(lines[-1], VALUE_CHARS), "line": None,
                        "source_line": None, "traceback": "\n".join(frames) or None}
    if status in (Status.FAIL, Status.RUNTIME_ERROR, Status.TIMEOUT, Status.OOM):
        out["summary"] = _program_summary(status, exception, out["error"] is not None,
                                          out["check_timeout_s"])
    else:
        out["summary"] = _summary(out)
    return out


def compile_error(graded: dict[str, Any], reveal: str) -> dict[str, Any]:
    """A compiled language's compile error: the compiler's first error line (the
    record's `error`) and the start of its whole output (the record's `stderr`),
    cleaned like other runner output (file paths cut to their names). The
    program holds the question's tests too, and compilers quote the source
    lines they complain about: unless `reveal` is `all`, only the diagnostic
    lines themselves are kept, never a quoted line (it may be a test's inputs)."""
    output = [line for line in clean_output(graded.get("stderr")).splitlines() if line.strip()]
    if reveal != "all":
        output = [line for line in output if _DIAGNOSTIC.search(line)]
    error = graded.get("error")
    first = clean_output(error).strip().splitlines()[0] if isinstance(error, str) and error.strip() else ""
    first = first or (output[0] if output else "the code does not compile")
    context = [line for line in output if line.strip() != first.strip()][:COMPILER_LINES]
    return {"type": "CompileError", "message": truncate(first, VALUE_CHARS), "line": None,
            "source_line": None, "traceback": "\n".join(context) or None}


def _exception_name(output: str) -> str | None:
    """`AssertionError` from a traceback's last line (`AssertionError: ...`), if it has one."""
    last = output.strip().splitlines()[-1] if output.strip() else ""
    match = re.match(r"(?:Uncaught )?([A-Za-z_][\w.]*(?:Error|Exception))\b", last)
    return match.group(1).rsplit(".", 1)[-1] if match else None


def _program_summary(status: str, exception: str | None, detailed: bool, limit_s: float | None) -> str:
    """One line; `detailed` when what the test program printed follows it."""
    if status == Status.FAIL:
        return "The code fails the question's tests" + (":" if detailed else " (the tests are not shown).")
    if status == Status.RUNTIME_ERROR:
        return f"The code raised {exception or 'an error'} while the tests ran" + (":" if detailed else ".")
    if status == "timeout":
        within = f" within {limit_s:g} s" if limit_s else ""
        return f"The tests did not finish{within}: the code is too slow or never returns."
    return "The code ran out of memory while the tests ran."


def _load_error(graded: dict[str, Any], language: str) -> dict[str, Any] | None:
    """An error before any check ran (syntax, an exception or timeout while loading)."""
    error = graded.get("error")
    if not isinstance(error, dict):
        return None
    line = error.get("line")
    source_line = None
    code = graded.get("code") or ""
    if isinstance(line, int) and 0 < line <= len(code.splitlines()):
        source_line = code.splitlines()[line - 1]
    message = str(error.get("message") or "")
    kind = str(error.get("type") or "")
    if kind and not message.startswith(kind):
        message = f"{kind}: {message}"
    return {"type": kind or None, "message": truncate(clean_output(message), VALUE_CHARS),
            "line": line, "source_line": source_line,
            "traceback": last_lines(error.get("traceback")) or None}


def _summary(v: dict[str, Any]) -> str:
    """One line a reader (or a model) gets first."""
    kind, name = v["kind"], v["function_name"]
    if kind == Status.PASS:
        return "All checks passed."
    if kind == Status.NO_CODE:
        return "No code was found in the answer."
    if kind == Status.NO_FUNCTION:
        found = f" (found `{v['found_function']}` instead)" if v["found_function"] else ""
        return f"The code does not define a function named `{name}`{found}."
    if kind == Status.SYNTAX_ERROR:  # the details follow in verdict["error"]
        return "The code does not parse."
    if kind == Status.COMPILE_ERROR:  # the compiler's first error follows in verdict["error"]
        return "The code does not compile."
    if kind == Status.SANDBOX_ERROR:
        return "The code could not be run (an infrastructure error, not the answer's fault)."
    failed = v["shown_failed"] + v["hidden_failed"]
    what = {"wrong_result": "returned a wrong result", "exception": "raised an error",
            "timeout": "timed out", "oom": "ran out of memory"}.get(kind, kind)
    if v["error"] and not v["failures"]:
        return f"The code {what} while loading."
    return f"The code {what}: {failed} of {v['checks_total']} checks failed."


def raw_output(graded: dict[str, Any], question: Question, language: str, reveal: str = "visible") -> str:
    """The runner's report as a plain test log, cleaned and limited to what `reveal` allows."""
    if question.kind == "exercise":  # the test framework's own output, as aider sends it
        return test_output(graded, question) if reveal != "none" else verdict(graded, question, language,
                                                                                reveal)["summary"]
    if question.kind == "program":
        v = program_verdict(graded, question, reveal)
        if v["status"] == Status.COMPILE_ERROR:
            text = "\n".join(filter(None, (v["error"]["message"], v["error"]["traceback"])))
        else:
            text = clean_output(graded.get("error")) if v["error"] else ""
        return truncate("\n".join(filter(None, (v["summary"], text))), MESSAGE_CHARS)
    lines: list[str] = []
    error = _load_error(graded, language)
    if graded.get("status") == Status.NO_CODE:
        lines.append("no code found in the answer")
    if error:
        where = f" (line {error['line']})" if error.get("line") else ""
        lines.append(f"{error['message']}{where}")
        if error.get("source_line") is not None:
            lines.append(f"    {error['source_line'].strip()}")
        if error.get("traceback"):
            lines.append(error["traceback"])
    checks = graded.get("checks") or []
    shown = shown_checks(checks, reveal)
    for check in shown:
        reason = check_reason(check)
        if reason is CheckReason.NOT_RUN:
            continue
        call = describe_call(check["assert"], question.function_name)
        if check.get("passed"):
            lines.append(f"PASS {check['name']}: {call}")
        elif reason is CheckReason.TIMEOUT:
            lines.append(f"TIMEOUT {check['name']}: {call}")
        elif reason in (CheckReason.ERROR, CheckReason.OOM):
            lines.append(f"ERROR {check['name']}: {call}")
            lines.append(clean_output(check.get("traceback")) or clean_output(str(check["error"])))
        else:
            lines.append(f"FAIL {check['name']}: {call}")
            lines.append(f"  expected: {describe_expected(check, language)}")
            lines.append(f"  got:      {show_value(check.get('got'), language)}")
    hidden = [c for c in checks if c not in shown and check_reason(c) is not CheckReason.NOT_RUN]
    if hidden:
        failed = sum(1 for c in hidden if not c.get("passed"))
        lines.append(f"{len(hidden)} more checks not shown: {failed} failed")
    if reveal == "all":
        for stream in ("stdout", "stderr"):
            text = clean_output(graded.get(stream))
            if text:
                lines.append(f"--- {stream} ---\n{text}")
    return truncate("\n".join(lines), MESSAGE_CHARS)


class FeedbackTemplate:
    """A feedback template from prompts/: the message(s) or fresh prompt after a failed attempt."""

    def __init__(self, name_or_path: str | None, chat: bool, program: bool = False, exercise: bool = False):
        default = DEFAULT_EXERCISE_TEMPLATE if exercise and chat else DEFAULT_CHAT_TEMPLATE if chat else \
            DEFAULT_PROGRAM_TEXT_TEMPLATE if program else DEFAULT_TEXT_TEMPLATE
        self.limit = OUTPUT_CHARS if exercise else MESSAGE_CHARS
        self.template: Template = load_template(name_or_path or default, FEEDBACK_VARIABLES)
        self.name = self.template.name
        want = "chat" if chat else "text"
        if self.template.kind != want:
            prompts = "chat (message) prompts" if chat else "completion (text) prompts"
            raise UserError(f"{self.template.path}: a {self.template.kind} template cannot give feedback "
                            f"on {prompts}; choose a '{want}' feedback template "
                            f"(e.g. {default})")

    def render(self, question: Question, language: str, graded: dict[str, Any], answer: str,
               attempt: int, max_attempts: int, reveal: str,
               check_timeout_s: float | None = None, lint: list[dict[str, Any]] | None = None,
               ) -> tuple[list[dict[str, str]] | str, str | None]:
        """(messages to append, None) for chat, or (fresh prompt, code prefix) for text.
        `lint` holds the static analyzers' findings (codeinterview.lint), if any ran."""
        variables = template_variables(question.fields, question.name, question.suite, language,
                                       question.function_name, question.arg_names)
        variables.update(
            verdict=verdict(graded, question, language, reveal, check_timeout_s),
            raw_output=raw_output(graded, question, language, reveal),
            code=graded.get("code"), answer=answer, attempt=attempt,
            max_attempts=max_attempts, reveal=reveal, lint=lint or [])
        prompt, prefix = self.template.render(variables)
        if isinstance(prompt, str):
            # the prefix (code the model continues) must survive the cut
            body = prompt[:len(prompt) - len(prefix)] if prefix else prompt
            return truncate(body, MESSAGE_CHARS * 2) + (prefix or ""), prefix
        return [{**m, "content": truncate(m["content"], self.limit)} for m in prompt], None
