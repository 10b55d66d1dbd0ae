"""The leaderboard as a static site: index.html (the table, filterable and
sortable, and the charts) plus one page per question comparing the answers.

Every number comes from report.py's own tables (leaderboard, display,
attempt_table), so the site, the markdown and the CSV never disagree. A filter
on suite or language shows the leaderboard recomputed on that slice (one
pre-rendered table per slice), not a client-side re-aggregation. CSS and JS are
inlined into every page: the site opens from disk and fetches nothing.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pandas as pd
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from .. import report
from . import charts

HERE = Path(__file__).parent
ALL = "all"
VALUE_CHARS = 2000  # an expected/got value shown in full up to this length


def label(model, template, params) -> str:
    return f"{model} · {template} · {params}"


def question_file(suite: str, name: str) -> str:
    return "q/" + re.sub(r"[^A-Za-z0-9_.-]+", "-", f"{suite}--{name}") + ".html"


def sort_key(text: Any) -> str:
    """What a column sorts by: the percentage in '12/14 (85.7%)', else the first number, else the text."""
    text = str(text)
    match = re.search(r"\((-?[\d.]+)%\)", text) or re.match(r"\s*(?:mean\s+)?(-?[\d.]+)", text)
    return match.group(1) if match else text.lower()


def slices(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The leaderboard for every suite x language slice (all/all first)."""
    suites = [ALL] + sorted(frame.suite.unique())
    languages = [ALL] + sorted(frame.language.dropna().unique())
    out = []
    for suite in suites:
        for language in languages:
            part = frame[((frame.suite == suite) | (suite == ALL)) & ((frame.language == language) | (language == ALL))]
            if part.empty:
                continue
            shown = report.display(report.leaderboard(part))
            rows = [{"model": r["model"], "template": r["template"], "params": r["params"],
                     "cells": [(v, sort_key(v)) for v in r.values()]} for r in shown.to_dict("records")]
            out.append({"suite": suite, "language": language, "headers": list(shown.columns), "rows": rows})
    return out


def score_chart(table: pd.DataFrame, languages: list[str]):
    rows = []
    for r in table.to_dict("records"):
        scores = {lang: (100 * r[f"{lang}_passed"] / r[f"{lang}_total"]
                         if pd.notna(r.get(f"{lang}_total")) and r[f"{lang}_total"] else None)
                  for lang in languages}
        rows.append((label(r["model"], r["template"], r["params"]), scores))
    return charts.score_bars(rows, languages)


def cell_kind(answers: pd.DataFrame) -> str:
    """pass: every answer passed every check; fail: no check passed; error: never graded."""
    graded = answers[answers.status != "sandbox_error"]
    if graded.empty:
        return "error"
    if (graded.status == "pass").all():
        return "pass"
    return "fail" if graded.passed.sum() == 0 else "partial"


def question_heatmap(frame: pd.DataFrame, order: list[tuple]) -> Any:
    keys = sorted(frame.groupby(["suite", "name", "language"]).groups)
    questions = [(f"{s}/{n} ({lang})", question_file(s, n) + f"#{lang}") for s, n, lang in keys]
    index = {k: i for i, k in enumerate(keys)}
    column = {g: j for j, g in enumerate(order)}
    cells = {}
    for (suite, name, language, *group), answers in frame.groupby(["suite", "name", "language"] + report.GROUP):
        kind = cell_kind(answers)
        tip = (f"{label(*group)}: {kind}, {answers.passed.sum():g}/{answers.total.sum():g} checks, "
               f"{int((answers.status == 'pass').sum())}/{len(answers)} answers passed")
        cells[(index[(suite, name, language)], column[tuple(group)])] = (kind, tip)
    return charts.heatmap(questions, [label(*g) for g in order], cells)


def feedback(frame: pd.DataFrame):
    """The per-attempt pass-rate table (report.attempt_table) as a curve and a table."""
    table = report.attempt_table(frame)
    if table.empty:
        return None, None
    series = [(label(*key), list(part.sort_values("attempt").pass_pct))
              for key, part in table.groupby(report.GROUP, sort=False)]
    shown = report.display_attempts(table)
    return charts.curve(series), {"headers": list(shown.columns), "rows": shown.values.tolist()}


