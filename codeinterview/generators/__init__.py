"""Parametric question generators (issue 17): a generator draws ordinary
questions from a seed and difficulty knobs, so instances are fresh each epoch
and a model is scored by how far up the knobs it climbs.

Each generator is one module here, registered by one `GENERATORS.add` line below, with NAME, VERSION, SIGNATURE, KNOBS,
draw(rng, level) -> Instance, solve(spec, *args) (the Python reference, shipped
as is) and JAVASCRIPT (the same reference in JavaScript); see base.py.
"""

from __future__ import annotations

from ..errors import UserError
from ..registry import Registry
from .base import Generator

# name -> its module (imported when used)
GENERATORS: Registry[Generator] = Registry("generator", __name__)
GENERATORS.add("vm", ".vm")
GENERATORS.add("flatten", ".flatten")
GENERATORS.add("expr", ".expr")
GENERATORS.add("intervals", ".intervals")
GENERATORS.add("rewrite", ".rewrite")
GENERATORS.add("graph", ".graph")


def names() -> list[str]:
    return GENERATORS.names()


def get(name: str, where: str = "--generate") -> Generator:
    if name not in GENERATORS:
        raise UserError(f"{where}: unknown generator '{name}'; known: {', '.join(GENERATORS)} "
                        f"(`prepare.py --generate list` describes them)")
    return GENERATORS.get(name)


def listing() -> list[str]:
    """One line per generator: its name, then its knobs and their ranges."""
    return [f"{name} {' '.join(k.describe() for k in get(name).KNOBS)}" for name in GENERATORS]
