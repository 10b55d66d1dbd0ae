"""Compare two runs (two eval files: two quantisations, two prompts of one model):
which questions flipped between pass and not, and which checks changed.

Answers are matched by their stable key (suite, question, language, sample).
An answer that hit a sandbox error in either run is not compared (it was never
graded); answers present in one run only are counted, not compared.

Both files stream into a temporary SQLite database on disk: per answer its
status and score, per check whether it passed, a digest of what it returned and
the values cut for display. The comparison is a few joins there, so memory
stays flat however many answers the runs hold. The lists of flipped questions
and changed checks show their first LIST_ROWS rows; the summary counts all.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
from tabulate import tabulate

from .aggregate import row_key
from .errors import UserError
from .records import Status
from .records.canaicode import read_as_ours

LIST_ROWS = 1000    # rows listed per table
VALUE_CHARS = 2000  # a value shown in full up to this length, as on the question pages
BATCH = 1000        # records per insert
ERROR, PASS = Status.SANDBOX_ERROR.value, Status.PASS.value

SCHEMA = """
CREATE TABLE answers_{side} (suite TEXT, name TEXT, language TEXT, sample,
    status TEXT, passed REAL, total REAL, UNIQUE (suite, name, language, sample));
CREATE TABLE checks_{side} (suite TEXT, name TEXT, language TEXT, sample,
    check_name TEXT, passed INTEGER, digest TEXT, expected TEXT, got TEXT);
"""

# Answers in both runs and graded in both.
MATCHED = f"""
CREATE TEMP VIEW matched AS
SELECT a.suite, a.name, a.language, a.sample, a.status AS status_a, b.status AS status_b,
       a.passed AS passed_a, b.passed AS passed_b, a.total AS total_a, b.total AS total_b
FROM answers_a a JOIN answers_b b USING (suite, name, language, sample)
WHERE a.status IS NOT '{ERROR}' AND b.status IS NOT '{ERROR}';
CREATE TEMP VIEW flips AS
SELECT suite, name, language, sample, CASE WHEN status_b IS '{PASS}' THEN 'fixed' ELSE 'broke' END AS change,
       status_a, status_b, passed_a, passed_b, total_a, total_b
FROM matched WHERE (status_a IS '{PASS}') != (status_b IS '{PASS}');
CREATE TEMP VIEW changed AS
SELECT m.suite, m.name, m.language, m.sample, ca.check_name AS "check", ca.passed AS passed_a,
       cb.passed AS passed_b, ca.expected, ca.got AS got_a, cb.got AS got_b
