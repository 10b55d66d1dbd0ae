"""JavaScript (Node): graded in the base image, function questions through child_js.js."""

from __future__ import annotations

import re
from typing import Any

from ..records.schema import Status
from .base import Language, finished, strip_token, tail


class JavaScript(Language):
    name = "javascript"
    display = "JavaScript"
    aliases = ("js", "node")
    fence_tags = frozenset({"javascript", "js", "node", "nodejs", "jsx", "mjs"})
    bracket_tags = ("JAVASCRIPT", "JS")
    extension = ".js"
    function_bridge = True
    # exercises: jest runs their specs, babel their ES modules, V8's code cache starts jest warm
    packages = ("jest", "node-babel7", "node-v8-compile-cache")
    code_hint = re.compile(r"\bfunction\b|=>|^\s*(const|let|var)\s", re.M)
    definition = re.compile(r"\bfunction\s*\*?\s*([\w$]+)\s*\("
                            r"|(?<![\w$])([\w$]+)\s*=\s*(?:async\s+)?(?:function\b|\(|[\w$]+\s*=>)")
    top_level_name = re.compile(r"^(?:async\s+)?(?:function\s*\*?\s*|(?:const|let|var|class)\s+)([\w$]+)",
                                re.M)
    code_start = re.compile(r"^[ \t]*(async|return|function|const|let|var|export|class)\b"
                            r"|^[ \t]*module\.exports\b", re.M)
    export_keys = ("generation",)  # HumanEval-X's samples field

    def compose_program(self, body: str, test: str, token: str, **options: Any) -> str:
        return f"{body}\n{test}\nprocess.stderr.write({token!r} + '\\n');\n"

    def judge(self, result: Any, token: str) -> tuple[Status, str | None]:
        """HumanEval-X: a pass leaves stdout and stderr both empty (a failed
        console.assert only prints "Assertion failed"; node still exits 0)."""
        if result.status in (Status.TIMEOUT, Status.OOM, Status.SYNTAX_ERROR):
            return Status(result.status), tail((result.error or {}).get("message") or result.stderr)
        done = finished(result, token)
        stderr = strip_token(result.stderr, token)
        if done and not result.stdout and not stderr:
            return Status.PASS, None
        if result.exit_code != 0:
            if "SyntaxError" in stderr:
                return Status.SYNTAX_ERROR, tail(stderr)
            return (Status.FAIL if "AssertionError" in stderr else Status.RUNTIME_ERROR), tail(stderr)
        if "Assertion failed" in stderr:
            return Status.FAIL, tail(stderr)
        if not done:
            return Status.FAIL, "the program ended before its tests finished"
        return Status.FAIL, "the program printed output (the official rule fails any output): " + \
            (tail(stderr or result.stdout) or "")


LANGUAGE = JavaScript()
