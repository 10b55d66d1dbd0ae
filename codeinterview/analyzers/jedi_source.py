"""What the jedi analyzers (signature, hallucination) share: the answer parsed
once by Python's ast (to find calls, imports and attributes) and read by
jedi (to resolve them against the real standard library and installed
packages: typeshed's stubs, the packages' own sources). Each analyzer runs
in a process of its own (python -m codeinterview.analyzers NAME FILE, which
prints its findings as JSON), so that jedi's caches and any slow inference
stay out of the harness and under its timeout. Nothing here runs the answer.
"""

from __future__ import annotations

import ast
import difflib
import json
import pkgutil
import sys
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, Callable

from .base import Finding


@dataclass
class Source:
    code: str
    path: Path

    @cached_property
    def tree(self) -> ast.Module | None:
        try:
            return ast.parse(self.code)
        except (SyntaxError, ValueError):  # ruff (and the sandbox) report syntax
            return None

    @cached_property
    def script(self) -> Any:
        return _script(self.code, self.path)

    @cached_property
    def lines(self) -> list[str]:
        return self.code.splitlines()

    def column(self, line: int, byte_offset: int) -> int:
        """ast's columns count UTF-8 bytes; jedi's count characters."""
        text = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
        return len(text.encode("utf-8")[:byte_offset].decode("utf-8", errors="ignore"))

    def end(self, node: ast.AST) -> tuple[int, int]:
        """The (line, character column) just after `node`, where jedi resolves it."""
        line = node.end_lineno or node.lineno  # type: ignore[attr-defined]
        return line, self.column(line, node.end_col_offset or 0)  # type: ignore[attr-defined]

    def infer(self, line: int, column: int) -> list[Any]:
        try:
            return self.script.infer(line, column)
        except ValueError:  # a position jedi's own line split disagrees on (form feeds and the like)
            return []

    def names_at(self, line: int, column: int) -> list[str]:
        """What jedi would complete at this spot (after a dot: the object's attributes)."""
        try:
            return [c.name for c in self.script.complete(line, column)]
        except ValueError:
            return []

    @staticmethod
    def module_names(module: Any) -> list[str]:
        """The names a module defines, and its submodules when it is a package (listed from
        its folder, nothing imported). Not jedi's completion inside the answer's import
        statements: that takes seconds for `from os import`, and upsets jedi's later answers
        on the same script (jedi 0.20: `os.path.` then completed to nothing)."""
        names = [n.name for n in module.defined_names()]
        path = module.module_path
        if path is not None and Path(path).name.startswith("__init__."):
            names += [m.name for m in pkgutil.iter_modules([str(Path(path).parent)])]
        return names

    def external(self, definition: Any) -> bool:
        """Defined outside the answer: the standard library or an installed package."""
        path = definition.module_path
        return definition.in_builtin_module() or (path is not None and Path(path) != self.path)


def _script(code: str, path: Path) -> Any:
    import jedi  # the analyzers' own process only

    # this process is the scratch interpreter: jedi needs no subprocess of its own
    # to inspect compiled modules (a few tenths of a second less per answer)
    return jedi.Script(code, path=str(path), environment=jedi.InterpreterEnvironment())


def stdlib(definition: Any) -> bool:
    top = (definition.module_name or "").split(".")[0]
    return top == "builtins" or top in sys.stdlib_module_names


def closest(name: str, names: list[str]) -> list[str]:
    """The real names nearest a wrong one (private ones only for a private name)."""
    public = sorted({n for n in names if n != name and (name.startswith("_") or not n.startswith("_"))})
    return difflib.get_close_matches(name, public, n=3, cutoff=0.6)


def did_you_mean(names: list[str]) -> str:
    """` (did you mean 'a', 'b' or 'c'?)`, or nothing."""
    if not names:
        return ""
    quoted = [f"'{n}'" for n in names]
    return f" (did you mean {' or '.join(filter(None, (', '.join(quoted[:-1]), quoted[-1])))}?)"


def report(findings: Callable[[Source], list[Finding]], path: Path) -> str:
    """The analyzer's report on one file, as its process prints it (JSON)."""
    source = Source(path.read_text(encoding="utf-8"), path.resolve())
    return json.dumps(findings(source) if source.tree is not None else [])


def command(name: str) -> Callable[[str], list[str]]:
    """The analyzer's own process (codeinterview/analyzers/__main__.py)."""
    return lambda path: [sys.executable, "-m", "codeinterview.analyzers", name, path]


def parse(stdout: str) -> list[Finding]:
    return json.loads(stdout)
