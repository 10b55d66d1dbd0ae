"""The leaderboard as a static site: index.html (the table, filterable and
sortable, and the charts) plus one page per question comparing the answers.

Every number comes from the leaderboard's own tables (leaderboard.leaderboard,
leaderboard.display, leaderboard.attempt_table) over the same tally, so the
site, the markdown and the CSV never disagree. A filter on suite or language shows the
leaderboard recomputed on that slice (one pre-rendered table per slice), not a
client-side re-aggregation. Rows carry their prompt kind and model metadata,
which the filters match, and whether they are their model's best. Question pages show the bounded sample of answers
html.examples kept, one page in memory at a time. CSS and JS are inlined into
every page: the site opens from disk and fetches nothing.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup, escape

from .. import compare as compare_text
from ..leaderboard import (GROUP, METHOD, VERSUS_NOTE, WEIGHTING, Catalog, Cell, Row, Tally, attempt_table, display,
                           display_attempts, leaderboard, number)
from ..leaderboard.display import suite_columns
from ..leaderboard.table import SUITE
from . import charts
from .examples import Examples

HERE = Path(__file__).parent
ALL = "all"


def label(model, template, params) -> str:
    return f"{model} · {template} · {params}"


def question_file(suite: str, name: str) -> str:
    return "q/" + re.sub(r"[^A-Za-z0-9_.-]+", "-", f"{suite}--{name}") + ".html"


def sort_key(text: Any) -> str:
    """What a column sorts by: the percentage in '12/14 (85.7%)', else the first number, else the text."""
    text = str(text)
    match = re.search(r"\((-?[\d.]+)%", text) or re.match(r"\s*(?:mean\s+)?([-+]?[\d.]+)", text)
    return match.group(1) if match else text.lower()


ROW_DATA = ("kind", "size", "quantisation", "licence", "tags", "url")


def _attribute(value: Any) -> str:
    return value if isinstance(value, str) else ""


def slices(tally: Tally, models: Catalog | None = None) -> list[dict[str, Any]]:
    """The leaderboard for every suite x language slice (all/all first)."""
    out = []
    for suite in [ALL] + tally.suites():
        for language in [ALL] + tally.languages():
            table = leaderboard(tally, None if suite == ALL else suite, None if language == ALL else language,
                                models)
            if table.empty:
                continue
            shown = display(table)
            rows = [{"model": r["model"], "template": r["template"], "params": r["params"], "best": plain["best"],
                     "data": {k: _attribute(plain.get(k)) for k in ROW_DATA},
                     "cells": [(v, sort_key(v)) for v in r.values()]}
                    for r, plain in zip(shown.to_dict("records"), table.to_dict("records"))]
            out.append({"suite": suite, "language": language, "headers": list(shown.columns), "rows": rows})
    return out


def suite_chart(table: pd.DataFrame):
    """Per row, one bar per suite (only when the leaderboard holds several)."""
    suites = suite_columns(table)
    if len(suites) < 2:
        return None
    return _bars(table, {s: f"{SUITE}{s}_" for s in suites})


def _bars(table: pd.DataFrame, series: dict[str, str]):
    """Per row, one bar per series (name -> its column prefix), each with its interval."""
    rows, intervals = [], []
    for r in table.to_dict("records"):
        scores, spans = {}, {}
        for name, prefix in series.items():
            value, low, high = (r.get(f"{prefix}score_{k}") for k in ("pct", "low", "high"))
            if value is not None and pd.notna(value):
                scores[name] = value
                if low is not None and pd.notna(low) and high is not None and pd.notna(high):
                    spans[name] = (low, high)
        rows.append((label(r["model"], r["template"], r["params"]), scores))
        intervals.append(spans)
    return charts.score_bars(rows, list(series), intervals)


def score_chart(table: pd.DataFrame, languages: list[str]):
    return _bars(table, {lang: f"{lang}_" for lang in languages})


def by_question(tally: Tally) -> dict[tuple[str, str], list[tuple[Any, Row, Cell]]]:
    """(suite, name) -> its (language, row, cell)s; answers without a name or language have no page."""
    out: dict[tuple[str, str], list[tuple[Any, Row, Cell]]] = {}
    for (row, suite, name, language), cell in tally.cells.items():
        if name is not None and language is not None:
            out.setdefault((suite, name), []).append((language, row, cell))
    return dict(sorted(out.items()))


def question_heatmap(questions: dict[tuple[str, str], list], order: list[Row]) -> Any:
    keys = sorted({(suite, name, language) for (suite, name), cells in questions.items() for language, _, _ in cells})
    rows = [(f"{s}/{n} ({lang})", question_file(s, n) + f"#{lang}") for s, n, lang in keys]
    index = {k: i for i, k in enumerate(keys)}
    column = {g: j for j, g in enumerate(order)}
    cells = {}
    for (suite, name), part in questions.items():
        for language, row, cell in part:
            tip = (f"{label(*row)}: {cell.kind}, {number(cell.passed)}/{number(cell.total)} checks, "
                   f"{cell.passes}/{cell.answers} answers passed"
                   + (f", {cell.errors} sandbox errors" if cell.errors else ""))
            cells[(index[(suite, name, language)], column[row])] = (cell.kind, tip)
    return charts.heatmap(rows, [label(*g) for g in order], cells)


def feedback(tally: Tally):
    """The per-attempt pass-rate table (aggregate.attempt_table) as a curve and a table."""
    table = attempt_table(tally)
    if table.empty:
        return None, None
    series = [(label(*key), list(part.sort_values("attempt").pass_pct))
              for key, part in table.groupby(GROUP, sort=False)]
    shown = display_attempts(table)
    return charts.curve(series), {"headers": list(shown.columns), "rows": shown.values.tolist()}


def question_page(suite: str, name: str, cells: list[tuple[Any, Row, Cell]], examples: Examples,
                  rank: dict[Row, int]) -> dict[str, Any]:
    """One question: per language, per leaderboard row, its kept answers."""
    languages = []
    for language in sorted({language for language, _, _ in cells}):
        columns = [{"label": label(*row), "kind": cell.kind, "count": cell.answers,
                    "answers": examples.answers((suite, name, language, row))}
                   for lang, row, cell in sorted(cells, key=lambda c: rank[c[1]]) if lang == language]
        languages.append({"language": language, "columns": columns})
    return {"suite": suite, "name": name, "file": question_file(suite, name),
            "question": examples.questions.get((suite, name), {}), "languages": languages}


def interval(text: Any) -> Markup:
    """A cell's ' [low-high]' set apart (smaller, on its own line), the text unchanged."""
    return Markup(re.sub(r" (\[[^\]]*\])", r' <span class="ci">\1</span>', str(escape(text))))


