"""HumanEval-X Java (THUDM/CodeGeeX, humaneval-x/java/data/humaneval_java.jsonl.gz).

Official rule (codegeex/benchmark/execution.py): prompt + completion + test
in Main.java; `javac`, then `java -cp . Main` (upstream left that line
commented out; we run it); a pass exits 0, and the tests throw AssertionError
on a wrong value. The prompt holds the imports and `class Solution` up to the
method's open signature; the canonical solution closes method and class.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import UserError
from ..languages.java import METHOD
from ..questions import Suite
from .common import checked_rows, make_suite, no_split, parameter_list, program_fields

FIELDS = ("task_id", "prompt", "canonical_solution", "test", "declaration")


def parameters(signature: str) -> list[str]:
    """The parameter names of a Java method signature's `(...)`."""
    return [part.split()[-1] for part in parameter_list(signature)]


def load(path: Path, split: str | None) -> Suite:
    no_split("humaneval-java", split)
    questions = []
    for where, row in checked_rows(path, FIELDS):
        methods = list(METHOD.finditer(row["declaration"]))
        if not methods:
            raise UserError(f"{where}: cannot find the method in 'declaration'")
        last = methods[-1]
        fields = program_fields(
            task_id=row["task_id"], language="java", entry_point=last.group(1),
            args=parameters(last.group(0)), prompt=row["prompt"], test=row["test"],
            reference=row["prompt"] + row["canonical_solution"])
        questions.append((row["task_id"], fields, where))
    return make_suite("humaneval-java", path, questions)
