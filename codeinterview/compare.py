"""Compare two runs (two eval files: two quantisations, two prompts of one model):
which questions flipped between pass and not, and which checks changed.

Answers are matched by their stable key (suite, question, language, sample).
An answer that hit a sandbox error in either run is not compared (it was never
graded); answers present in one run only are counted, not compared.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from tabulate import tabulate

from .errors import UserError

KEY = ["suite", "name", "language", "sample"]


def run_label(frame: pd.DataFrame, path: str | Path) -> str:
    rows = frame[["model", "template", "params"]].drop_duplicates()
    who = "; ".join(" · ".join(r) for r in rows.itertuples(index=False))
    return f"{who} ({Path(path).name})"


def _checks(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per (answer, check): passed and got (as JSON, so values compare exactly)."""
    rows = [{**dict(zip(KEY, key)), "check": c.get("name"), "passed": bool(c.get("passed")),
             "got": json.dumps(c.get("got"), sort_keys=True, default=repr),
             "expected": json.dumps(c.get("expected"), sort_keys=True, default=repr), "error": c.get("error")}
            for key, record in zip(frame[KEY].itertuples(index=False), frame.record)
            for c in record.get("checks") or []]
    return pd.DataFrame(rows, columns=KEY + ["check", "passed", "got", "expected", "error"])


def compare(a: pd.DataFrame, b: pd.DataFrame, label_a: str, label_b: str) -> dict:
    """The comparison as plain tables: summary, flipped questions, changed checks."""
    if a[KEY].duplicated().any() or b[KEY].duplicated().any():
        raise UserError("--compare: each run must hold one answer per suite/question/language/sample "
                        "(is one input several runs?)")
    cols = KEY + ["status", "passed", "total"]
    both = a[cols].merge(b[cols], on=KEY, how="outer", suffixes=("_a", "_b"), indicator=True)
    matched = both[(both._merge == "both") & (both.status_a != "sandbox_error") & (both.status_b != "sandbox_error")]
    was, now = matched.status_a == "pass", matched.status_b == "pass"
    flips = matched[was != now].assign(change=lambda t: t.status_b.eq("pass").map({True: "fixed", False: "broke"}))
    flips = flips[KEY + ["change", "status_a", "status_b", "passed_a", "passed_b", "total_b"]]

    checks = _checks(a).merge(_checks(b), on=KEY + ["check"], suffixes=("_a", "_b"))
    checks = checks.merge(matched[KEY], on=KEY)  # graded in both runs
    changed = checks[(checks.passed_a != checks.passed_b) | (checks.got_a != checks.got_b)]
    changed = changed[KEY + ["check", "passed_a", "passed_b", "expected_a", "got_a", "got_b"]].rename(
        columns={"expected_a": "expected"})

    def score(side: str) -> float | None:
        total = matched[f"total_{side}"].sum()
        return round(100 * matched[f"passed_{side}"].sum() / total, 1) if total else None

    summary = {"run A": label_a, "run B": label_b, "answers compared": len(matched),
               "score A (%)": score("a"), "score B (%)": score("b"),
               "answers passed A": int(was.sum()), "answers passed B": int(now.sum()),
               "fixed (B passes, A did not)": int((flips.change == "fixed").sum()),
               "broke (A passed, B does not)": int((flips.change == "broke").sum()),
               "checks changed": len(changed),
               "only in A": int((both._merge == "left_only").sum()),
               "only in B": int((both._merge == "right_only").sum()),
               "sandbox errors (not compared)": int(((both._merge == "both") & ~both.index.isin(matched.index)).sum())}
    return {"summary": summary, "flips": flips.sort_values(KEY).reset_index(drop=True),
            "checks": changed.sort_values(KEY + ["check"]).reset_index(drop=True)}


def render(comparison: dict, fmt: str) -> str:
    """The comparison as text tables (fmt: a tabulate format, e.g. simple_outline or github)."""
    summary = tabulate(list(comparison["summary"].items()), tablefmt=fmt, headers=["", ""])
    parts = [summary]
    for title, table in (("Questions that flipped", comparison["flips"]),
                         ("Checks that changed", comparison["checks"])):
        body = tabulate(table, headers="keys", tablefmt=fmt, showindex=False) if len(table) else "(none)"
        parts.append(f"{title}\n\n{body}" if fmt != "github" else f"## {title}\n\n{body}")
    return "\n\n".join(parts) + "\n"


def compare_files(paths: list[Path]) -> dict:
    """report.py --compare: exactly two eval files, A then B."""
    from .report import load_frame  # report imports this module lazily, in main

    if len(paths) != 2:
        raise UserError(f"--compare needs exactly two eval files (runs A and B), got {len(paths)}")
    a, b = (load_frame([p]) for p in paths)
    return compare(a, b, run_label(a, paths[0]), run_label(b, paths[1]))
