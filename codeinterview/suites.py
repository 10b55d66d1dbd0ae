"""The suite loader: --interview specs -> Suites.

A spec is a YAML suite (a folder or file, by path or by name: ./interviews/NAME
wins over the bundled one) or IMPORTER=PATH, a standard benchmark read by
codeinterview.benchmarks. Question parsing lives in .questions, which imports
no loader, so the importers can build questions without an import circle.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from .benchmarks import is_benchmark_spec, load_benchmark
from .errors import UserError
from .paths import find_named, known_names
from .questions import Suite, parse_questions


def resolve_suite_path(name_or_path: str) -> Path:
    path = Path(name_or_path)
    if path.exists():
        return path
    # a suite by name: ./interviews/NAME wins over the bundled suite of that name
    named = find_named("interviews", name_or_path)
    if named is not None:
        return named
    known = ", ".join(known_names("interviews"))
    raise UserError(f"interview '{name_or_path}' not found: not a path, and not a suite in ./interviews/ "
                    f"or the bundled ones (known: {known})")


def load_suite(name_or_path: str) -> Suite:
    path = resolve_suite_path(name_or_path)
    files = sorted(path.glob("*.yaml")) + sorted(path.glob("*.yml")) if path.is_dir() else [path]
    if not files:
        raise UserError(f"{path}: no .yaml files in this interview folder")
    name = path.name if path.is_dir() else path.stem
    suite = Suite(name=name, path=path)
    digest = hashlib.sha256()
    seen: dict[str, str] = {}
    for file in files:
        text = file.read_text(encoding="utf-8")
        digest.update(file.name.encode() + b"\0" + text.encode())
        for question in parse_questions(text, file, name):
            if question.name in seen:
                raise UserError(f"{question.source}: question '{question.name}' is defined twice "
                                f"(also at {seen[question.name]})")
            seen[question.name] = question.source
            suite.questions.append(question)
    suite.hash = digest.hexdigest()[:12]
    return suite


def load_suites(specs: list[str]) -> list[Suite]:
    """Load every suite named in a list of specs (comma lists allowed);
    IMPORTER=PATH imports a standard benchmark (codeinterview.benchmarks)."""
    names = [s.strip() for spec in specs for s in spec.split(",") if s.strip()]
    if not names:
        raise UserError("no interview given: pass --interview NAME (e.g. junior-dev)")
    return [load_benchmark(n) if is_benchmark_spec(n) else load_suite(n) for n in names]
