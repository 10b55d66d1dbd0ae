"""Go (go test with testify): graded in the "go" image, as HumanEval-X grades it."""

from __future__ import annotations

import re
from typing import Any

from ..records.schema import Status
from .base import Language, TOKEN_ENV, judge_compiled, strip_token, tail

# HumanEval-X (CodeGeeX evaluate_humaneval_x.py, IMPORT_HELPER["go"]): packages
# imported for the completion when it uses them (`name.` in its text).
HELPER_PACKAGES = ("math", "strings", "fmt", "strconv", "time", "bytes", "regexp", "sort", "math/rand",
                   "crypto/md5")
PACKAGE_CLAUSE = re.compile(r"^[ \t]*package[ \t]+\w+[ \t]*(?://[^\n]*)?\n?", re.M)
IMPORT_DECL = re.compile(r"^[ \t]*import[ \t]*(?:\(([^)]*)\)|((?:[\w.]+[ \t]+)?\"[^\"\n]+\"))[ \t]*\n?", re.M)
IMPORT_SPEC = re.compile(r"^[ \t]*(?:([\w.]+)[ \t]+)?\"([^\"\n]+)\"", re.M)
# String literals and comments: a package named there is not a use of it.
LITERAL_OR_COMMENT = re.compile(r'"(?:\\.|[^"\\\n])*"|`[^`]*`|\'(?:\\.|[^\'\\\n])*\'|//[^\n]*|/\*.*?\*/', re.S)
OS_ALIAS = "codeinterview_os"
TEST_FAILED = re.compile(r"^--- FAIL: ", re.M)
PANIC = re.compile(r"^(?:panic: |fatal error: )", re.M)


class Go(Language):
    name = "go"
    display = "Go"
    aliases = ("golang",)
    fence_tags = frozenset({"go", "golang"})
    bracket_tags = ("GO", "GOLANG")
    extension = ".go"
    image = "go"
    packages = ("golang-go", "golang-github-stretchr-testify-dev")
    compiled = True
    code_hint = re.compile(r"^\s*(?:func|package|import)\b|:=", re.M)
    definition = re.compile(r"^[ \t]*func[ \t]+(?:\([^)]*\)[ \t]*)?(\w+)[ \t]*[\[(]"
                            r"|\b(\w+)[ \t]*:?=[ \t]*func[ \t]*\(", re.M)
    top_level_name = re.compile(r"^(?:func[ \t]+(?:\([^)]*\)[ \t]*)?(\w+)|type[ \t]+(\w+)"
                                r"|(?:var|const)[ \t]+(\w+))", re.M)
    code_start = re.compile(r"^[ \t]*(?:package[ \t]+\w+[ \t]*$|func[ \t]+(?:\([^)]*\)[ \t]*)?\w+[ \t]*\("
                            r"|import[ \t]*\()", re.M)
    export_keys = ("generation",)  # HumanEval-X's samples field

    def prompt_then_function(self, prompt: str, code: str) -> str:
        """An answer that restates the whole function keeps the prompt's imports
        (compose_program drops the ones the code does not use)."""
        imports = "".join(m.group(0) for m in IMPORT_DECL.finditer(prompt))
        return imports + "\n" + code

    def compose_program(self, body: str, test: str, token: str, **options: Any) -> str:
        """HumanEval-X: test_setup (`package main` and the test's imports), the
        packages the code uses, the prompt without its imports, the completion,
        the test. A TestMain writes the token when every test passed."""
        setup_imports = _imports(test)
        tests = IMPORT_DECL.sub("", PACKAGE_CLAUSE.sub("", test, count=1))
        code = IMPORT_DECL.sub("", PACKAGE_CLAUSE.sub("", body))
        uses = LITERAL_OR_COMMENT.sub(lambda m: '""' if m.group(0)[0] in "\"`'" else " ", code)
        have = {path for _, path in setup_imports}
        wanted = [(None, path) for path in HELPER_PACKAGES] + _imports(body)
        extra: list[str] = []
        for alias, path in wanted:
            if path in have:
                continue
            used = alias or path.rsplit("/", 1)[-1]
            if used in ("_", ".") or re.search(r"(?<![\w.])" + re.escape(used) + r"\.", uses):
                have.add(path)
                extra.append(f"{alias} {_quote(path)}" if alias else _quote(path))
        extra.append(f"{OS_ALIAS} {_quote('os')}")
        imports = "".join(f"    {spec}\n" for spec in
                          [f"{a} {_quote(p)}" if a else _quote(p) for a, p in setup_imports] + extra)
        return (f"package main\n\nimport (\n{imports})\n\n{code}\n{tests}\n"
                f"func TestMain(m *testing.M) {{\n    code := m.Run()\n    if code == 0 {{\n"
                f"        {OS_ALIAS}.Stderr.WriteString({OS_ALIAS}.Getenv({_quote(TOKEN_ENV)}) + \"\\n\")\n    }}\n"
                f"    {OS_ALIAS}.Exit(code)\n}}\n")

    def judge(self, result: Any, token: str) -> tuple[Status, str | None]:
        """Passes on exit 0 with the token; a failed test (testify's assert) is
        `fail`; a panic or a fatal runtime error `runtime_error`."""
        status, error = judge_compiled(result, token)
        if status != Status.FAIL or result.exit_code == 0:
            return status, error
        stderr = strip_token(result.stderr, token)
        output = stderr + "\n" + result.stdout
        panic = PANIC.search(stderr)
        if panic:  # the panic's message and where it was raised, not the end of its traceback
            return Status.RUNTIME_ERROR, tail("\n".join(stderr[panic.start():].splitlines()[:8]), lines=8)
        if result.exit_code is not None and result.exit_code < 0:
            return Status.RUNTIME_ERROR, tail(stderr) or f"killed by signal {-result.exit_code}"
        if TEST_FAILED.search(output):
            return Status.FAIL, tail(result.stdout, lines=12) or tail(stderr)
        return Status.RUNTIME_ERROR, tail(output) or f"exit code {result.exit_code}"


def _imports(code: str) -> list[tuple[str | None, str]]:
    """(alias or None, path) of every import declaration in code."""
    found = []
    for decl in IMPORT_DECL.finditer(code):
        for spec in IMPORT_SPEC.finditer(decl.group(1) or decl.group(2) or ""):
            found.append((spec.group(1), spec.group(2)))
    return found


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


LANGUAGE = Go()
