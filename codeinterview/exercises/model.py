"""An exercise: a question whose answer is whole files, graded by the
language's own test framework (`Kind: exercise`).

Its fields (the YAML schema and what prepare records carry):

    Kind: exercise
    TaskId: python/affine-cipher
    Language: python
    Instructions: Markdown, what the model reads
    Solution:  {path: stub}      the files the model edits (and must give back whole)
    Tests:     {path: text}      the test files: always these, never the answer's
    Support:   {path: text}      read-only helpers the tests need (Go's cases_test.go,
                                 Cargo.toml, go.mod); shown to the model where
                                 `Shown` lists them
    Shown:     [path, ...]       read-only files the prompt shows beside the solution
    Reference: {path: text}      the known solution, for the self-test (its files may
                                 go beyond Solution's where the framework lets an
                                 answer add source files: Java's classes)

Only the Solution paths are ever taken from an answer (files.take_files).
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from typing import Any

from .. import languages
from ..errors import UserError

KIND = "exercise"
REQUIRED = ("Language", "Instructions", "Solution", "Tests")
FILE_MAPS = ("Solution", "Tests", "Support", "Reference")


def check_path(path: Any, where: str) -> str:
    """A relative path inside the exercise folder, or a UserError naming it."""
    text = str(path)
    normal = posixpath.normpath(text)
    if not text or text.startswith("/") or normal != text or normal.split("/")[0] == ".." \
            or "\\" in text or "\0" in text:
        raise UserError(f"{where}: file path {text!r} must be relative, normalised, inside the exercise")
    return text


def check_fields(name: str, fields: dict[str, Any], where: str) -> None:
    """Validate an exercise question's fields (a UserError naming the field)."""
    here = f"{where}: exercise '{name}'"
    missing = [key for key in REQUIRED if key not in fields]
    if missing:
        raise UserError(f"{here} is missing field(s) {', '.join(missing)}")
    if not languages.is_known(str(fields["Language"])):
        raise UserError(f"{here}: Language {fields['Language']!r} is not a known language "
                        f"({', '.join(languages.names())})")
    for key in FILE_MAPS:
        value = fields.get(key)
        if value is None and key not in REQUIRED:
            continue
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            raise UserError(f"{here}: {key} must map file path to its text")
        for path in value:
            check_path(path, f"{here}, {key}")
    if not fields["Solution"] or not fields["Tests"]:
        raise UserError(f"{here}: Solution and Tests each need at least one file")
    taken = set(fields["Solution"])
    clash = taken & (set(fields["Tests"]) | set(fields.get("Support") or {}))
    if clash:
        raise UserError(f"{here}: {sorted(clash)[0]} is both a solution file and a read-only one")
    fixed = set(fields["Tests"]) | set(fields.get("Support") or {})
    clash = set(fields.get("Reference") or {}) & fixed
    if clash:
        raise UserError(f"{here}: Reference has {sorted(clash)[0]}, which is a read-only file")
    shown = fields.get("Shown") or []
    if not isinstance(shown, list) or any(p not in (fields.get("Support") or {}) | fields["Tests"] for p in shown):
        raise UserError(f"{here}: Shown must list Tests or Support files")


@dataclass(frozen=True)
class Exercise:
    """A typed view of an exercise question's fields."""

    task_id: str
    language: str
    instructions: str
    solution: dict[str, str]
    tests: dict[str, str]
    support: dict[str, str]
    shown: tuple[str, ...]
    reference: dict[str, str]

    @classmethod
    def of(cls, fields: dict[str, Any]) -> "Exercise":
        return cls(task_id=str(fields.get("TaskId") or ""),
                   language=languages.get(str(fields["Language"])).name,
                   instructions=str(fields["Instructions"]), solution=dict(fields["Solution"]),
                   tests=dict(fields["Tests"]), support=dict(fields.get("Support") or {}),
                   shown=tuple(fields.get("Shown") or ()), reference=dict(fields.get("Reference") or {}))

    @property
    def solution_paths(self) -> list[str]:
        return list(self.solution)

    def workspace(self, answer_files: dict[str, str]) -> dict[str, str]:
        """Every file of a test run: the answer's files (a stub for each solution
        file it gave none of), then the support files and the pristine tests,
        last, so that nothing of the answer's replaces them."""
        files = {path: answer_files.get(path, stub) for path, stub in self.solution.items()}
        files.update({path: text for path, text in answer_files.items() if path not in files})
        files.update(self.support)
        files.update(self.tests)
        return files
