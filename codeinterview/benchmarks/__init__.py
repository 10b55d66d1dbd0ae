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

from ..errors import UserError
from ..questions import Suite
from . import (humaneval, humaneval_cpp, humaneval_fim, humaneval_go, humaneval_java, humaneval_js,
               humaneval_rust, humanevalplus, mbpp)

# importer name -> loader(path, split or None) -> Suite of program questions
IMPORTERS = {
    "humaneval": humaneval.load,
    "humaneval-fim": humaneval_fim.load,
    "humanevalplus": humanevalplus.load,
    "humaneval-js": humaneval_js.load,
    "humaneval-cpp": humaneval_cpp.load,
    "humaneval-go": humaneval_go.load,
    "humaneval-java": humaneval_java.load,
    "humaneval-rust": humaneval_rust.load,
    "mbpp": mbpp.load_full,
    "mbpp-sanitized": mbpp.load_sanitized,
}
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
    if not path.is_file():
        raise UserError(f"--interview {spec}: {path}: no such dataset file")
    return IMPORTERS[name](path, split)
