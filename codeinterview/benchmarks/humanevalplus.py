"""HumanEval+ (evalplus/humanevalplus_release): HumanEvalPlus.jsonl.gz or
HumanEvalPlus-Mini.jsonl.gz.

Official rule (the evalplus package, 0.3.1): expected outputs come from the
canonical solution run on every input; the answer must match each one (exact,
or of the same type and within the tolerance; find_zero by its oracle), each
input within its own time limit (evalplus_check.py). "base" is base_input only
(the HumanEval tests), "plus" is base_input and plus_input. The question's Test program carries the inputs
(compressed) and evalplus_check.py, so one sandbox run grades one answer and
the expected outputs never enter the record.
"""

from __future__ import annotations

import base64
import json
import zlib
from pathlib import Path

from ..errors import UserError
from ..questions import Suite
from .common import checked_rows, make_suite, no_split, program_fields
from .humaneval import python_args

FIELDS = ("task_id", "prompt", "canonical_solution", "entry_point")
CHECKER = (Path(__file__).with_name("evalplus_check.py")).read_text(encoding="utf-8")


def test_program(reference: str, atol: float, base: list, plus: list, entry: str) -> str:
    data = json.dumps({"reference": reference, "atol": atol, "base": base, "plus": plus})
    blob = base64.b64encode(zlib.compress(data.encode(), 9)).decode()
    return f"{CHECKER}\n_ci_evalplus({blob!r}, {entry!r})\n"


def load(path: Path, split: str | None) -> Suite:
    no_split("humanevalplus", split)
    questions = []
    for where, row in checked_rows(path, FIELDS):
        if not isinstance(row.get("base_input"), list) or not isinstance(row.get("plus_input"), list):
            raise UserError(f"{where}: missing base_input/plus_input (is this a HumanEval+ file?)")
        entry, reference = row["entry_point"], row["prompt"] + row["canonical_solution"]
        test = test_program(reference, float(row.get("atol") or 0), row["base_input"], row["plus_input"], entry)
        fields = program_fields(
            task_id=row["task_id"], language="python", entry_point=entry,
            args=python_args(row["prompt"], entry), prompt=row["prompt"], test=test, reference=reference,
            Inputs={"base": len(row["base_input"]), "plus": len(row["plus_input"])})
        questions.append((row["task_id"], fields, where))
    name = "humanevalplus-mini" if "mini" in path.name.lower() else "humanevalplus"
    return make_suite(name, path, questions)
