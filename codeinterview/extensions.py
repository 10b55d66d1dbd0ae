"""Every extension point and where its registry lives (README, "Adding a ...").

Each is a `codeinterview.registry.Registry` in the named module; adding an
extension is one module plus one `.add(...)` line there.
"""

from __future__ import annotations

import importlib

from .registry import Registry

# kind -> "module:attribute" of its registry
REGISTRIES: dict[str, str] = {
    "language": "codeinterview.languages:LANGUAGES",
    "executor": "codeinterview.executors:EXECUTORS",
    "importer": "codeinterview.benchmarks:IMPORTERS",
    "generator": "codeinterview.generators:GENERATORS",
    "analyzer": "codeinterview.analyzers:ANALYZERS",
    "sandbox backend": "codeinterview.sandbox:BACKENDS",
    "scoring": "codeinterview.grading.scoring:SCORINGS",
    "test framework": "codeinterview.exercises.frameworks:FRAMEWORKS",
}


def registry(kind: str) -> Registry:
    module, _, attribute = REGISTRIES[kind].partition(":")
    return getattr(importlib.import_module(module), attribute)
