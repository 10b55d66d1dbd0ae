"""eslint: undefined names in JavaScript answers (its no-undef rule, alone),
less the names the answer makes global by assigning them (`s = 1` without
a declaration: legal in a script, and reading them afterwards works).

The globals allowed are those of the host's node (read once from node
itself) plus CommonJS's (require, module, exports: what the sandbox's runner
gives an answer). An answer with `import`/`export` statements is read as an
ES module (the runner strips `export`). A parse error is no finding: node's
own parser, in the sandbox, reports syntax, and eslint may lag behind it.

Needs eslint on PATH (Debian: apt-get install eslint). Debian's eslint finds
its modules through node's global folders, which a node not built by Debian
does not search: NODE_PATH names them.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from functools import cache

from .base import Analyzer, Finding, finding

NAME = "eslint"
DEBIAN_MODULES = "/usr/share/nodejs:/usr/lib/nodejs"
ECMA_VERSION = "2022"  # the newest Debian's eslint (espree) parses
_MODULE_SYNTAX = re.compile(r"^\s*(import|export)\b", re.MULTILINE)


@cache
def node_globals() -> tuple[str, ...]:
    """The global names of the host's node (a script of our own that lists them)."""
    try:
        done = subprocess.run(["node"], input="console.log(JSON.stringify(Object.getOwnPropertyNames(globalThis)))",
                              capture_output=True, text=True, timeout=30)
        return tuple(json.loads(done.stdout))
    except (OSError, subprocess.TimeoutExpired, json.JSONDecodeError):
        return ()


def command(path: str) -> list[str]:
    with open(path, encoding="utf-8") as handle:
        module = bool(_MODULE_SYNTAX.search(handle.read()))
    return ["eslint", "--no-eslintrc", "--no-ignore", "--format", "json", "--env", "node,es2020",
            "--parser-options", f"ecmaVersion:{ECMA_VERSION}",
            "--parser-options", f"sourceType:{'module' if module else 'script'}",
            "--rule", "no-undef:error", *(["--global", ",".join(node_globals())] if node_globals() else []), path]


def parse(stdout: str) -> list[Finding]:
    findings = []
    for report in json.loads(stdout):
        lines = (report.get("source") or "").splitlines()
        undefined = [m for m in report["messages"] if m.get("ruleId") == "no-undef"]  # not a parse error
        # A plain assignment to an undeclared name makes a global in a script (which is how
        # the sandbox runs answers), and later reads of it work: such names are not reported.
        made = {_name(m) for m in undefined if _assigned(lines, m)}
        findings += [finding(NAME, m["ruleId"], m["line"], m["column"], m["message"])
                     for m in undefined if _name(m) not in made]
    return findings


def _name(message: dict) -> str:
    found = re.match(r"'(.+)' is not defined", message["message"])
    return found.group(1) if found else ""


def _assigned(lines: list[str], message: dict) -> bool:
    """Whether this occurrence of the name is the target of `name = ...` or `for (name in/of ...)`."""
    text = lines[message["line"] - 1] if 0 < message["line"] <= len(lines) else ""
    start = message["column"] - 1
    before, after = text[:start], text[start + len(_name(message)):]
    return bool(re.match(r"\s*=(?!=)", after)
                or (re.search(r"for\s*\(\s*$", before) and re.match(r"\s+(in|of)\b", after)))


def env() -> dict[str, str]:
    return {"NODE_PATH": ":".join(filter(None, (os.environ.get("NODE_PATH"), DEBIAN_MODULES)))}


ANALYZER = Analyzer(NAME, "javascript", command, parse, needs="eslint", program=True,
                    install="apt-get install eslint (Debian's package)", suffix=".js", env=env)