FROM matched m JOIN checks_a ca USING (suite, name, language, sample)
JOIN checks_b cb USING (suite, name, language, sample, check_name)
WHERE ca.passed != cb.passed OR ca.digest != cb.digest;
"""
ORDER = " ORDER BY suite, name, language, sample"


def _json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=repr)  # values compare exactly; ASCII, so any string stores


def _cut(text: str) -> str:
    return text if len(text) <= VALUE_CHARS else text[:VALUE_CHARS] + f"... ({len(text) - VALUE_CHARS} more)"


def _rows(record: dict[str, Any], expected: bool) -> tuple[tuple, list[tuple]]:
    """An answer's row and its checks' rows (with the expected values shown, if `expected`)."""
    key = (record.get("suite") or "?", record.get("name") or "", record.get("language") or "", record.get("sample", 0))
    answer = (*key, record.get("status"), record.get("passed") or 0, record.get("total") or 0)
    checks = []
    for c in record.get("checks") or []:
        got = _json(c.get("got"))
        checks.append((*key, c.get("name") or "", bool(c.get("passed")), hashlib.sha1(got.encode()).hexdigest(),
                       _cut(_json(c.get("expected"))) if expected else None, _cut(got)))
    return answer, checks


def _batches(path: Path, rows: dict[tuple, None], expected: bool) -> Iterator[tuple[list, list]]:
    """(answers, checks) rows in batches; `rows` collects the leaderboard rows the file holds."""
    answers: list[tuple] = []
    checks: list[tuple] = []
    for record in read_as_ours(path, accept=("eval",)):  # can-ai-code files too
        rows.setdefault(row_key(record), None)
        answer, its_checks = _rows(record, expected)
        answers.append(answer)
        checks.extend(its_checks)
        if len(answers) >= BATCH:
            yield answers, checks
            answers, checks = [], []
    yield answers, checks


def load(db: sqlite3.Connection, side: str, path: Path) -> str:
    """Stream one run into the database; returns its label."""
    db.executescript(SCHEMA.format(side=side))
    rows: dict[tuple, None] = {}
    for answers, checks in _batches(path, rows, expected=side == "a"):  # the listing shows A's expected
        try:
            db.executemany(f"INSERT INTO answers_{side} VALUES (?, ?, ?, ?, ?, ?, ?)", answers)
        except sqlite3.IntegrityError:
            raise UserError(f"--compare: {path}: each run must hold one answer per suite/question/language/"
                            "sample (is one input several runs?)") from None
        db.executemany(f"INSERT INTO checks_{side} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", checks)
    db.execute(f"CREATE INDEX checks_{side}_key ON checks_{side} (suite, name, language, sample, check_name)")
    who = "; ".join(" · ".join(r) for r in rows)
    return f"{who} ({path.name})"


def _one(db: sqlite3.Connection, sql: str) -> Any:
    return db.execute(sql).fetchone()[0]


def _listing(db: sqlite3.Connection, view: str, order: str) -> tuple[pd.DataFrame, int]:
    """The first LIST_ROWS rows of a view, and how many it has."""
    table = pd.read_sql_query(f"SELECT * FROM {view}{order} LIMIT {LIST_ROWS}", db)
    return table, _one(db, f"SELECT count(*) FROM {view}")


def compare(db: sqlite3.Connection, label_a: str, label_b: str) -> dict:
    """The comparison as plain tables: summary, flipped questions, changed checks."""
    db.executescript(MATCHED)
    flips, flip_count = _listing(db, "flips", ORDER)
    checks, check_count = _listing(db, "changed", ORDER + ', "check"')
    checks[["passed_a", "passed_b"]] = checks[["passed_a", "passed_b"]].astype(bool)
    compared, passed_a, total_a, passed_b, total_b, passes_a, passes_b, fixed = db.execute(
        "SELECT count(*), sum(passed_a), sum(total_a), sum(passed_b), sum(total_b), sum(status_a IS :pass), "
        "sum(status_b IS :pass), sum(status_b IS :pass AND status_a IS NOT :pass) FROM matched",
        {"pass": PASS}).fetchone()
    in_both = _one(db, "SELECT count(*) FROM answers_a JOIN answers_b USING (suite, name, language, sample)")

    def score(passed, total) -> float | None:
        return round(100 * passed / total, 1) if total else None

    summary = {"run A": label_a, "run B": label_b, "answers compared": compared,
               "score A (%)": score(passed_a, total_a), "score B (%)": score(passed_b, total_b),
               "answers passed A": passes_a or 0, "answers passed B": passes_b or 0,
               "fixed (B passes, A did not)": fixed or 0,
               "broke (A passed, B does not)": flip_count - (fixed or 0),
               "checks changed": check_count,
               "only in A": _one(db, "SELECT count(*) FROM answers_a") - in_both,
               "only in B": _one(db, "SELECT count(*) FROM answers_b") - in_both,
               "sandbox errors (not compared)": in_both - compared}
    more = {name: count for name, count, table in (("flips", flip_count, flips), ("checks", check_count, checks))
            if count > len(table)}
    return {"summary": summary, "flips": flips, "checks": checks, "more": more}


def render(comparison: dict, fmt: str) -> str:
    """The comparison as text tables (fmt: a tabulate format, e.g. simple_outline or github)."""
    summary = tabulate(list(comparison["summary"].items()), tablefmt=fmt, headers=["", ""])
    parts = [summary]
    for name, title in (("flips", "Questions that flipped"), ("checks", "Checks that changed")):
        table = comparison[name]
        body = tabulate(table, headers="keys", tablefmt=fmt, showindex=False) if len(table) else "(none)"
        if name in comparison.get("more", {}):
            body += f"\n\n(the first {len(table)} of {comparison['more'][name]})"
        parts.append(f"{title}\n\n{body}" if fmt != "github" else f"## {title}\n\n{body}")
    return "\n\n".join(parts) + "\n"


def compare_files(paths: list[Path]) -> dict:
    """report.py --compare: exactly two eval files, A then B."""
    if len(paths) != 2:
        raise UserError(f"--compare needs exactly two eval files (runs A and B), got {len(paths)}")
    db = sqlite3.connect("")  # "": a private temporary database on disk, deleted on close
    try:
        db.executescript("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;")
        labels = [load(db, side, path) for side, path in zip("ab", paths)]
        return compare(db, *labels)
    finally:
        db.close()
