"""The leaderboard tables, computed from a Tally's cells (no I/O).

One row per (model, template, parameter set) on a slice (a suite, a language,
or all): per language and per suite, checks passed out of graded with a 95%
interval; overall, every check of the slice pooled (a suite or language counts
by its number of checks); answers fully passed; pass@k with its interval; the
spread of the row's runs; tokens and latency; reference metrics. Plain columns,
as the CSV holds them; leaderboard.display words them for people.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from ..passk import pass_at_k, run_pass_at_k
from . import stats
from .models import Catalog
from .tally import GROUP, Cell, CellKey, Row, Tally, combine

SUITE = "suite:"   # the CSV prefix of a suite's columns (a language's is its name)
VERSUS_NOTE = ("vs top: the row's score minus the top row's, in points, on the questions both answered, with "
               "its 95% interval (a paired bootstrap over those questions); 'within noise': the interval holds 0")
WEIGHTING = ("overall: weighted checks passed / checks graded, every check of the row pooled "
             "(a suite or language weighs by its number of checks)")


def _counts(cell: Cell, prefix: str = "") -> dict[str, Any]:
    """passed, total, answers passed, answers; None where nothing was scored (shown as '-')."""
    values = (cell.passed, cell.total, cell.passes, cell.scored) if cell.scored else (None,) * 4
    return dict(zip((f"{prefix}passed", f"{prefix}total", f"{prefix}answers_passed", f"{prefix}answers"), values))


def _mean(total: float, count: int, digits: int) -> float | None:
    return round(total / count, digits) if count else None


def _run_spread(cell: Cell) -> dict[str, Any]:
    """How many runs a row pools, and the mean, min and max of their scores (never just the best)."""
    if not cell.runs:
        return {"runs": None, "score_mean": None, "score_min": None, "score_max": None}
    scores = [100 * passed / total for passed, total in cell.runs.values() if total > 0]
    if not scores:
        return {"runs": len(cell.runs), "score_mean": None, "score_min": None, "score_max": None}
    return {"runs": len(cell.runs), "score_mean": round(sum(scores) / len(scores), 1),
            "score_min": round(min(scores), 1), "score_max": round(max(scores), 1)}


def _score(cells: dict[CellKey, Cell], total: Cell, prefix: str = "") -> dict[str, Any]:
    """Counts and the score (%) of some cells (`total`: their sum) with its interval, questions as the
    resampled units."""
    out = _counts(total, prefix)
    out[f"{prefix}score_pct"] = round(100 * total.passed / total.total, 1) if total.total > 0 else None
    interval = stats.ratio_interval(((key[1], key[2]), cell.passed, cell.total) for key, cell in cells.items())
    out[f"{prefix}score_low"] = round(100 * interval.low, 1) if interval else None
    out[f"{prefix}score_high"] = round(100 * interval.high, 1) if interval else None
    return out


def _pass_at_k(cells: dict[CellKey, Cell]) -> dict[str, Any]:
    """pass@k (the mean over questions, for each k every question reaches) and its interval."""
    counted = {key: cell for key, cell in cells.items() if cell.samples}
    out: dict[str, Any] = {}
    for name, value in run_pass_at_k((cell.samples, cell.passes) for cell in counted.values()).items():
        k = int(name.split("@")[1])
        interval = stats.ratio_interval(((key[1], key[2]), pass_at_k(cell.samples, cell.passes, k), 1)
                                        for key, cell in counted.items())
        out[name] = value
        out[f"{name}_low"] = round(interval.low, 6) if interval else None
        out[f"{name}_high"] = round(interval.high, 6) if interval else None
    return out


def _split(cells: dict[CellKey, Cell], position: int) -> dict[Any, dict[CellKey, Cell]]:
    parts: dict[Any, dict[CellKey, Cell]] = {}
    for key, cell in cells.items():
        parts.setdefault(key[position], {})[key] = cell
    return parts


def _row(row: Row, cells: dict[CellKey, Cell], languages: list[str], suites: list[str]) -> dict[str, Any]:
    everything = combine(cells.values())
    out: dict[str, Any] = dict(zip(GROUP, row))
    out["suites"] = "+".join(sorted({key[1] for key in cells}))
    out["infra_errors"] = everything.errors
    per_language, per_suite = _split(cells, 3), _split(cells, 1)
    for language in languages:
        part = per_language.get(language, {})
        out.update(_score(part, combine(part.values()), f"{language}_"))
    if len(suites) > 1:
        for suite in suites:
            part = per_suite.get(suite, {})
            out.update(_score(part, combine(part.values()), f"{SUITE}{suite}_"))
    out.update(_score(cells, everything))
    out.update(_run_spread(everything))
    out["tokens_per_answer"] = _mean(everything.tokens, everything.tokens_n, 2)
    out["seconds_per_answer"] = _mean(everything.latency, everything.latency_n, 2)
    scored = everything.scored > 0
    out["pass_first_attempt"] = everything.first_pass if scored else None
    out["pass_final_attempt"] = everything.final_pass if scored else None
    out["max_attempts"] = everything.max_attempts if everything.attempts is not None else None
    out.update(_pass_at_k(cells))
    for name, (total, count) in sorted((everything.metrics or {}).items()):
        out[f"{name}_mean"] = round(total / count, 4) if count else None
    return out


def by_row(cells: dict[CellKey, Cell]) -> dict[Row, dict[CellKey, Cell]]:
    return _split(cells, 0)


def _metadata(tally: Tally, row: Row, models: Catalog | None) -> dict[str, Any]:
    out: dict[str, Any] = {"kind": str(tally.kinds.get(row, "?"))}
    if models is not None:
        info = models.find(tally.models.get(row, row[0]))
        out.update({"name": info.name if info else None, "size": info.size if info else None,
                    "quantisation": info.quantisation if info else None,
                    "licence": info.licence if info else None, "url": info.url if info else None,
                    "tags": ",".join(info.tags) if info else None})
    return out


def leaderboard(tally: Tally, suite: str | None = None, language: str | None = None,
                models: Catalog | None = None) -> pd.DataFrame:
    """One row per model/template/params (plain columns, for CSV), on a slice (None: all),
    grouped by prompt kind, best score first; `best` marks each model's best row; vs_top*
    compare each row with the slice's top score (paired, on the questions both answered)."""
    cells = tally.select(suite, language)
    languages, suites = tally.languages(cells), sorted({key[1] for key in cells})
    parts = by_row(cells)
    rows = [{**_row(row, part, languages, suites), **_metadata(tally, row, models)}
            for row, part in sorted(parts.items())]
    table = pd.DataFrame(rows)
    if table.empty:
        return table
    table = table.sort_values(["kind", "score_pct", "model"], ascending=[True, False, True], na_position="last")
    table = table.reset_index(drop=True)
    ranked = table.sort_values(["score_pct"], ascending=False, na_position="last", kind="stable")
    table["best"] = table.index.isin(ranked.drop_duplicates("model").index)
    top = tuple(ranked.iloc[0][GROUP])
    versus = [_versus(parts[row], parts[top]) if row != top else {} for row in map(tuple, table[GROUP].values)]
    for column in ("vs_top_points", "vs_top_low", "vs_top_high", "vs_top"):
        table[column] = [v.get(column) for v in versus]
    table["interval"] = stats.METHOD
    return table


