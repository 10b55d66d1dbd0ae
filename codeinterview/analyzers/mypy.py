"""mypy: type errors, in unannotated functions too (--check-untyped-defs): a
misspelt name, a method the type lacks, a possibly-None value used."""

from __future__ import annotations

import json
import sys

from .base import Analyzer, Finding, finding


def parse(stdout: str) -> list[Finding]:
    findings = []
    for line in stdout.splitlines():
        f = json.loads(line)
        if f.get("severity") == "error":  # notes only explain the error before them
            findings.append(finding("mypy", f.get("code") or "error", f["line"], f["column"] + 1, f["message"]))
    return findings


ANALYZER = Analyzer(
    "mypy", "python",
    lambda path: [sys.executable, "-m", "mypy", "--config-file=", "--cache-dir=/dev/null", "--no-error-summary",
                  "--check-untyped-defs", "--ignore-missing-imports", "-O", "json", path],
    parse, needs="mypy", install="pip install 'codeinterview[lint]'")
