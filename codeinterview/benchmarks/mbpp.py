"""MBPP (google-research/google-research, mbpp/): mbpp.jsonl (974) and
sanitized-mbpp.json (427).

Upstream ships no evaluator; the standard rule runs the code, then
test_setup_code (or test_imports), then every assert in test_list; the
problem passes if none fails. Splits by task_id, per the upstream README.
"""

from __future__ import annotations

import ast
import json
import warnings
from pathlib import Path
from typing import Any

from ..errors import UserError
from ..questions import Suite
from .common import checked_rows, make_suite, need, program_fields
from .humaneval import python_args

SPLITS = {"test": range(11, 511), "prompt": range(1, 11), "validation": range(511, 601),
          "train": range(601, 975), "all": None}


def entry_point(code: str, tests: list[str], where: str) -> str:
    """The function the tests call: the first called name the solution defines."""
    try:
        with warnings.catch_warnings():  # old escapes in dataset code are not our concern
            warnings.simplefilter("ignore")
            defined = {n.name for n in ast.parse(code).body
                       if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}
            calls = [node.func.id for test in tests for node in ast.walk(ast.parse(test))
                     if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)]
        for name in calls:
            if name in defined:
                return name
    except SyntaxError as exc:
        raise UserError(f"{where}: code or test does not parse ({exc.msg})") from None
    raise UserError(f"{where}: no function of the solution is called by test_list")


def prompt_for(text: str, first_test: str) -> str:
    # The task and one example assert as a docstring the model continues (as EvalPlus's MBPP+ does).
    return f'"""\n{text.strip()}\n{first_test.strip()}\n"""\n'


def question(row: dict[str, Any], text: str, setup: str, where: str, suite: str):
    tests = list(row["test_list"])
    code = row["code"].replace("\r\n", "\n")
    entry = entry_point(code, tests, where)
    fields = program_fields(
        task_id=row["task_id"], language="python", entry_point=entry, args=python_args(code, entry),
        prompt=prompt_for(text, tests[0]), test=(setup.strip() + "\n" if setup.strip() else "")
        + "\n".join(tests) + "\n", reference=code, Description=text)
    return f"{suite}/{row['task_id']}", fields, where


def split_range(split: str | None):
    split = split or "test"
    if split not in SPLITS:
        raise UserError(f"mbpp: unknown split '{split}'; choose from {', '.join(SPLITS)}")
    return split, SPLITS[split]


def suite_name(base: str, split: str) -> str:
    return base if split == "test" else f"{base}-{split}"


def keep(row: dict[str, Any], ids, where: str) -> bool:
    if not isinstance(row.get("test_list"), list) or not row["test_list"]:
        raise UserError(f"{where}: missing field test_list (is this the right dataset file?)")
    return ids is None or row["task_id"] in ids


def load_full(path: Path, split: str | None) -> Suite:
    split, ids = split_range(split)
    name = suite_name("mbpp", split)
    rows = []
    for where, row in checked_rows(path, ("task_id", "text", "code")):
        if keep(row, ids, where):
            rows.append(question(row, row["text"], row.get("test_setup_code") or "", where, name))
    return make_suite(name, path, rows)


def load_sanitized(path: Path, split: str | None) -> Suite:
    split, ids = split_range(split)
    name = suite_name("mbpp-sanitized", split)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        line = getattr(exc, "lineno", "?")
        raise UserError(f"{path}:{line}: not valid JSON ({exc})") from None
    if not isinstance(data, list):
        raise UserError(f"{path}: expected a JSON array of problems (sanitized-mbpp.json)")
    rows = []
    for index, row in enumerate(data):
        where = f"{path}: problem #{index}"
        if not isinstance(row, dict):
            raise UserError(f"{where}: expected a JSON object")
        need(row, ("task_id", "prompt", "code"), where)
        if keep(row, ids, where):
            setup = "\n".join(row.get("test_imports") or [])
            rows.append(question(row, row["prompt"], setup, where, name))
    return make_suite(name, path, rows)
