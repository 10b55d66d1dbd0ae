"""Parametric question generators (issue 17): a generator draws ordinary
questions from a seed and difficulty knobs, so instances are fresh each epoch
and a model is scored by how far up the knobs it climbs.

Each generator is one module here with NAME, VERSION, SIGNATURE, KNOBS,
draw(rng, level) -> Instance, solve(spec, *args) (the Python reference, shipped
as is) and JAVASCRIPT (the same reference in JavaScript); see base.py.
"""

from __future__ import annotations

import importlib

from ..errors import UserError
from .base import Generator

# name -> module (imported when used)
MODULES = {"vm": "vm", "flatten": "flatten", "expr": "expr", "intervals": "intervals", "rewrite": "rewrite",
           "graph": "graph"}


def names() -> list[str]:
    return list(MODULES)


def get(name: str, where: str = "--generate") -> Generator:
    if name not in MODULES:
        raise UserError(f"{where}: unknown generator '{name}'; known: {', '.join(MODULES)} "
                        f"(`prepare.py --generate list` describes them)")
    module: Generator = importlib.import_module(f"{__name__}.{MODULES[name]}")
    return module


def listing() -> list[str]:
    """One line per generator: its name, then its knobs and their ranges."""
    return [f"{name} {' '.join(k.describe() for k in get(name).KNOBS)}" for name in MODULES]
