"""HumanEval fill-in-the-middle, derived from HumanEval itself (`humaneval-fim:SPLIT=PATH`).

Each task hides a span of its canonical solution: the model sees the code
before it (the HumanEval prompt and the solution's lines above) and after it,
and writes the middle. The span is chosen deterministically from the
solution's non-blank lines (n of them, counted in order):

- `single`: one line, the ((n-1)//2)-th (the middle one, the earlier of two);
  every task, 164.
- `multi`: max(2, n//2) consecutive non-blank lines from the (n//4)-th, with
  any blank lines between them; tasks whose solution has one line are left
  out (127 of 164 remain).

The hidden span is whole lines, its final newline included. Graded as
HumanEval: prefix + middle + suffix, then the test program.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import UserError
from ..questions import Suite
from .common import checked_rows, make_suite, program_fields
from .humaneval import FIELDS, check_program, python_args

SPLITS = ("single", "multi")


def hidden_span(solution: str, split: str) -> tuple[int, int] | None:
    """(first, last) line indexes of the span to hide, or None when the split has no task here."""
    lines = solution.splitlines(keepends=True)
    code = [i for i, line in enumerate(lines) if line.strip()]
    n = len(code)
    if split == "single":
        return (code[(n - 1) // 2],) * 2 if n else None
    if n < 2:
        return None
    start = n // 4
    return code[start], code[start + max(2, n // 2) - 1]


def load(path: Path, split: str | None) -> Suite:
    if split not in SPLITS:
        raise UserError(f"humaneval-fim needs a split: {' or '.join(SPLITS)} "
                        f"(e.g. --interview humaneval-fim:single=HumanEval.jsonl.gz)")
    questions = []
    for where, row in checked_rows(path, FIELDS):
        span = hidden_span(row["canonical_solution"], split)
        if span is None:
            continue
        lines = row["canonical_solution"].splitlines(keepends=True)
        prefix = row["prompt"] + "".join(lines[:span[0]])
        middle = "".join(lines[span[0]:span[1] + 1])
        suffix = "".join(lines[span[1] + 1:])
        entry = row["entry_point"]
        fields = program_fields(
            task_id=row["task_id"], language="python", entry_point=entry,
            args=python_args(row["prompt"], entry), prompt=prefix,
            test=check_program(row["test"], entry), reference=prefix + middle + suffix,
            Suffix={"python": suffix}, Middle={"python": middle})
        questions.append((row["task_id"], fields, where))
    return make_suite(f"humaneval-fim-{split}", path, questions)
