"""How sure a score is: bootstrap intervals over questions, and a paired test.

A leaderboard score is a ratio of sums over questions (checks passed / checks
graded; answers passed / answers; summed pass@k / questions). Which questions
a suite holds is the main source of chance in it, so the interval resamples
questions: draw as many questions as there are, with replacement, recompute
the ratio, and take the 2.5th and 97.5th percentiles of RESAMPLES draws (the
percentile bootstrap). One question asked in several languages is one unit
(a cluster): its languages move together, as they are not independent.

Two rows compared on the same questions: the paired bootstrap resamples the
questions both answered and recomputes both scores on the same draw; the
difference is real (at 95%) when its interval excludes zero.

Every draw starts from the same SEED, so a report is reproducible to the digit.
numpy only: scipy.stats.bootstrap does the same in a heavy dependency.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from enum import Enum

import numpy as np

LEVEL = 0.95
RESAMPLES = 1000
SEED = 0
CHUNK = 2_000_000  # resampled entries drawn at once: bounded memory for any number of questions
DRAWS = f"{RESAMPLES} resamples, seed {SEED}"
METHOD = f"{LEVEL:.0%} interval: percentile bootstrap over questions ({DRAWS})"


@dataclass(frozen=True, slots=True)
class Interval:
    low: float
    high: float

    def scaled(self, factor: float) -> Interval:
        return Interval(self.low * factor, self.high * factor)


Units = Iterable[tuple[Hashable, float, float]]  # (cluster, numerator, denominator) per question


def clusters(units: Units) -> tuple[np.ndarray, np.ndarray]:
    """Numerators and denominators summed per cluster (e.g. per question across its languages)."""
    sums: dict[Hashable, list[float]] = {}
    for cluster, numerator, denominator in units:
        entry = sums.setdefault(cluster, [0.0, 0.0])
        entry[0] += numerator
        entry[1] += denominator
    values = np.array(list(sums.values()), dtype=float).reshape(-1, 2)
    return values[:, 0], values[:, 1]


def _draws(count: int, resamples: int, seed: int) -> Iterable[np.ndarray]:
    """Index matrices (draws x count), RESAMPLES rows in all, in chunks of bounded size."""
    rng = np.random.default_rng(seed)
    step = max(1, CHUNK // max(count, 1))
    for start in range(0, resamples, step):
        yield rng.integers(0, count, size=(min(step, resamples - start), count))


def _ratios(numerator: np.ndarray, denominator: np.ndarray, index: np.ndarray) -> np.ndarray:
    top, bottom = numerator[index].sum(axis=1), denominator[index].sum(axis=1)
    return np.divide(top, bottom, out=np.full(len(top), np.nan), where=bottom > 0)


def _percentiles(values: np.ndarray, level: float) -> Interval | None:
    values = values[~np.isnan(values)]
    if not len(values):
        return None
    tail = 100 * (1 - level) / 2
    low, high = np.percentile(values, [tail, 100 - tail])
    return Interval(float(low), float(high))


def ratio_interval(units: Units, resamples: int = RESAMPLES, seed: int = SEED,
                   level: float = LEVEL) -> Interval | None:
    """The interval of sum(numerator) / sum(denominator) over resampled clusters;
    None with fewer than two clusters (nothing to resample)."""
    numerator, denominator = clusters(units)
    if len(numerator) < 2 or denominator.sum() <= 0:
        return None
    draws = np.concatenate([_ratios(numerator, denominator, index)
                            for index in _draws(len(numerator), resamples, seed)])
    return _percentiles(draws, level)


class Verdict(str, Enum):
    A_BETTER = "A better"
    B_BETTER = "B better"
    NOISE = "within noise"

    __str__ = str.__str__


@dataclass(frozen=True, slots=True)
class Paired:
    """A minus B on the questions both answered (score points, 0-1), its interval, and what it says."""
    questions: int
    score_a: float
    score_b: float
    difference: float
    interval: Interval | None
    verdict: Verdict


def paired(units: Iterable[tuple[Hashable, float, float, float, float]], resamples: int = RESAMPLES,
           seed: int = SEED, level: float = LEVEL) -> Paired | None:
    """Paired bootstrap of (passed_a/total_a - passed_b/total_b) over shared
    clusters; units are (cluster, passed_a, total_a, passed_b, total_b)."""
    sums: dict[Hashable, np.ndarray] = {}
    for cluster, *values in units:
        sums[cluster] = sums.get(cluster, np.zeros(4)) + np.array(values, dtype=float)
    if not sums:
        return None
    table = np.array(list(sums.values()))
    pa, ta, pb, tb = table.T
    if ta.sum() <= 0 or tb.sum() <= 0:
        return None
    score_a, score_b = pa.sum() / ta.sum(), pb.sum() / tb.sum()
    interval = None
    if len(table) >= 2:
        draws = np.concatenate([_ratios(pa, ta, index) - _ratios(pb, tb, index)
                                for index in _draws(len(table), resamples, seed)])
        interval = _percentiles(draws, level)
    verdict = Verdict.NOISE
    if interval is not None and interval.low > 0:
        verdict = Verdict.A_BETTER
    elif interval is not None and interval.high < 0:
        verdict = Verdict.B_BETTER
    return Paired(len(table), float(score_a), float(score_b), float(score_a - score_b), interval, verdict)
