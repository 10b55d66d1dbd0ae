"""HumanEval-X JavaScript (THUDM/CodeGeeX, humaneval-x/js/data/humaneval_js.jsonl.gz).

Official rule (codegeex/benchmark/execution.py): `node` runs prompt +
completion + "\\n" + test; the sample passes only if stdout and stderr are both
empty. A failed console.assert only prints, so the exit code proves nothing.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import UserError
from ..questions import Suite
from .common import checked_rows, make_suite, no_split, program_fields

FIELDS = ("task_id", "prompt", "canonical_solution", "test", "declaration")
DECLARATION_RE = re.compile(r"(?:const|let|var)\s+([\w$]+)\s*=\s*(?:async\s*)?\(([^)]*)\)\s*=>"
                            r"|function\s*\*?\s*([\w$]+)\s*\(([^)]*)\)")


def load(path: Path, split: str | None) -> Suite:
    no_split("humaneval-js", split)
    questions = []
    for where, row in checked_rows(path, FIELDS):
        match = DECLARATION_RE.search(row["declaration"])
        if not match:
            raise UserError(f"{where}: cannot find the function in 'declaration'")
        entry = match.group(1) or match.group(3)
        args = [a.strip() for a in (match.group(2) or match.group(4) or "").split(",") if a.strip()]
        fields = program_fields(
            task_id=row["task_id"], language="javascript", entry_point=entry, args=args,
            prompt=row["prompt"], test=row["test"], reference=row["prompt"] + row["canonical_solution"])
        questions.append((row["task_id"], fields, where))
    return make_suite("humaneval-js", path, questions)
