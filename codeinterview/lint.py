"""Static analysis of an answer's code, for the feedback loop (--lint).

The analyzers read the code as text and never run it, so they run on the
host; the answer itself runs only in the sandbox. Each analyzer applies to
one language and is skipped for the others. JavaScript needs none here: the
sandbox loads every answer with node's own parser, the one `node --check`
uses, so a syntax error already comes back with its line.

    ruff   the rules that predict a crash: syntax errors, undefined names,
           names used before assignment, misplaced break/return/yield, `is`
           against a literal (E9, F63, F7, F82: flake8's "stop the build" set)
    mypy   type errors, in unannotated functions too (--check-untyped-defs):
           a misspelt name, a method the type lacks, a possibly-None value used
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path
from typing import Any, Callable

from .errors import UserError

log = logging.getLogger(__name__)

RUFF_RULES = "E9,F63,F7,F82"
TIMEOUT_S = 60
MAX_FINDINGS = 10


@dataclass(frozen=True)
class Linter:
    language: str
    module: str                                   # the PyPI package's module, run as python -m
    args: list[str]                               # its arguments, before the file's name
    parse: Callable[[str], list[dict[str, Any]]]  # stdout -> findings


def _ruff_findings(stdout: str) -> list[dict[str, Any]]:
    return [{"tool": "ruff", "code": f.get("code") or "syntax", "line": f["location"]["row"],
             "column": f["location"]["column"], "message": f["message"]}
            for f in json.loads(stdout or "[]")]


def _mypy_findings(stdout: str) -> list[dict[str, Any]]:
    findings = []
    for line in stdout.splitlines():
        f = json.loads(line)
        if f.get("severity") == "error":  # notes only explain the error before them
            findings.append({"tool": "mypy", "code": f.get("code") or "error", "line": f["line"],
                             "column": f["column"] + 1, "message": f["message"]})
    return findings


LINTERS = {
    "ruff": Linter("python", "ruff", ["check", "--isolated", "--no-cache", "--output-format", "json",
                                      "--select", RUFF_RULES], _ruff_findings),
    "mypy": Linter("python", "mypy", ["--config-file=", "--cache-dir=/dev/null", "--no-error-summary",
                                      "--check-untyped-defs", "--ignore-missing-imports", "-O", "json"],
                   _mypy_findings),
}


def parse_linters(spec: str | list[str] | None) -> list[str]:
    """`ruff,mypy` (or a list) -> the names, checked to exist and to be installed."""
    names = spec.split(",") if isinstance(spec, str) else list(spec or [])
    names = [n.strip() for n in names if n.strip()]
    for name in names:
        if name not in LINTERS:
            raise UserError(f"--lint {name}: unknown analyzer; choose from {', '.join(LINTERS)}")
        if find_spec(LINTERS[name].module) is None:
            raise UserError(f"--lint {name}: {LINTERS[name].module} is not installed; "
                            "install it with: pip install 'codeinterview[lint]'")
    return names


def lint(names: list[str], code: str | None, language: str, preamble: str = "") -> list[dict[str, Any]]:
    """Findings of the named analyzers that apply to `language`, first by line.

    `preamble` is what runs before the code (a benchmark's prompt, with its
    imports): analyzed with it, so that names it defines are not reported,
    while findings in it are dropped and lines count from the code's first."""
    if not code:
        return []
    shift = preamble.count("\n")
    findings: list[dict[str, Any]] = []
    for name in names:
        linter = LINTERS[name]
        if linter.language == language:
            findings += [{**f, "line": f["line"] - shift} for f in _run(name, linter, preamble + code)
                         if f["line"] > shift]
    findings.sort(key=lambda f: (f["line"], f["column"]))
    return findings[:MAX_FINDINGS]


def _run(name: str, linter: Linter, code: str) -> list[dict[str, Any]]:
    """One analyzer on one answer; its own failure is logged, never blamed on the answer."""
    with tempfile.TemporaryDirectory(prefix="codeinterview-lint-") as cwd:  # no project config leaks in
        Path(cwd, "answer.py").write_text(code, encoding="utf-8")
        try:
            done = subprocess.run([sys.executable, "-m", linter.module, *linter.args, "answer.py"],
                                  capture_output=True, text=True, cwd=cwd, timeout=TIMEOUT_S)
        except (subprocess.TimeoutExpired, OSError) as exc:
            log.warning("--lint %s failed on an answer: %s", name, exc)
            return []
    try:
        return linter.parse(done.stdout)
    except (json.JSONDecodeError, KeyError, TypeError):
        log.warning("--lint %s gave no readable report (exit %d): %s", name, done.returncode,
                    done.stderr.strip()[:300])
        return []
