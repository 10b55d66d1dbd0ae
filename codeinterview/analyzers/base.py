"""What an analyzer is, and how one runs on one answer.

Every analyzer is a command run on the host in a scratch folder, on the
answer written to a file: it reads the code as text and never runs it (the
answer itself runs only in the sandbox). Its own failure (a crash, a
timeout, a report it cannot give) is logged, never blamed on the answer.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path
from typing import Callable, TypedDict

log = logging.getLogger(__name__)

TIMEOUT_S = 60


class Finding(TypedDict):
    """One finding, as records keep it and feedback templates show it."""

    tool: str      # the analyzer's --lint name
    code: str      # its rule or kind, e.g. F821, unexpected-keyword
    line: int      # 1-based, in the answer's code
    column: int    # 1-based
    message: str


@dataclass(frozen=True)
class Analyzer:
    name: str
    language: str
    command: Callable[[str], list[str]]        # the answer file's path -> the command line
    parse: Callable[[str], list[Finding]]      # its stdout -> findings
    needs: str                                 # what must be installed: a Python module, or a program on PATH
    install: str                               # how to install it, for the error when it is missing
    suffix: str = ".py"                        # the answer file's suffix
    program: bool = False                      # `needs` is a program, not a Python module
    env: Callable[[], dict[str, str]] | None = None  # variables the command needs beside the host's

    def installed(self) -> bool:
        return shutil.which(self.needs) is not None if self.program else find_spec(self.needs) is not None

    def run(self, code: str) -> list[Finding]:
        with tempfile.TemporaryDirectory(prefix="codeinterview-lint-") as cwd:  # no project config leaks in
            path = Path(cwd, "answer" + self.suffix)
            path.write_text(code, encoding="utf-8")
            env = {**os.environ, **self.env()} if self.env else None
            try:
                done = subprocess.run(self.command(str(path)), capture_output=True, text=True, cwd=cwd,
                                      timeout=TIMEOUT_S, env=env)
            except (subprocess.TimeoutExpired, OSError) as exc:
                log.warning("--lint %s failed on an answer: %s", self.name, exc)
                return []
        try:
            return self.parse(done.stdout)
        except (json.JSONDecodeError, KeyError, TypeError, ValueError):
            log.warning("--lint %s gave no readable report (exit %d): %s", self.name, done.returncode,
                        done.stderr.strip()[:300])
            return []


def finding(tool: str, code: str, line: int, column: int, message: str) -> Finding:
    return {"tool": tool, "code": code, "line": line, "column": column, "message": message}
