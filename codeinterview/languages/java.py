"""Java: compiled with javac and run on OpenJDK 17, in the "java" image family.

HumanEval-X composition: prompt + completion + test in Main.java, the test
being `public class Main` whose main throws AssertionError on a wrong value.
We leave the test untouched and add a class of our own that calls Main.main
and then writes the finish token; the runner starts that class (ENTRY).
"""

from __future__ import annotations

import re
from typing import Any

from ..records.schema import Status
from .base import Language, TOKEN_ENV, finished, judge_compiled, strip_token, tail

ENTRY = "CodeinterviewMain"  # sandbox/runner/langs/java.py starts this class
_MODIFIERS = r"(?:(?:public|private|protected|static|final|abstract|synchronized|native|strictfp)\s+)*"
_KEYWORDS = r"(?!(?:if|for|while|switch|catch|return|new|else|throw|synchronized|do|try)\b)"
METHOD = re.compile(r"^[ \t]*" + _MODIFIERS + r"(?:<[^>\n]*>\s*)?" + _KEYWORDS +
                    r"[\w$.]+(?:<[^;{}()\n]*>)?(?:\[\])*\s+" + _KEYWORDS +
                    r"([\w$]+)\s*\([^;{}]*?\)\s*(?:throws\s+[\w$.,\s]+)?\{", re.M)
CLASS = re.compile(r"^[ \t]*" + _MODIFIERS + r"(?:class|interface|enum|record)\s+([\w$]+)", re.M)
PUBLIC_SOLUTION = re.compile(r"^([ \t]*(?:final\s+)?)public\s+(?:final\s+)?class\s+Solution\b", re.M)
IMPORT = re.compile(r"^[ \t]*import\s+[\w.*\s]+;[ \t]*$", re.M)
EXCEPTION = re.compile(r'^Exception in thread "[^"]*" ([\w$.]+)', re.M)


class Java(Language):
    name = "java"
    display = "Java"
    fence_tags = frozenset({"java"})
    bracket_tags = ("JAVA",)
    extension = ".java"
    image = "java"
    packages = ("openjdk-17-jdk-headless", "junit5", "libassertj-core-java")  # the last two: exercises
    compiled = True
    code_hint = re.compile(r"^\s*(?:import\s+[\w.]+|(?:public|private|protected|static)\s|class\s+\w+"
                           r"|return\b[^\n]*;)", re.M)
    definition = METHOD
    top_level_name = re.compile(r"^" + _MODIFIERS + r"(?:(?:class|interface|enum|record)\s+|"
                                r"[\w$.]+(?:<[^;{}()\n]*>)?(?:\[\])*\s+)([\w$]+)\s*(?=[({<]|extends\b|implements\b)",
                                re.M)
    code_start = re.compile(r"^[ \t]*import\s+java\.|^[ \t]*(?:public\s+)?(?:final\s+)?class\s+\w+\s*\{"
                            r"|^[ \t]*public\s+(?:static\s+)?[\w<>\[\]]+\s+\w+\s*\(", re.M)
    export_keys = ("generation",)  # HumanEval-X's samples field

    def prompt_then_function(self, prompt: str, code: str) -> str:
        """An answer restating the class keeps the prompt's imports (Java allows
        repeating them) and loses a `public` before it; one restating only the method goes back into the
        prompt's class, in place of the prompt's unfinished signature (its
        other methods stay)."""
        imports = "".join(line + "\n" for line in IMPORT.findall(prompt) if line.strip() not in code)
        if any(name == "Solution" for name in CLASS.findall(code)):
            # `public class Solution` cannot live in Main.java; the prompt's is package-private
            return imports + PUBLIC_SOLUTION.sub(r"\1class Solution", code)
        stub = list(METHOD.finditer(prompt))
        head = prompt[:stub[-1].start()] if stub else prompt
        return f"{head.rstrip()}\n{code.rstrip()}\n}}\n"

    def compose_program(self, body: str, test: str, token: str, **options: Any) -> str:
        # The test's `public class Main` stays as written (Main.java); ours runs it, then the token.
        return (f"{body}\n{test}\n"
                f"class {ENTRY} {{\n"
                f"    public static void main(String[] args) throws Throwable {{\n"
                f"        Main.main(args);\n"
                f"        System.out.flush();\n"
                f"        System.err.print(System.getenv(\"{TOKEN_ENV}\") + \"\\n\");\n"
                f"        System.err.flush();\n"
                f"    }}\n}}\n")

    def judge(self, result: Any, token: str) -> tuple[Status, str | None]:
        """HumanEval-X: a pass compiles and exits 0. An AssertionError is
        `fail`; another uncaught exception `runtime_error`; OutOfMemoryError `oom`."""
        if result.status in (Status.TIMEOUT, Status.OOM, Status.COMPILE_ERROR, Status.SYNTAX_ERROR):
            return judge_compiled(result, token)
        if finished(result, token):
            return Status.PASS, None
        stderr = strip_token(result.stderr, token)
        if result.exit_code == 0:
            return Status.FAIL, "the program ended before its tests finished"
        exception = EXCEPTION.search(stderr)
        name = exception.group(1).rsplit(".", 1)[-1] if exception else None
        if name == "OutOfMemoryError":
            return Status.OOM, tail(stderr)
        if name in ("AssertionError", None):
            return Status.FAIL, tail(stderr) or f"exit code {result.exit_code}"
        return Status.RUNTIME_ERROR, tail(stderr)


LANGUAGE = Java()
