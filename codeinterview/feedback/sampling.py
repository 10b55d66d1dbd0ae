"""Distinct sampling for the candidates of one question (--search tree).

A greedy model asked the same prompt n times answers n times the same: each
call of an expansion gets its own seed, and when a candidate repeats one
already in the tree the temperature rises a level for the rest of the question
(and another candidate is asked for). Only the keys the answering backend
honours are varied.

A `Sampling` is an override of the run's parameters; the feedback executor
builds one answering executor per distinct override (at most 2n seeds x
levels of them) because backends take their parameters when built.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

RISE = 0.4          # temperature added per level
LEVELS = 3          # levels above the run's own temperature (0.4, 0.8, 1.2 from greedy)


@dataclass(frozen=True)
class Sampling:
    slot: int    # the call's place in its expansion (its seed)
    level: int   # how far the temperature has risen

    def overrides(self, params: dict[str, Any], supported: frozenset[str]) -> dict[str, Any]:
        """The parameters that differ from the run's for this slot and level."""
        out: dict[str, Any] = {}
        if "seed" in supported:
            out["seed"] = int(params.get("seed") or 0) + self.slot
        if self.level and "temperature" in supported:
            out["temperature"] = round(float(params.get("temperature") or 0.0) + RISE * self.level, 3)
        return out


class Sampler:
    """The sampling of each call of one question; the level only ever rises."""

    def __init__(self) -> None:
        self.level = 0

    def at(self, slot: int) -> Sampling:
        return Sampling(slot, self.level)

    def repeated(self) -> None:
        """A candidate repeated an earlier one: sample hotter from now on."""
        self.level = min(LEVELS, self.level + 1)


_TRAILING = re.compile(r"[ \t]+$", re.M)


def identity(code: str | None, answer: str) -> str:
    """What makes two candidates the same: their code (else the answer), with
    trailing spaces and blank lines ignored."""
    text = code if code else answer
    return "\n".join(line for line in _TRAILING.sub("", text).splitlines() if line.strip())
