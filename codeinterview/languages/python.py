"""Python: graded in the base image, function questions through child_py.py."""

from __future__ import annotations

import re
from typing import Any

from ..records.schema import Status
from .base import Language, finished, strip_token, tail

EXCEPTION_LINE = re.compile(r"^([A-Za-z_][\w.]*)(?::|$)")
# exec(program, {}) in the official evaluators runs with __name__ == "builtins",
# so an answer's `if __name__ == "__main__":` block must not run here either.
PYTHON_HEADER = '__name__ = "builtins"\n'


class Python(Language):
    name = "python"
    display = "Python"
    aliases = ("py", "python3")
    fence_tags = frozenset({"python", "py", "python3", "py3"})
    bracket_tags = ("PYTHON",)
    extension = ".py"
    comment = "#"
    function_bridge = True
    packages = ("python3-pytest",)  # exercises: pytest runs their unittest files
    code_hint = re.compile(r"^\s*(def|class|import|from)\s|^\s*return\b", re.M)
    definition = re.compile(r"^\s*(?:async\s+)?def\s+(\w+)\s*\(|^\s*(\w+)\s*=\s*lambda\b", re.M)
    top_level_name = re.compile(r"^(?:async\s+)?(?:def|class)\s+(\w+)", re.M)
    code_start = re.compile(r"^[ \t]*(def|class|import|from|async|return)\b|^[ \t]*@\w", re.M)

    def prompt_then_function(self, prompt: str, code: str) -> str:
        # The prompt still comes first, for its imports and helpers; its unfinished
        # stub (a docstring body) is redefined by the answer.
        return prompt + "\n" + code

    def compose_program(self, body: str, test: str, token: str, **options: Any) -> str:
        """options: input_limit, HumanEval+'s per-input (factor, floor) (evalplus_check.py)."""
        input_limit = options.get("input_limit")
        evalplus = input_limit and "_ci_evalplus(" in test  # only HumanEval+ programs read it
        header = PYTHON_HEADER + (f"_ci_input_limit = {input_limit!r}\n" if evalplus else "")
        return (f"{header}{body}\n{test}\n"
                f"import sys as _ci_sys\n_ci_sys.__stderr__.write({token!r} + '\\n')\n")

    def judge(self, result: Any, token: str) -> tuple[Status, str | None]:
        """HumanEval, HumanEval+, MBPP: a pass runs to its end without raising. An
        AssertionError is `fail`; any other uncaught exception `runtime_error`."""
        if result.status in (Status.TIMEOUT, Status.OOM, Status.SYNTAX_ERROR):
            return Status(result.status), tail((result.error or {}).get("message") or result.stderr)
        if finished(result, token):
            return Status.PASS, None
        if result.exit_code == 0:
            return Status.FAIL, "the program ended before its tests finished"
        stderr = strip_token(result.stderr, token)
        exception = last_exception(stderr)
        if exception in ("AssertionError", None):
            return Status.FAIL, tail(stderr) or f"exit code {result.exit_code}"
        return Status.RUNTIME_ERROR, tail(stderr)

    def show_value(self, value: Any) -> str:
        return repr(value)


def last_exception(stderr: str) -> str | None:
    if "Traceback (most recent call last)" not in stderr:
        return None
    for line in reversed(stderr.splitlines()):
        if line and not line[0].isspace() and not line.startswith("Traceback"):
            match = EXCEPTION_LINE.match(line)
            return match.group(1).rsplit(".", 1)[-1] if match else None
    return None


LANGUAGE = Python()
