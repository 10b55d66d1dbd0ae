"""HumanEval-X C++ (THUDM/CodeGeeX, humaneval-x/cpp/data/humaneval_cpp.jsonl.gz).

Official rule (codegeex/benchmark/evaluate_humaneval_x.py and execution.py):
the standard includes the prompt lacks + prompt + completion + "\\n" + test,
built with `g++ -std=c++11` (-lcrypto -lssl for the MD5 task) and run; the
sample passes on exit code 0 (a failed assert() aborts). The includes and the
renamed test main are added by the language (languages/cpp.py).
"""

from __future__ import annotations

from pathlib import Path

from ..errors import UserError
from ..languages import get
from ..questions import Suite
from .common import checked_rows, make_suite, no_split, parameter_list, program_fields

FIELDS = ("task_id", "prompt", "canonical_solution", "test", "declaration")


def parameters(signature: str) -> list[str]:
    """Parameter names of a C++ signature ("f(vector<int> a, map<string,int> b)")."""
    names = []
    for part in parameter_list(signature):
        words = part.split("=")[0].replace("*", " ").replace("&", " ").split()
        if words:
            names.append(words[-1])
    return names


def load(path: Path, split: str | None) -> Suite:
    no_split("humaneval-cpp", split)
    cpp = get("cpp")
    questions = []
    for where, row in checked_rows(path, FIELDS):
        stubs = list(cpp.definition.finditer(row["declaration"]))
        if not stubs:
            raise UserError(f"{where}: cannot find the function in 'declaration'")
        stub = stubs[-1]
        entry = stub.group(1)
        args = parameters(stub.group(0))
        fields = program_fields(
            task_id=row["task_id"], language="cpp", entry_point=entry, args=args,
            prompt=row["prompt"], test=row["test"], reference=row["prompt"] + row["canonical_solution"])
        questions.append((row["task_id"], fields, where))
    return make_suite("humaneval-cpp", path, questions)
