"""Standard benchmarks as suites: `--interview NAME[:SPLIT]=PATH`.

Each importer reads the user's own copy of a dataset file (never bundled) and
returns a Suite of program-style questions (`Kind: program`): the prompt the
model continues, a test program per language and the canonical solution as
the Reference. Grading is in .program; it judges each program the way the
dataset's own evaluator does.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Callable

from ..errors import UserError
from ..questions import Suite
from ..registry import Registry

# importer name -> loader(path, split or None) -> Suite of program questions
IMPORTERS: Registry[Callable[[Path, str | None], Suite]] = Registry("importer", __name__)
IMPORTERS.add("humaneval", ".humaneval:load")
IMPORTERS.add("humaneval-fim", ".humaneval_fim:load")
IMPORTERS.add("humanevalplus", ".humanevalplus:load")
IMPORTERS.add("humaneval-js", ".humaneval_js:load")
IMPORTERS.add("humaneval-cpp", ".humaneval_cpp:load")
IMPORTERS.add("humaneval-go", ".humaneval_go:load")
IMPORTERS.add("humaneval-java", ".humaneval_java:load")
IMPORTERS.add("humaneval-rust", ".humaneval_rust:load")
IMPORTERS.add("mbpp", ".mbpp:load_full")
IMPORTERS.add("mbpp-sanitized", ".mbpp:load_sanitized")
IMPORTERS.add("aider-polyglot", ".aider_polyglot:load")
SPEC_RE = re.compile(r"^([a-z][a-z0-9-]*)(?::([a-z]+))?=(.+)$")


def is_benchmark_spec(spec: str) -> bool:
    return SPEC_RE.match(spec) is not None


def load_benchmark(spec: str) -> Suite:
    match = SPEC_RE.match(spec)
    if match is None:
        raise UserError(f"--interview {spec}: expected NAME=PATH (e.g. humaneval=HumanEval.jsonl.gz)")
    name, split, path = match.group(1), match.group(2), Path(match.group(3))
    if name not in IMPORTERS:
        raise UserError(f"--interview {spec}: unknown importer '{name}'; known: {', '.join(IMPORTERS)}")
    if not path.exists():
        raise UserError(f"--interview {spec}: {path}: no such dataset file or folder")
    return IMPORTERS.get(name)(path, split)
