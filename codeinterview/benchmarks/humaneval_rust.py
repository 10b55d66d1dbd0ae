"""HumanEval-X Rust (THUDM/CodeGeeX, humaneval-x/rust/data/humaneval_rust.jsonl.gz).

Official rule (codegeex/benchmark/evaluate_humaneval_x.py, execution.py):
`fn main(){}` + declaration + prompt + completion + test as a cargo binary
depending on rand, regex and md5; `cargo check`, then `cargo test`; a pass
compiles and every test passes. The dataset's `prompt` is only the doc
comment and its `declaration` the `use` lines and the open signature, so the
question's Prompt is the comment then the declaration: the same program
(a comment's place changes nothing) and a prompt a model can continue.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import UserError
from ..languages.rust import FN
from ..questions import Suite
from .common import checked_rows, make_suite, no_split, parameter_list, program_fields

FIELDS = ("task_id", "prompt", "canonical_solution", "test", "declaration")


def parameters(signature: str) -> list[str]:
    """The parameter names of a Rust fn's `(name: Type, ...)`."""
    return [n.split(":")[0].replace("mut ", "").strip() for n in parameter_list(signature) if ":" in n]


def load(path: Path, split: str | None) -> Suite:
    no_split("humaneval-rust", split)
    questions = []
    for where, row in checked_rows(path, FIELDS):
        functions = list(FN.finditer(row["declaration"]))
        if not functions:
            raise UserError(f"{where}: cannot find the function in 'declaration'")
        last = functions[-1]
        prompt = row["prompt"] + row["declaration"]
        fields = program_fields(
            task_id=row["task_id"], language="rust", entry_point=last.group(1),
            args=parameters(row["declaration"][last.start():]), prompt=prompt, test=row["test"],
            reference=prompt + row["canonical_solution"])
        questions.append((row["task_id"], fields, where))
    return make_suite("humaneval-rust", path, questions)
