"""C++ (g++ -std=c++11): graded in the "cpp" image, as HumanEval-X grades it."""

from __future__ import annotations

import re
from typing import Any

from ..records.schema import Status
from .base import Language, TOKEN_ENV, judge_compiled, strip_token, tail

# HumanEval-X (CodeGeeX evaluate_humaneval_x.py, IMPORT_HELPER["cpp"]): the
# standard includes put before the prompt when it lacks them.
STANDARD_INCLUDES = ("#include<stdlib.h>", "#include<algorithm>", "#include<math.h>", "#include<stdio.h>",
                     "#include<vector>", "#include<string>", "#include<climits>", "#include<cstring>",
                     "#include<iostream>")
TESTS_MAIN = "codeinterview_tests_main"
PREAMBLE_LINE = re.compile(r"^[ \t]*(?:#[ \t]*include\b|using\s+namespace\b).*$", re.M)
ASSERTION = "Assertion `"  # glibc's assert() message, before it aborts


class Cpp(Language):
    name = "cpp"
    display = "C++"
    aliases = ("c++", "cxx")
    fence_tags = frozenset({"cpp", "c++", "cc", "cxx", "hpp", "h++"})
    bracket_tags = ("CPP", "C++")
    extension = ".cpp"
    image = "cpp"
    # catch2, boost date_time: exercises (aider polyglot: Catch2 v2 tests; gigasecond, meetup)
    packages = ("g++", "libc6-dev", "libssl-dev", "catch2", "libboost-date-time-dev")
    compiled = True
    code_hint = re.compile(r"^\s*#\s*include\b|\busing\s+namespace\b|\bstd::|^\s*(?:int|void|bool|"
                           r"string|vector<[^>]*>|auto)\s+\w+\s*\(", re.M)
    # A definition: a return type, the name, its parameters and an opening brace
    # (not a call or declaration); control keywords are not return types.
    definition = re.compile(r"^[ \t]*(?!(?:if|for|while|switch|return|else|do|case|new|delete)\b)"
                            r"[\w:<>,*& \t]*?[\w>*&][\s*&]+(?:[\w:]+::)?(\w+)[ \t]*\([^;{}]*?\)[ \t\n]*"
                            r"(?:const[ \t]*)?(?:noexcept[ \t]*)?\{", re.M)
    top_level_name = re.compile(r"^(?:template\s*<[^>]*>\s*)?(?:(?:struct|class|enum|union)\s+(\w+)"
                                r"|(?!(?:if|for|while|switch|return|else)\b)[\w:<>,*& \t]*?[\w>*&][\s*&]+"
                                r"(\w+)[ \t]*\([^;{}]*?\)[ \t\n]*(?:const[ \t]*)?\{)", re.M)
    code_start = re.compile(r"^[ \t]*(?:#[ \t]*include\s*[<\"]|using\s+namespace\s+\w+\s*;|template\s*<)",
                            re.M)
    export_keys = ("generation",)  # HumanEval-X's samples field

    def prompt_then_function(self, prompt: str, code: str) -> str:
        """An answer that restates the whole function keeps the prompt's part
        before the stub (includes, `using namespace std;`, helpers), or only its
        includes and usings when the answer redefines one of those helpers."""
        stubs = list(self.definition.finditer(prompt))
        if not stubs:
            return code
        preamble = prompt[:stubs[-1].start()]
        if set(self.defined_names(preamble)) & set(self.defined_names(code)):
            preamble = "\n".join(m.group(0) for m in PREAMBLE_LINE.finditer(preamble)) + "\n"
        return preamble + code

    def compose_program(self, body: str, test: str, token: str, **options: Any) -> str:
        """HumanEval-X: missing standard includes + prompt + completion + test.
        The test's main is renamed and called from ours, which writes the token."""
        setup = "".join(include + "\n" for include in STANDARD_INCLUDES if include not in body)
        return (f"{setup}\n{body}\n#define main {TESTS_MAIN}\n{test}\n#undef main\n"
                f"#include<cstdio>\n#include<cstdlib>\nint main() {{\n    {TESTS_MAIN}();\n"
                f"    std::fflush(stdout);\n    const char* token = std::getenv({_c_string(TOKEN_ENV)});\n"
                f"    if (token) {{ std::fputs(token, stderr); std::fputc('\\n', stderr); }}\n"
                f"    return 0;\n}}\n")

    def judge(self, result: Any, token: str) -> tuple[Status, str | None]:
        """Passes on exit 0 with the token; a failed assert() is `fail`; any
        other abnormal end (a signal, an uncaught exception) `runtime_error`."""
        status, error = judge_compiled(result, token)
        if status != Status.FAIL or result.exit_code == 0:
            return status, error
        stderr = strip_token(result.stderr, token)
        if ASSERTION in stderr:
            return Status.FAIL, tail(stderr)
        if result.exit_code is not None and result.exit_code < 0:
            return Status.RUNTIME_ERROR, tail(stderr) or f"killed by signal {-result.exit_code}"
        return Status.RUNTIME_ERROR, tail(stderr or result.stdout) or f"exit code {result.exit_code}"


def _c_string(text: str) -> str:
    return '"' + "".join(c if c.isalnum() or c in "-_ " else "\\%03o" % ord(c) for c in text) + '"'


LANGUAGE = Cpp()
