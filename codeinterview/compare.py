"""Compare runs: N groups of eval files (quantisations, prompts, models).

Every comparison says which questions separate the groups, with the checks
that differ (leaderboard.separate), and for every pair of groups and suite
whether one beats the other or the difference is within noise (a paired
bootstrap over the questions both answered, leaderboard.stats). A group is one
eval file (report.py --compare A B C) or, in a compare config, titled lists of
files:

    title: Qwen2.5 Coder 7B, three quantisations
    groups:
      - title: Q4_K_M
        files: [results/eval_q4.ndjson]      # globs; relative to the config's folder
      - title: Q8_0
        files: [results/eval_q8*.ndjson]

With exactly two groups it also lists, answer by answer, which questions
flipped between pass and not, and which checks changed:

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

import glob
import hashlib
import json
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import yaml
from tabulate import tabulate

from .errors import UserError
from .leaderboard import Separation, row_key
from .leaderboard.stats import DRAWS
from .leaderboard.tally import REFERENCE_METRICS
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


Offer = Callable[[dict[str, Any]], None]


def _batches(paths: list[Path], rows: dict[tuple, None], expected: bool,
             offer: Offer | None = None) -> Iterator[tuple[list, list]]:
    """(answers, checks) rows in batches; `rows` collects the leaderboard rows the files hold;
    `offer` sees every record (the N-way fold, in the same pass)."""
    answers: list[tuple] = []
    checks: list[tuple] = []
    for record in (r for path in paths for r in read_as_ours(path, accept=("eval",))):  # can-ai-code files too
        rows.setdefault(row_key(record), None)
        if offer is not None:
            offer(record)
        answer, its_checks = _rows(record, expected)
        answers.append(answer)
        checks.extend(its_checks)
        if len(answers) >= BATCH:
            yield answers, checks
            answers, checks = [], []
    yield answers, checks


def load(db: sqlite3.Connection, side: str, paths: list[Path], offer: Offer | None = None) -> str:
    """Stream one run into the database; returns its label."""
    db.executescript(SCHEMA.format(side=side))
    rows: dict[tuple, None] = {}
    for answers, checks in _batches(paths, rows, side == "a", offer):  # the listing shows A's expected
        try:
            db.executemany(f"INSERT INTO answers_{side} VALUES (?, ?, ?, ?, ?, ?, ?)", answers)
        except sqlite3.IntegrityError:
            raise UserError(f"--compare: {', '.join(map(str, paths))}: each run must hold one answer per "
                            "suite/question/language/sample (is one input several runs?)") from None
        db.executemany(f"INSERT INTO checks_{side} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", checks)
    db.execute(f"CREATE INDEX checks_{side}_key ON checks_{side} (suite, name, language, sample, check_name)")
    return label(rows, paths)


def label(rows: dict[tuple, None], paths: list[Path]) -> str:
    who = "; ".join(" · ".join(r) for r in rows)
    return f"{who} ({', '.join(p.name for p in paths)})"


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


def render_two(comparison: dict, fmt: str) -> str:
    """The two-run listing as text tables (fmt: a tabulate format, e.g. simple_outline or github)."""
    summary = tabulate(list(comparison["summary"].items()), tablefmt=fmt, headers=["", ""])
    parts = [summary]
    for name, title in (("flips", "Questions that flipped"), ("checks", "Checks that changed")):
        table = comparison[name]
        body = tabulate(table, headers="keys", tablefmt=fmt, showindex=False) if len(table) else "(none)"
        if name in comparison.get("more", {}):
            body += f"\n\n(the first {len(table)} of {comparison['more'][name]})"
        parts.append(f"{title}\n\n{body}" if fmt != "github" else f"## {title}\n\n{body}")
    return "\n\n".join(parts) + "\n"


def compare_files(paths: list[Path] | list[list[Path]], offers: list[Offer | None] | None = None) -> dict:
    """Two runs, A then B (one eval file each, or a list of files each): the answer-by-answer listing."""
    if len(paths) != 2:
        raise UserError(f"--compare needs exactly two eval files (runs A and B), got {len(paths)}")
    db = sqlite3.connect("")  # "": a private temporary database on disk, deleted on close
    try:
        db.executescript("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;")
        sides: list[list[Path]] = [p if isinstance(p, list) else [p] for p in paths]
        labels = [load(db, side, files, offer) for side, files, offer in zip("ab", sides, offers or [None, None])]
        return compare(db, *labels)
    finally:
        db.close()


# --- N groups ---

@dataclass(frozen=True, slots=True)
class Group:
    title: str | None  # None: named after the rows its files hold
    paths: list[Path]


def file_groups(paths: list[Path]) -> list[Group]:
    """report.py --compare A B C: each file one group."""
    if len(paths) < 2:
        raise UserError(f"--compare needs at least two eval files (or --compare-config), got {len(paths)}")
    return [Group(None, [p]) for p in paths]


def config_groups(path: Path) -> tuple[str | None, list[Group]]:
    """A compare config (see the module's doc): its title and groups."""
    try:
        data = yaml.safe_load(path.read_text())
    except OSError as exc:
        raise UserError(f"--compare-config {path}: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise UserError(f"--compare-config {path}: not valid YAML ({exc})") from None
    entries = data.get("groups") if isinstance(data, dict) else None
    if not isinstance(entries, list) or len(entries) < 2:
        raise UserError(f"{path}: expected 'groups:' with two or more entries, each with a 'title' and "
                        "'files' (a list of eval files or globs)")
    groups = []
    for i, entry in enumerate(entries, start=1):
        files = entry.get("files") if isinstance(entry, dict) else None
        if isinstance(files, str):
            files = [files]
        if not isinstance(files, list) or not files or not entry.get("title"):
            raise UserError(f"{path}: group {i}: needs a 'title' and 'files' (a list of eval files or globs)")
        found: list[Path] = []
        for pattern in map(str, files):
            full = pattern if Path(pattern).is_absolute() else str(path.parent / pattern)
            matches = sorted(glob.glob(full))
            if not matches:
                raise UserError(f"{path}: group {i} ({entry['title']}): no eval file matches {pattern}")
            found.extend(Path(m) for m in matches if Path(m) not in found)
        groups.append(Group(str(entry["title"]), found))
    return (str(data["title"]) if data.get("title") else None), groups


def compare_groups(groups: list[Group], title: str | None = None) -> dict:
    """Every group's records streamed once: the N-way fold, and with two groups the listing too."""
    separation = Separation([g.title or "" for g in groups])

    def offer(i: int) -> Offer:
        return lambda record: separation.add(i, record)

    two = None
    if len(groups) == 2:
        two = compare_files([g.paths for g in groups], [offer(0), offer(1)])
        for i, side in enumerate(("run A", "run B")):
            separation.titles[i] = groups[i].title or two["summary"][side]
        if all(g.title for g in groups):
            two["summary"]["run A"], two["summary"]["run B"] = (g.title for g in groups)
    else:
        for i, group in enumerate(groups):
            rows: dict[tuple, None] = {}
            for record in (r for p in group.paths for r in read_as_ours(p, accept=("eval",))):
                rows.setdefault(row_key(record), None)
                separation.add(i, record)
            separation.titles[i] = group.title or label(rows, group.paths)
    return {"title": title or f"Compare {len(groups)} runs", "groups": groups, "separation": separation,
            "tests": separation.tests(), "separating": separation.separating(), "two": two}


def group_table(comparison: dict) -> pd.DataFrame:
    """Per group: its letter, title, questions answered, score, and reference metric means."""
    separation: Separation = comparison["separation"]
    rows = []
    for i, title in enumerate(separation.titles):
        score = separation.score(i)
        row = {"group": letter(i), "title": title, "questions": separation.answered(i),
               "score": f"{100 * score:.1f}%" if score is not None else "-"}
        for name in REFERENCE_METRICS:
            total, count = separation.metrics[i].get(name, (0, 0))
            if any(name in m for m in separation.metrics):
                row[name] = f"{total / count:.3f}" if count else "-"
        rows.append(row)
    return pd.DataFrame(rows)


def letter(i: int) -> str:
    return chr(ord("A") + i) if i < 26 else f"G{i + 1}"


def test_table(comparison: dict) -> pd.DataFrame:
    """Per suite and pair of groups (X vs Y): both scores on the shared questions, X minus Y with its
    interval, and the verdict."""
    rows = []
    for t in comparison["tests"]:
        r, x, y = t.result, letter(t.a), letter(t.b)
        interval = f"[{100 * r.interval.low:+.1f}, {100 * r.interval.high:+.1f}]" if r.interval else "-"
        verdict = {"A better": f"{x} better", "B better": f"{y} better"}.get(r.verdict.value, r.verdict.value)
        rows.append({"suite": t.suite, "pair": f"{x} vs {y}", "shared questions": r.questions,
                     "first": f"{100 * r.score_a:.1f}%", "second": f"{100 * r.score_b:.1f}%",
                     "difference (points)": f"{100 * r.difference:+.1f}", "95% interval": interval,
                     "verdict": verdict})
    return pd.DataFrame(rows)


def separating_table(comparison: dict) -> tuple[pd.DataFrame, int]:
    """The questions that separate the groups (the first LIST_ROWS), and how many there are."""
    found = comparison["separating"]
    rows = []
    for s in found[:LIST_ROWS]:
        suite, name, language = s.question
        row = {"suite": suite, "question": name, "language": language}
        for i, outcome in enumerate(s.outcomes):
            row[letter(i)] = outcome.text() if outcome is not None else "-"
        row["checks that differ"] = "; ".join(
            f"{check}: " + ", ".join(f"{letter(i)} {o.text(check) if o is not None else '-'}"
                                     for i, o in enumerate(s.outcomes)) for check in s.checks) or "-"
        rows.append(row)
    return pd.DataFrame(rows), len(found)


PAIRED_NOTE = ("Paired test of X vs Y: X's score minus Y's, in points, on the questions both answered; its 95% "
               f"interval is a paired percentile bootstrap over those questions ({DRAWS}). 'within noise': the "
               "interval holds 0, so these questions cannot tell the two apart.")


def render(comparison: dict, fmt: str) -> str:
    """The whole comparison as text tables (fmt: simple_outline for the terminal, github for markdown)."""
    def heading(title: str) -> str:
        return f"## {title}" if fmt == "github" else title

    def table(frame: pd.DataFrame) -> str:
        return tabulate(frame, headers="keys", tablefmt=fmt, showindex=False, disable_numparse=True) \
            if len(frame) else "(none)"

    separating, count = separating_table(comparison)
    parts = [heading("Groups"), table(group_table(comparison)),
             heading("Paired tests"), table(test_table(comparison)), PAIRED_NOTE,
             heading(f"Questions that separate the groups ({count})"), table(separating)]
    if count > len(separating):
        parts.append(f"(the first {len(separating)} of {count})")
    if comparison["two"] is not None:
        parts.append(render_two(comparison["two"], fmt))
    return "\n\n".join(parts).rstrip("\n") + "\n"


def markdown(comparison: dict) -> str:
    return f"# {comparison['title']}\n\n" + render(comparison, "github")

