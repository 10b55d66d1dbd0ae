"""The leaderboard's numbers as people read them: one wording shared by the
terminal, the markdown and the site, so they never disagree (no I/O)."""

from __future__ import annotations

import pandas as pd

from .table import SUITE
from .tally import GROUP

OVERALL = "overall (checks pooled)"
VERSUS = "vs top (points, paired)"
METADATA = {"name": "name", "size": "size", "quantisation": "quant", "licence": "licence", "tags": "tags"}
METRICS = {"levenshtein": "levenshtein", "bleu": "BLEU", "sequence_ratio": "sequence ratio",
           "identifier_share": "identifier share"}
SUITE_HEADERS = "suite_headers"  # display()'s DataFrame.attrs key: the per-suite columns' headers


def number(value) -> str:
    """A count or a sum of check weights: 1315540, not 1.31554e+06; 2.5 as 2.5."""
    value = float(value)
    if value.is_integer():
        return str(int(value))
    return f"{value:.2f}".rstrip("0").rstrip(".")


def fraction(passed, total, low=None, high=None) -> str:
    """'12/14 (85.7%)', with its interval: '12/14 (85.7%) [60.0-100.0]'."""
    if pd.isna(total) or not total:
        return "-"
    interval = f" [{low:.1f}-{high:.1f}]" if low is not None and pd.notna(low) and pd.notna(high) else ""
    return f"{number(passed)}/{number(total)} ({100 * passed / total:.1f}%){interval}"


def _rate(value, low, high) -> str:
    if pd.isna(value):
        return "-"
    return f"{value:.3f}" + (f" [{low:.3f}-{high:.3f}]" if pd.notna(low) and pd.notna(high) else "")


def _versus(points, low, high, word) -> str:
    """'-12.5 worse [-20.0, +5.0]': points behind the top row on shared questions, paired."""
    if pd.isna(points) or not isinstance(word, str):
        return "-"
    interval = f" [{low:+.1f}, {high:+.1f}]" if pd.notna(low) and pd.notna(high) else ""
    return f"{points:+.1f} {word}{interval}"


def _spread(runs, mean, low, high) -> str:
    if pd.isna(runs) or runs < 2 or pd.isna(mean):
        return "-"
    return f"mean {mean:.1f}% (range {low:.1f}-{high:.1f}%)"


def _column(table: pd.DataFrame, name: str) -> pd.Series:
    return table[name] if name in table else pd.Series([None] * len(table), index=table.index)


def _score(table: pd.DataFrame, prefix: str) -> list[str]:
    return [fraction(*v) for v in zip(table[f"{prefix}passed"], table[f"{prefix}total"],
                                      _column(table, f"{prefix}score_low"), _column(table, f"{prefix}score_high"))]


def suite_columns(table: pd.DataFrame) -> list[str]:
    return [c[len(SUITE):-len("_passed")] for c in table.columns
            if c.startswith(SUITE) and c.endswith("_passed") and not c.endswith("answers_passed")]


def language_columns(table: pd.DataFrame) -> list[str]:
    return [c[:-len("_passed")] for c in table.columns if c.endswith("_passed") and not c.startswith(SUITE)
            and not c.endswith("answers_passed") and c != "passed"]


def display(table: pd.DataFrame) -> pd.DataFrame:
    """Human columns: prompt kind, model metadata, per suite and per language
    'passed/total (pct% [interval])', overall, answers fully passed, pass@k."""
    shown = table[GROUP + ["kind"]].copy()
    for column, header in METADATA.items():
        if column in table:
            shown[header] = [v if isinstance(v, str) and v else "-" for v in table[column]]
    shown["suites"] = table.suites
    languages = language_columns(table)
    suites: list[str] = []
    for suite in suite_columns(table):
        suites.append(suite if suite not in languages and suite not in shown else f"suite {suite}")
        shown[suites[-1]] = _score(table, f"{SUITE}{suite}_")
    for language in languages:
        shown[language] = _score(table, f"{language}_")
    shown[OVERALL] = _score(table, "")
    shown[VERSUS] = [_versus(*v) for v in zip(table.vs_top_points, table.vs_top_low, table.vs_top_high,
                                              table.vs_top)]
    shown["answers fully passed"] = [fraction(a, b) for a, b in zip(table.answers_passed, table.answers)]
    for column in [c for c in table.columns if c.startswith("pass@") and not c.endswith(("_low", "_high"))]:
        shown[column] = [_rate(*v) for v in zip(table[column], table[f"{column}_low"], table[f"{column}_high"])]
    for name, header in METRICS.items():
        if f"{name}_mean" in table:
            shown[header] = [f"{v:.3f}" if pd.notna(v) else "-" for v in table[f"{name}_mean"]]
    shown["runs"] = [number(v) if pd.notna(v) else "-" for v in table.runs]
    if (pd.to_numeric(table.runs) > 1).any():  # several runs of one row: mean and range, never just the best
        shown["score across runs"] = [_spread(*v) for v in zip(table.runs, table.score_mean,
                                                               table.score_min, table.score_max)]
    shown["tokens/answer"] = [f"{v:.0f}" if pd.notna(v) else "-" for v in table.tokens_per_answer]
    shown["s/answer"] = [f"{v:.2f} s" if pd.notna(v) else "-" for v in table.seconds_per_answer]
    if table.infra_errors.any():
        shown["sandbox errors"] = table.infra_errors
    if table.max_attempts.notna().any():
        shown["pass@1 (1st attempt)"] = [fraction(a, b) for a, b in zip(table.pass_first_attempt, table.answers)]
        counts = sorted(set(table.max_attempts.dropna().astype(int)))
        label = f"pass after {counts[0]}" if len(counts) == 1 else "pass after last attempt"
        shown[label] = [fraction(a, b) if pd.notna(n) else "-"
                        for a, b, n in zip(table.pass_final_attempt, table.answers, table.max_attempts)]
    shown.attrs[SUITE_HEADERS] = suites  # the terminal keeps them before other columns (terminal.py)
    return shown


def display_attempts(table: pd.DataFrame) -> pd.DataFrame:
    shown = table[GROUP + ["attempt"]].copy()
    shown["asked"] = table.asked
    shown["passed after attempt"] = [fraction(p, n) for p, n in zip(table.passed, table.answers)]
    shown["new passes"] = table.new_passes
    shown["tokens"] = [number(t) for t in table.tokens]
    shown["tokens per new pass"] = [number(t) if pd.notna(t) else "-" for t in table.tokens_per_new_pass]
    return shown


def display_budget(table: pd.DataFrame) -> pd.DataFrame:
    shown = table[GROUP + ["calls"]].copy()
    shown["passed within"] = [fraction(p, n) for p, n in zip(table.passed, table.answers)]
    shown["tokens/answer"] = [number(t) for t in table.tokens_per_answer]
    return shown
