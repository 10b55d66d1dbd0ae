"""What a language is to the host: how answers in it are recognised, extracted,
stitched to a prompt, composed into a test program, judged and exported.

One module per language in this package defines a `Language` subclass and an
instance named LANGUAGE; the registry (languages/__init__.py) finds it. Its
runner half (how to compile and run, inside the sandbox) is
sandbox/runner/langs/<name>.py; the toolchain's Debian packages and the image
family they live in are declared here.
"""

from __future__ import annotations

import json
import re
from typing import Any, ClassVar, Pattern

from ..records.schema import Status


# Compiled languages read the finish token from the run's environment, so that
# one answer's program is the same text in every job (the compile cache's key).
TOKEN_ENV = "CODEINTERVIEW_TOKEN"


class Language:
    name: ClassVar[str]                       # the word in records, YAML and flags: "cpp"
    display: ClassVar[str]                    # for people and prompts: "C++"
    aliases: ClassVar[tuple[str, ...]] = ()   # other names accepted for it: "c++"
    fence_tags: ClassVar[frozenset[str]]      # Markdown fence / HTML class words: "cpp", "c++"
    bracket_tags: ClassVar[tuple[str, ...]] = ()  # CodeLlama-style [TAG]...[/TAG]
    extension: ClassVar[str]                  # ".cpp"
    comment: ClassVar[str] = "//"             # a line comment, for templates and feedback
    # The sandbox image this language is graded in: "base" (python3 + node) or a
    # family of its own, built when first needed, with these Debian packages.
    image: ClassVar[str] = "base"
    packages: ClassVar[tuple[str, ...]] = ()
    compiled: ClassVar[bool] = False
    # Whether YAML questions' `f.call(...)` checks can call a function in it.
    function_bridge: ClassVar[bool] = False
    code_hint: ClassVar[Pattern[str]]          # a loose sign that text is code at all
    # Names of the functions code defines, at any level: every group that matched is a name.
    definition: ClassVar[Pattern[str]]
    # Top-level names (functions, classes, types) a separate helper block may define.
    top_level_name: ClassVar[Pattern[str]]
    code_start: ClassVar[Pattern[str] | None] = None  # a line that can only start code in it
    # The official samples file (export.py) writes the completion under these keys too.
    export_keys: ClassVar[tuple[str, ...]] = ()

    # --- extraction and stitching
    def defined_names(self, code: str) -> list[str]:
        return [next((g for g in groups if g), "") if isinstance(groups, tuple) else groups
                for groups in self.definition.findall(code)]

    def prompt_then_function(self, prompt: str, code: str) -> str:
        """The answer part of a program when the answer wrote the whole function
        itself: by default the answer alone (the prompt's unfinished stub would
        clash with it)."""
        return code

    # --- program questions
    def compose_program(self, body: str, test: str, token: str, **options: Any) -> str:
        """The whole test program: the answer part, the question's test, and a
        last step that writes the token to stderr only when the tests finished
        (`token` itself, or, in a compiled language, $CODEINTERVIEW_TOKEN)."""
        raise NotImplementedError

    def judge(self, result: Any, token: str) -> tuple[Status, str | None]:
        """(status, short error) from the program's JobResult, as the dataset's
        own evaluator would judge it (plus: the token must show)."""
        raise NotImplementedError

    # --- feedback
    def show_value(self, value: Any) -> str:
        """A value as this language writes it (JSON-like by default)."""
        try:
            return json.dumps(value, ensure_ascii=False, default=repr)
        except (TypeError, ValueError):
            return repr(value)

    def __repr__(self) -> str:
        return f"<language {self.name}>"


def tail(text: str | None, lines: int = 6, chars: int = 800) -> str | None:
    """The last lines of a program's output, for a record's `error`."""
    if not text:
        return None
    return "\n".join(text.strip().splitlines()[-lines:])[-chars:]


def strip_token(text: str, token: str) -> str:
    return text.replace(token + "\n", "").replace(token, "")


def finished(result: Any, token: str) -> bool:
    return result.exit_code == 0 and result.stderr.rstrip("\n").endswith(token)


def judge_compiled(result: Any, token: str) -> tuple[Status, str | None]:
    """HumanEval-X's rule for compiled languages: a pass is a clean compile and
    exit code 0 (here: with the token written after the tests)."""
    if result.status in (Status.TIMEOUT, Status.OOM, Status.SYNTAX_ERROR, Status.COMPILE_ERROR):
        message = (result.error or {}).get("message")
        return Status(result.status), tail(message or result.stderr)
    stderr = strip_token(result.stderr, token)
    if finished(result, token):
        return Status.PASS, None
    if result.exit_code == 0:
        return Status.FAIL, "the program ended before its tests finished"
    return Status.FAIL, tail(stderr or result.stdout) or f"exit code {result.exit_code}"


def compile_re(pattern: str, flags: int = re.M) -> Pattern[str]:
    return re.compile(pattern, flags)