def _versus(mine: dict[CellKey, Cell], top: dict[CellKey, Cell]) -> dict[str, Any]:
    """A row against the slice's top row, on the questions both answered: the difference in
    score points, its paired-bootstrap interval, and whether it is worse, better or within noise."""
    theirs = {key[1:]: cell for key, cell in top.items()}
    units = [((key[1], key[2]), cell.passed, cell.total, other.passed, other.total)
             for key, cell in mine.items() if (other := theirs.get(key[1:])) is not None]
    result = stats.paired(units)
    if result is None:
        return {}
    word = {stats.Verdict.A_BETTER: "better", stats.Verdict.B_BETTER: "worse"}.get(result.verdict, "within noise")
    interval = result.interval
    return {"vs_top_points": round(100 * result.difference, 1), "vs_top": word,
            "vs_top_low": round(100 * interval.low, 1) if interval else None,
            "vs_top_high": round(100 * interval.high, 1) if interval else None}


def attempt_table(tally: Tally) -> pd.DataFrame:
    """Per feedback run and attempt k: answers passed after k attempts, the new
    passes attempt k brought, the tokens it spent, and tokens per extra pass."""
    rows = []
    for row, cells in sorted(by_row(tally.cells).items()):
        attempts = combine(cells.values()).attempts
        if attempts is None:
            continue
        passed = 0
        for k, asked in enumerate(attempts.asked):
            new = attempts.first_pass[k] if k < len(attempts.first_pass) else 0
            passed += new
            spent = attempts.tokens[k]
            rows.append({**dict(zip(GROUP, row)), "attempt": k + 1, "answers": attempts.answers, "asked": asked,
                         "passed": passed, "pass_pct": round(100 * passed / attempts.answers, 1),
                         "new_passes": new, "tokens": spent,
                         "tokens_per_new_pass": round(spent / new, 1) if new else None})
    return pd.DataFrame(rows)


def budget_table(tally: Tally) -> pd.DataFrame:
    """Per feedback row and budget b (model calls): answers passed within b calls,
    their share, and the mean tokens an answer spent within b calls. Unlike the
    attempt table, a best-of-n attempt counts n calls and a tree node one, so
    linear and tree search compare at equal spend."""
    return pd.DataFrame(tally.budget.rows(GROUP))
