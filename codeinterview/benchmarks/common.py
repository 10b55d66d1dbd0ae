"""What the importers share: reading dataset files, building program questions."""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path
from typing import Any, Iterator

from ..errors import UserError
from ..questions import Suite, question_from_fields


def read_jsonl(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, object) per line of a .jsonl or .jsonl.gz file."""
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rt", encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    row = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise UserError(f"{path}:{number}: not a JSON object ({exc.msg})") from None
                if not isinstance(row, dict):
                    raise UserError(f"{path}:{number}: expected a JSON object")
                yield number, row
    except (OSError, EOFError, UnicodeDecodeError) as exc:  # e.g. a truncated or non-gzip .gz
        raise UserError(f"{path}: cannot read it as {'gzipped ' if opener is gzip.open else ''}"
                        f"JSON lines ({exc})") from None


def need(row: dict[str, Any], keys: tuple[str, ...], where: str) -> None:
    missing = [k for k in keys if not isinstance(row.get(k), (str, int)) or row.get(k) == ""]
    if missing:
        raise UserError(f"{where}: missing field(s) {', '.join(missing)} (is this the right dataset file?)")


def checked_rows(path: Path, fields: tuple[str, ...]) -> Iterator[tuple[str, dict[str, Any]]]:
    """('file:line', row) per line of a jsonl file, each row holding `fields`."""
    for number, row in read_jsonl(path):
        where = f"{path}:{number}"
        need(row, fields, where)
        yield where, row


def no_split(importer: str, split: str | None) -> None:
    if split:
        raise UserError(f"{importer} has no splits (got ':{split}')")


def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def program_fields(*, task_id: Any, language: str, entry_point: str, args: list[str], prompt: str,
                   test: str, reference: str, **extra: Any) -> dict[str, Any]:
    """The question fields of one program-style question in one language."""
    return {"Kind": "program", "TaskId": task_id, "Signature": f"{entry_point}({', '.join(args)})",
            "Prompt": {language: prompt}, "Test": {language: test},
            "Reference": {language: reference}, **extra}


def parameter_list(signature: str) -> list[str]:
    """The parts of a typed signature's parameter list, `f(vector<int> a, map<string,int> b)`
    -> ["vector<int> a", " map<string,int> b"]: split at the commas outside <...>, (...)
    and [...], up to the list's closing parenthesis."""
    parts, depth, current = [], 0, ""
    for char in signature[signature.index("(") + 1:]:
        if char in "<([":
            depth += 1
        elif char in ">)]":
            if depth == 0 and char == ")":
                break
            depth -= 1
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    return [part for part in parts if part.strip()]


def make_suite(name: str, path: Path, rows: list[tuple[str, dict[str, Any], str]]) -> Suite:
    """rows: (question name, fields, 'file:line'); fields are checked like YAML questions."""
    suite = Suite(name=name, path=path, hash=file_hash(path))
    suite.questions = [question_from_fields(qname, fields, name, where) for qname, fields, where in rows]
    if not suite.questions:
        raise UserError(f"{path}: no problems found")
    return suite
