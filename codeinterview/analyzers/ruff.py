"""ruff: the rules that predict a crash: syntax errors, undefined names, names
used before assignment, misplaced break/return/yield, `is` against a literal
(E9, F63, F7, F82: flake8's "stop the build" set)."""

from __future__ import annotations

import json
import sys

from .base import Analyzer, Finding, finding

RULES = "E9,F63,F7,F82"


def parse(stdout: str) -> list[Finding]:
    return [finding("ruff", f.get("code") or "syntax", f["location"]["row"], f["location"]["column"],
                    f["message"])
            for f in json.loads(stdout or "[]")]


ANALYZER = Analyzer(
    "ruff", "python",
    lambda path: [sys.executable, "-m", "ruff", "check", "--isolated", "--no-cache", "--output-format", "json",
                  "--select", RULES, path],
    parse, needs="ruff", install="pip install 'codeinterview[lint]'")
