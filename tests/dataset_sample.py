"""Which tasks of a public benchmark the `dataset` tier grades.

Per commit the whole-dataset self-tests (canonical solutions pass, empty bodies
fail, parity with the official rules) run on a fixed sample of each dataset:
one task drawn from each of SIZE equal strata of the task list, with a seed of
its own per dataset, plus every task named in SPECIAL (the known data bugs and
the cases that once went wrong), plus the first task (it pays a compiled
language's one-off dependency build). The same commit always grades the same
tasks. With CODEINTERVIEW_FULL_DATASETS=1 (`bash scripts/test.sh --full`)
every task is graded: run that before resolving an issue that touches a
language, an importer, extraction or the runner.
"""

from __future__ import annotations

import os
import random
import re
from collections.abc import Iterable

SIZE = 14  # strata per dataset: one task drawn from each
SEED = 22

# dataset -> tasks always in the sample, and why (../shared/datasets/README.md and the tests)
SPECIAL: dict[str, dict[str, str]] = {
    "humaneval": {
        "HumanEval/4": "HumanEval+: NaN is never close to NaN",
        "HumanEval/9": "HumanEval+: an empty first input does not switch the tolerance on",
        "HumanEval/20": "HumanEval+: a list for the expected tuple",
        "HumanEval/31": "HumanEval+: O(n) is_prime runs over its per-input limit",
        "HumanEval/32": "find_zero's oracle; HumanEval+ OriginFmt's test is broken",
        "HumanEval/42": "HumanEval+: ints as close floats",
        "HumanEval/71": "HumanEval+: a float for the int -1",
        "HumanEval/96": "HumanEval+: 190 inputs, seconds in all, each under its limit",
        "HumanEval/124": "fill-in-the-middle: a bare except swallows the hidden line",
        "HumanEval/127": "fill-in-the-middle: a line the tests never reach",
    },
    "humaneval-js": {
        "JavaScript/112": "the canonical solution fails its own tests",
        "JavaScript/155": "the canonical solution fails its own tests",
        "JavaScript/162": "needs the npm package js-md5",
    },
    "humaneval-cpp": {"CPP/22": "includes boost/any.hpp (Boost's headers)", "CPP/137": "includes boost/any.hpp"},
    "humaneval-go": {"Go/158": "its docstring says 'strings.': no import for it",
                     "Go/95": "its canonical solution passes or fails by Go's random map order",
                     "Go/2": "its test calls math.Abs, imported only by the prompt"},
    "humaneval-java": {"Java/50": "a helper method before the one asked for"},
    "humaneval-rust": {"Rust/50": "its test calls rand 0.4's gen_range(a, b)"},
    "mbpp": {"123": "about 6 s: the slowest reference solution"},  # a bare id: any split's name for it
}
SPECIAL["humanevalplus"] = SPECIAL["humaneval"]


def full() -> bool:
    """Every task (CODEINTERVIEW_FULL_DATASETS=1), or the sample."""
    return os.environ.get("CODEINTERVIEW_FULL_DATASETS", "").lower() in ("1", "true", "yes")


def _number(name: str) -> tuple:
    """Natural order: 'HumanEval/10' after 'HumanEval/9'."""
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", str(name)))


def sample(dataset: str, names: Iterable[str], always: Iterable[str] = (), size: int = SIZE) -> list[str]:
    """The task names of `dataset` to grade, in the dataset's natural order: all of them
    under --full; else stratified(...)."""
    return sorted(dict.fromkeys(map(str, names)), key=_number) if full() else stratified(dataset, names, always, size)


def stratified(dataset: str, names: Iterable[str], always: Iterable[str] = (), size: int = SIZE) -> list[str]:
    """The per-commit sample, in the dataset's natural order (the same under --full): the
    first task, one seeded draw per stratum, SPECIAL[dataset] and `always` (a test's own
    cases), where present in `names`."""
    ordered = sorted(dict.fromkeys(map(str, names)), key=_number)
    if len(ordered) <= size:
        return ordered
    rng = random.Random(f"{SEED}:{dataset}")
    bounds = [round(i * len(ordered) / size) for i in range(size + 1)]
    chosen = {ordered[0]} | {ordered[rng.randrange(lo, hi)] for lo, hi in zip(bounds, bounds[1:]) if hi > lo}
    wanted = set(SPECIAL.get(dataset, {})) | set(map(str, always))
    chosen |= {name for name in ordered if name in wanted or name.rsplit("/", 1)[-1] in wanted}
    return [name for name in ordered if name in chosen]


def questions_flag(names: Iterable[str]) -> list[str]:
    """prepare.py's arguments selecting exactly these tasks (none under --full: all of them)."""
    return [] if full() else ["--questions", ",".join(names)]
