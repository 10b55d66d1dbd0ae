"""N-way comparison: which questions separate the compared groups (models,
quantisations, prompts), with the checks that differ, and a paired test per
suite for every pair of groups (no I/O).

A group is one or more eval files. Per group and question (suite, name,
language) a Outcome keeps sums only: answers, answers fully passed, checks
passed and graded, and per check how many answers passed it, so memory grows
with groups x questions x checks, never with the records or samples.

A question separates the groups when the share of answers that passed every
check, or the share that passed some check, is not the same in every group
that answered it. Sandbox errors were never graded and count nowhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from itertools import combinations
from typing import Any

from . import stats
from .tally import ERROR, PASS, reference_metrics

Question = tuple[str, Any, Any]  # (suite, name, language)
ALL = "all suites"


@dataclass(slots=True)
class Outcome:
    answers: int = 0
    passes: int = 0
    passed: float = 0
    total: float = 0
    checks: dict[str, int] = field(default_factory=dict)  # check name -> answers that passed it

    def add(self, record: dict[str, Any]) -> None:
        self.answers += 1
        self.passes += record.get("status") == PASS
        self.passed += record.get("passed") or 0
        self.total += record.get("total") or 0
        for check in record.get("checks") or []:
            name = str(check.get("name") or "")
            self.checks[name] = self.checks.get(name, 0) + bool(check.get("passed"))

    def share(self, check: str | None = None) -> Fraction:
        """Answers that passed every check (None) or the named one, out of answers."""
        return Fraction(self.passes if check is None else self.checks.get(check, 0), self.answers)

    def text(self, check: str | None = None) -> str:
        count = self.passes if check is None else self.checks.get(check, 0)
        if check is not None:
            return f"{count}/{self.answers}"
        word = "pass" if count == self.answers else "fail" if count == 0 else "mixed"
        return f"{word} {count}/{self.answers} ({_number(self.passed)}/{_number(self.total)} checks)"


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.2f}".rstrip("0").rstrip(".")


@dataclass(frozen=True, slots=True)
class Separating:
    question: Question
    outcomes: list[Outcome | None]   # per group; None: the group did not answer it (or only sandbox errors)
    checks: list[str]                # the checks whose pass share differs


@dataclass(frozen=True, slots=True)
class PairTest:
    suite: str
    a: int
    b: int
    result: stats.Paired


class Separation:
    """Offered every record of every group as they stream past."""

    def __init__(self, titles: list[str]) -> None:
        self.titles = titles
        self.outcomes: dict[Question, list[Outcome | None]] = {}
        self.metrics: list[dict[str, list[float]]] = [{} for _ in titles]  # per group: metric -> [sum, n]

    def add(self, group: int, record: dict[str, Any]) -> None:
        if record.get("status") == ERROR:
            return
        key = (record.get("suite") or "?", record.get("name"), record.get("language"))
        per_group = self.outcomes.setdefault(key, [None] * len(self.titles))
        outcome = per_group[group] = per_group[group] or Outcome()
        outcome.add(record)
        for name, value in reference_metrics(record).items():
            entry = self.metrics[group].setdefault(name, [0.0, 0])
            entry[0] += value
            entry[1] += 1

    def separating(self) -> list[Separating]:
        """The questions two or more groups answered whose results differ, in key order."""
        out = []
        for key in sorted(self.outcomes, key=lambda k: tuple(map(str, k))):
            answered = [o for o in self.outcomes[key] if o is not None]
            if len(answered) < 2:
                continue
            names = sorted({name for o in answered for name in o.checks})
            checks = [n for n in names if len({o.share(n) for o in answered}) > 1]
            if checks or len({o.share() for o in answered}) > 1:
                out.append(Separating(key, self.outcomes[key], checks))
        return out

    def answered(self, group: int) -> int:
        return sum(outcomes[group] is not None for outcomes in self.outcomes.values())

    def score(self, group: int) -> float | None:
        mine = [o for outcomes in self.outcomes.values() if (o := outcomes[group]) is not None]
        total = sum(o.total for o in mine)
        return sum(o.passed for o in mine) / total if total else None

    def suites(self) -> list[str]:
        return sorted({key[0] for key in self.outcomes})

    def tests(self) -> list[PairTest]:
        """Every pair of groups, on each suite and on all: the paired bootstrap
        over the questions both answered (their languages one cluster)."""
        out = []
        for suite in [ALL] + self.suites():
            for a, b in combinations(range(len(self.titles)), 2):
                units = [((key[0], key[1]), oa.passed, oa.total, ob.passed, ob.total)
                         for key, o in self.outcomes.items() if suite in (ALL, key[0])
                         for oa, ob in [(o[a], o[b])] if oa is not None and ob is not None]
                result = stats.paired(units)
                if result is not None:
                    out.append(PairTest(suite, a, b, result))
        return out