def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["number"] = number
    env.filters["interval"] = interval
    env.globals["css"] = (HERE / "static" / "site.css").read_text()
    env.globals["js"] = (HERE / "static" / "site.js").read_text()
    return env


def write(path: Path, html: str) -> None:
    # an answer's output may hold a lone surrogate (undecodable bytes): written as "?", never a crash
    path.write_text(html, encoding="utf-8", errors="replace")


def facets(table: pd.DataFrame) -> dict[str, list[str]]:
    """The values each filter offers: prompt kinds, and the metadata models.yaml gave."""
    out = {"kind": sorted(set(table.kind))}
    for column in ("size", "quantisation", "licence"):
        if column in table:
            out[column] = sorted({v for v in table[column] if isinstance(v, str) and v})
    if "tags" in table:
        out["tags"] = sorted({t for v in table.tags if isinstance(v, str) for t in v.split(",") if t})
    return {k: v for k, v in out.items() if v}


def compare_page(comparison: dict) -> dict[str, Any]:
    """The comparison as the compare page shows it: groups, paired tests, separating questions, and the
    two-run listing (with links to the question pages)."""
    separating, count = compare_text.separating_table(comparison)
    page: dict[str, Any] = {"title": comparison["title"], "note": compare_text.PAIRED_NOTE,
                            "groups": compare_text.group_table(comparison).to_dict("records"),
                            "tests": compare_text.test_table(comparison).to_dict("records"),
                            "separating": [{**row, "link": question_file(row["suite"], row["question"])
                                            + f"#{row['language']}"} for row in separating.to_dict("records")],
                            "separating_count": count,
                            "letters": [compare_text.letter(i) for i in range(len(comparison["groups"]))],
                            "two": None}
    two = comparison.get("two")
    if two is not None:
        page["two"] = {"summary": two["summary"], "more": two.get("more", {}),
                       **{name: [{**row, "link": question_file(row["suite"], row["name"]) + f"#{row['language']}"}
                                 for row in two[name].to_dict("records")] for name in ("flips", "checks")}}
    return page


def write_site(tally: Tally, examples: Examples, out_dir: str | Path, comparison: dict | None = None,
               models: Catalog | None = None) -> Path:
    """Write index.html, q/*.html (and compare.html given a comparison); returns index.html."""
    out = Path(out_dir)
    (out / "q").mkdir(parents=True, exist_ok=True)
    env = environment()
    table = leaderboard(tally, models=models)
    order = [tuple(g) for g in table[GROUP].itertuples(index=False)]
    languages = tally.languages()
    curve, attempts = feedback(tally)
    questions = by_question(tally)
    pages = [{"suite": s, "name": n, "file": question_file(s, n)} for s, n in questions]
    index = env.get_template("index.html.j2").render(
        root="", slices=slices(tally, models), suites=tally.suites(), languages=languages,
        templates=sorted(table.template.unique()), models=sorted(table.model.unique()), facets=facets(table),
        several=bool(table.model.duplicated().any()), notes=[WEIGHTING, METHOD, VERSUS_NOTE],
        scores=score_chart(table, languages), suite_scores=suite_chart(table),
        heatmap=question_heatmap(questions, order), curve=curve, attempts=attempts, pages=pages,
        comparison=comparison is not None, runs=sorted(tally.runs))
    write(out / "index.html", index)
    template, rank = env.get_template("question.html.j2"), {g: i for i, g in enumerate(order)}
    for i, ((suite, name), cells) in enumerate(questions.items()):  # one page in memory at a time
        neighbours = {"prev": pages[i - 1]["file"] if i else None,
                      "next": pages[i + 1]["file"] if i + 1 < len(pages) else None}
        page = question_page(suite, name, cells, examples, rank)
        write(out / page["file"], template.render(root="../", page=page, comparison=comparison is not None,
                                                  **neighbours))
    if comparison is not None:
        write(out / "compare.html", env.get_template("compare.html.j2").render(
            root="", comparison=compare_page(comparison)))
    return out / "index.html"
