"""Grids of difficulty levels: `NAME[:knob=lo..hi[/step],knob=v,...]` parsed
against a generator's knobs, and a grid drawn into a Suite of ordinary questions."""

from __future__ import annotations

import hashlib
import itertools
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from ..errors import UserError
from ..questions import Suite, question_from_fields
from . import get
from .base import Generator, question_fields, rng_for

VALUE_RE = re.compile(r"^(-?\d+)(?:\.\.(-?\d+)(?:/(\d+))?)?$")


@dataclass(frozen=True)
class Grid:
    generator: str
    values: dict[str, tuple[int, ...]]  # knob -> its values, ascending, in the generator's knob order

    def levels(self) -> Iterator[dict[str, int]]:
        for combo in itertools.product(*self.values.values()):
            yield dict(zip(self.values, combo))

    def spec(self) -> str:
        return f"{self.generator}:" + ",".join(f"{k}={'|'.join(map(str, v))}" for k, v in self.values.items())


def parse_grid(text: str, where: str = "--generate") -> Grid:
    """`vm`, `vm:length=4..12/4,depth=2` or `vm:depth=0|2|5` (values listed)."""
    name, _, knobs = text.strip().partition(":")
    gen = get(name, where)
    known = {k.name: k for k in gen.KNOBS}
    values = {k.name: k.default_values() for k in gen.KNOBS}
    for part in filter(None, (p.strip() for p in knobs.split(","))):
        key, _, value = part.partition("=")
        if key not in known:
            raise UserError(f"{where} {text}: {name} has no knob '{key}'; its knobs: {', '.join(known)}")
        values[key] = knob_values(value, known[key].floor, known[key].limit, f"{where} {text}: knob {key}")
    return Grid(name, values)


def knob_values(text: str, floor: int, limit: int, where: str) -> tuple[int, ...]:
    picked: set[int] = set()
    for word in text.split("|"):
        match = VALUE_RE.match(word.strip())
        if not match:
            raise UserError(f"{where}: '{text}' is not a value (N), a range (LO..HI or LO..HI/STEP) "
                            f"or values listed with '|'")
        lo = int(match.group(1))
        hi = int(match.group(2)) if match.group(2) is not None else lo
        step = int(match.group(3) or 1)
        if hi < lo or step < 1:
            raise UserError(f"{where}: the range {word} is empty (write LO..HI with LO <= HI, STEP >= 1)")
        if lo < floor or hi > limit:
            raise UserError(f"{where}: {word} is outside what the generator can draw ({floor}..{limit})")
        picked.update(range(lo, hi + 1, step))
    return tuple(sorted(picked))


def question_name(generator: str, level: dict[str, int], index: int) -> str:
    return "/".join([generator, *(f"{k}={v}" for k, v in level.items()), str(index)])


def generate_question(gen: Generator, level: dict[str, int], seed: int, index: int,
                       epoch: str | None = None) -> dict[str, Any]:
    """One question's fields: byte for byte a function of (generator, version, seed, level, index)."""
    provenance: dict[str, Any] = {"name": gen.NAME, "version": gen.VERSION, "seed": seed,
                                  "knobs": dict(level), "instance": index}
    if epoch:
        provenance["epoch"] = epoch
    instance = gen.draw(rng_for(gen.NAME, gen.VERSION, seed, level, index), level)
    return question_fields(gen, instance, provenance)


def generated_suite(grid: Grid, instances: int, seed: int, epoch: str | None = None) -> Suite:
    """`instances` questions per level of the grid; the suite's hash covers every question's fields."""
    gen = get(grid.generator)
    name = f"{epoch}-{grid.generator}" if epoch else f"gen-{grid.generator}"
    suite = Suite(name=name, path=Path(f"<generated {grid.spec()} seed={seed}>"))
    digest = hashlib.sha256()
    for level in grid.levels():
        for index in range(instances):
            qname = question_name(grid.generator, level, index)
            fields = generate_question(gen, level, seed, index, epoch)
            digest.update(json.dumps([qname, fields], sort_keys=True).encode())
            suite.questions.append(question_from_fields(qname, fields, name, f"{suite.path} {qname}"))
    suite.hash = digest.hexdigest()[:12]
    return suite
