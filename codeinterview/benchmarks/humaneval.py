"""HumanEval (openai/human-eval, data/HumanEval.jsonl.gz).

Official rule (human_eval/execution.py): run prompt + completion + "\\n" +
test + "\\n" + "check(entry_point)"; the sample passes if nothing raises.
"""

from __future__ import annotations

import ast
import warnings
from pathlib import Path

from ..questions import Suite
from .common import checked_rows, make_suite, no_split, program_fields

FIELDS = ("task_id", "prompt", "canonical_solution", "test", "entry_point")


def python_args(source: str, name: str) -> list[str]:
    """The parameter names of function `name` defined in `source` (a prompt or solution)."""
    try:
        with warnings.catch_warnings():  # old escapes in dataset code are not our concern
            warnings.simplefilter("ignore")
            tree = ast.parse(source)
    except SyntaxError:
        return []
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == name:
            a = node.args
            return [x.arg for x in a.posonlyargs + a.args] + ([f"*{a.vararg.arg}"] if a.vararg else [])
    return []


def check_program(test: str, entry_point: str) -> str:
    return f"{test}\ncheck({entry_point})\n"


def load(path: Path, split: str | None) -> Suite:
    no_split("humaneval", split)
    questions = []
    for where, row in checked_rows(path, FIELDS):
        entry = row["entry_point"]
        fields = program_fields(
            task_id=row["task_id"], language="python", entry_point=entry,
            args=python_args(row["prompt"], entry), prompt=row["prompt"],
            test=check_program(row["test"], entry), reference=row["prompt"] + row["canonical_solution"])
        questions.append((row["task_id"], fields, where))
    return make_suite("humaneval", path, questions)