def show(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=repr)  # JSON: the string "1" is not the number 1
    return text if len(text) <= VALUE_CHARS else text[:VALUE_CHARS] + f"... ({len(text) - VALUE_CHARS} more)"


def error_text(error: Any) -> str | None:
    """The sandbox's error: a string, or {type, message}."""
    if isinstance(error, dict):
        return ": ".join(str(error[k]) for k in ("type", "message") if error.get(k))
    return error


def answer_view(record: dict[str, Any], run: str) -> dict[str, Any]:
    """The fields a question page shows, with defaults for records that lack some."""
    checks = [{"name": c.get("name"), "assert": c.get("assert") or "", "expected": c.get("expected"),
               "got": c.get("got"), "passed": bool(c.get("passed")), "weight": c.get("weight", 1),
               "visible": c.get("visible", True), "error": c.get("error")} for c in record.get("checks") or []]
    attempts = [{"status": a.get("status"), "passed": a.get("passed"), "total": a.get("total")}
                for a in record.get("attempts_graded") or []]
    return {"status": record.get("status"), "passed": record.get("passed"), "total": record.get("total"),
            "sample": record.get("sample", 0), "latency_s": record.get("latency_s"),
            "error": error_text(record.get("error")), "code": record.get("code") or record.get("answer") or "(no code)",
            "checks": checks, "stdout": record.get("stdout") or "", "stderr": record.get("stderr") or "",
            "attempts": attempts, "run": run}


def question_pages(frame: pd.DataFrame, order: list[tuple]) -> list[dict[str, Any]]:
    """Per question: per language, per leaderboard row, its answers (runs x samples)."""
    rank = {g: i for i, g in enumerate(order)}
    pages = []
    for (suite, name), part in frame.groupby(["suite", "name"]):
        languages = []
        for language, answers in part.groupby("language"):
            columns = []
            for group, rows in sorted(answers.groupby(report.GROUP), key=lambda kv: rank[kv[0]]):
                ordered = rows.sort_values(["run", "sample"])
                columns.append({"label": label(*group), "kind": cell_kind(rows),
                                "answers": [answer_view(r, run) for r, run in zip(ordered.record, ordered.run)]})
            languages.append({"language": language, "columns": columns})
        question = next(iter(part.record)).get("question") or {}
        pages.append({"suite": suite, "name": name, "file": question_file(suite, name),
                      "question": question, "languages": languages})
    return pages


def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["show"] = show
    env.globals["css"] = (HERE / "static" / "site.css").read_text()
    env.globals["js"] = (HERE / "static" / "site.js").read_text()
    return env


def write_site(frame: pd.DataFrame, out_dir: str | Path, comparison: dict | None = None) -> Path:
    """Write index.html, q/*.html (and compare.html given a comparison); returns index.html."""
    out = Path(out_dir)
    (out / "q").mkdir(parents=True, exist_ok=True)
    env = environment()
    table = report.leaderboard(frame)
    order = [tuple(g) for g in table[report.GROUP].itertuples(index=False)]
    languages = sorted(frame.language.dropna().unique())
    curve, attempts = feedback(frame)
    pages = question_pages(frame, order)
    index = env.get_template("index.html.j2").render(
        root="", slices=slices(frame), suites=sorted(frame.suite.unique()), languages=languages,
        templates=sorted(frame.template.unique()), models=sorted(frame.model.unique()),
        scores=score_chart(table, languages), heatmap=question_heatmap(frame, order),
        curve=curve, attempts=attempts, pages=pages, comparison=comparison is not None,
        runs=sorted(frame.run.unique()))
    (out / "index.html").write_text(index)
    page = env.get_template("question.html.j2")
    for i, q in enumerate(pages):
        neighbours = {"prev": pages[i - 1]["file"] if i else None,
                      "next": pages[i + 1]["file"] if i + 1 < len(pages) else None}
        (out / q["file"]).write_text(page.render(root="../", page=q, comparison=comparison is not None,
                                                 **neighbours))
    if comparison is not None:
        linked = {name: [{**row, "link": question_file(row["suite"], row["name"]) + f"#{row['language']}"}
                         for row in comparison[name].to_dict("records")] for name in ("flips", "checks")}
        (out / "compare.html").write_text(env.get_template("compare.html.j2").render(
            root="", comparison={"summary": comparison["summary"], **linked}))
    return out / "index.html"
