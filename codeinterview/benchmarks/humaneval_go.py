"""HumanEval-X Go (THUDM/CodeGeeX, humaneval-x/go/data/humaneval_go.jsonl.gz).

Official rule (codegeex/benchmark/evaluate_humaneval_x.py and execution.py):
test_setup (`package main` and the test's imports) + the helper packages the
completion uses + the prompt without its `import` block + completion + "\\n"
+ test, written to main_test.go beside a vendored testify and run with
`go test`; the sample passes on exit code 0. The question's Test is
test_setup + test; languages/go.py rebuilds the import block from it.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import UserError
from ..questions import Suite
from .common import checked_rows, make_suite, no_split, program_fields

FIELDS = ("task_id", "prompt", "canonical_solution", "test", "declaration", "test_setup")
FUNC_RE = re.compile(r"^func\s+(\w+)\s*\(([^)]*)\)", re.M)


def parameters(text: str) -> list[str]:
    """Parameter names of a Go parameter list ("a, b int, s []string")."""
    names = []
    for part in text.split(","):
        words = part.split()
        if words:
            names.append(words[0])
    return names


def load(path: Path, split: str | None) -> Suite:
    no_split("humaneval-go", split)
    questions = []
    for where, row in checked_rows(path, FIELDS):
        stubs = FUNC_RE.findall(row["declaration"])
        if not stubs:
            raise UserError(f"{where}: cannot find the function in 'declaration'")
        entry, params = stubs[-1]
        fields = program_fields(
            task_id=row["task_id"], language="go", entry_point=entry, args=parameters(params),
            prompt=row["prompt"], test=row["test_setup"] + "\n" + row["test"],
            reference=row["prompt"] + row["canonical_solution"])
        questions.append((row["task_id"], fields, where))
    return make_suite("humaneval-go", path, questions)
