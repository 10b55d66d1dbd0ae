"""report.py --html: the leaderboard site, built from eval files the pipeline
wrote (reference answers, two runs of replayed wrong answers, a feedback run
against a scripted model), checked number by number against the records, then
opened in headless Chromium from disk."""

from __future__ import annotations

import json
import os
import re
from collections import defaultdict
from pathlib import Path

import openai  # noqa: F401  - the feedback run needs the openai executor: required, never skipped
import pytest

from helpers import output_path, records, stage, write_records
from report_files import MODELS_YAML, SEPARATING, Page, crafted, read_page, run_files, stub
from scripted_server import ScriptedModel, Step

from codeinterview.leaderboard import OVERALL

# Replayed wrong answers: per run, questions answered by a stub (right name,
# wrong arity and result: partial credit) and questions not answered (no code).
WRONG_RUNS = ({"stub": {"WordCount", "IsPrime"}, "silent": {"Median"}},
              {"stub": {"WordCount"}, "silent": {"Median", "DigitSum"}})
FEEDBACK_QUESTIONS = ("IsPrime", "DigitSum", "ReverseWords")
CHROMIUM = "/usr/bin/chromium"


def feedback_script(prepared: list[dict]) -> dict:
    """IsPrime: wrong until the verdict shows what it returned, then right;
    DigitSum: right at once; ReverseWords: never right."""
    script = {}
    for r in prepared:
        if r["name"] not in FEEDBACK_QUESTIONS:
            continue
        language, function = r["language"], r["question"]["Signature"].split("(")[0]
        right = r["question"]["Reference"][language]
        wrong = stub(language, function).split("\n", 1)[1].rsplit("\n", 1)[0]
        got = "got None" if language == "python" else "got null"
        script[(function, language)] = {
            "IsPrime": [Step(wrong, got), Step(right)],
            "DigitSum": [Step(right)],
            "ReverseWords": [Step(wrong, "a hint nobody gives")],
        }[r["name"]]
    return script


def build_runs(tmp: Path) -> dict[str, list[Path]]:
    """Eval files as the pipeline writes them: {'reference': [..], 'wrong': [run1, run2], 'feedback': [..]}."""
    prepared = output_path(stage("prepare.py", "--interview", "junior-dev,senior-dev",
                                 "--output", tmp / "prepare.ndjson"))
    answers = output_path(stage("interview.py", "--input", prepared, "--output", tmp / "reference.i.ndjson"))

    def evaluate(answers: Path, name: str) -> Path:
        return output_path(stage("evaluate.py", "--input", answers, "--output", tmp / f"{name}.eval.ndjson",
                                 "--workers", "2"))

    runs = {"reference": [evaluate(answers, "reference")], "wrong": []}
    for i, run in enumerate(WRONG_RUNS, start=1):
        altered = []
        for r in records(answers):
            function = r["question"]["Signature"].split("(")[0]
            if r["name"] in run["stub"]:
                r = {**r, "answer": stub(r["language"], function)}
            elif r["name"] in run["silent"]:
                r = {**r, "answer": "I would rather not."}
            altered.append(r)
        source = write_records(tmp / f"wrong{i}.source.ndjson", altered)
        replayed = output_path(stage("interview.py", "--input", prepared, "--executor", "replay",
                                     "--replay", source, "--model", "wrong", "--output", tmp / f"wrong{i}.i.ndjson"))
        runs["wrong"].append(evaluate(replayed, f"wrong{i}"))

    subset = write_records(tmp / "feedback.p.ndjson",
                           [r for r in records(prepared) if r["name"] in FEEDBACK_QUESTIONS])
    with ScriptedModel(feedback_script(records(subset))) as server:
        asked = output_path(stage("interview.py", "--input", subset, "--executor", "feedback", "--inner", "openai",
                                  "--model", "scripted", "--base-url", server.base_url, "--max-attempts", "3",
                                  "--output", tmp / "feedback.i.ndjson"))
    runs["feedback"] = [evaluate(asked, "feedback")]
    return runs


# --- reading the site back ---

def plain(text: str) -> str:
    """A cell without its interval: '3/4 (75.0%) [50.0-100.0]' -> '3/4 (75.0%)' (tests of the
    intervals themselves: test_leaderboard_stats)."""
    return re.sub(r" \[[^\]]*\]", "", text)


def board(page: Page, suite="all", language="all", intervals=False) -> dict[str, dict[str, str]]:
    """One leaderboard slice: model -> {column: text} (without intervals unless asked)."""
    table = next(t for t in page.tables if "leaderboard" in t["attrs"].get("class", "")
                 and t["attrs"]["data-suite"] == suite and t["attrs"]["data-language"] == language)
    return {row["attrs"]["data-model"]: dict(zip(table["headers"], (c if intervals else plain(c) for c in row["cells"])))
            for row in table["rows"] if row["cells"]}


# --- what the numbers must be, computed from the records alone ---

LABELS = {"reference": "reference", "wrong": "wrong", "feedback": "scripted +feedback(3, visible)"}


def fraction(passed, total) -> str:
    return f"{passed:g}/{total:g} ({100 * passed / total:.1f}%)"


def graded(rows):
    return [r for r in rows if r["status"] != "sandbox_error"]


def expected_row(files: list[Path], suite=None, language=None) -> dict[str, str]:
    per_file = [[r for r in records(f) if suite in (None, r["suite"]) and language in (None, r["language"])]
                for f in files]
    rows = graded([r for part in per_file for r in part])
    want = {OVERALL: fraction(sum(r["passed"] for r in rows), sum(r["total"] for r in rows)),
            "answers fully passed": fraction(sum(r["status"] == "pass" for r in rows), len(rows)),
            "runs": str(len(files))}
    for lang in ("python", "javascript"):
        part = [r for r in rows if r["language"] == lang]
        if part:
            want[lang] = fraction(sum(r["passed"] for r in part), sum(r["total"] for r in part))
    by_question = defaultdict(list)  # pass@1: per question, the share of its samples that passed
    for r in rows:
        by_question[(r["suite"], r["name"], r["language"])].append(r["status"] == "pass")
    want["pass@1"] = f"{sum(sum(v) / len(v) for v in by_question.values()) / len(by_question):.3f}"
    if len(files) > 1:
        scores = [100 * sum(r["passed"] for r in graded(p)) / sum(r["total"] for r in graded(p)) for p in per_file]
        mean = round(sum(scores) / len(scores), 1)
        want["score across runs"] = f"mean {mean:.1f}% (range {round(min(scores), 1):.1f}-{round(max(scores), 1):.1f}%)"
    return want


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("site")
    runs = build_runs(tmp)
    files = [f for group in runs.values() for f in group]
    proc = stage("report.py", *files, "--output-dir", tmp / "out", "--html", tmp / "site")
    return {"runs": runs, "dir": tmp / "site", "out": tmp / "out", "stdout": proc.stdout,
            "prepared": records(tmp / "prepare.ndjson")}


def test_leaderboard_numbers_are_the_records_numbers(site):
    shown = board(read_page(site["dir"] / "index.html"))
    assert set(shown) == {"reference", "wrong", LABELS["feedback"]}
    for key, files in site["runs"].items():
        row = shown[LABELS[key]]
        for column, value in expected_row(files).items():
            assert row[column] == value, (key, column)
    # two runs of one model are pooled with their spread, not reduced to the best
    wrong = shown["wrong"]
    assert wrong["runs"] == "2" and wrong["score across runs"].startswith("mean ")
    # the feedback row: first attempt and after the last, from the graded attempts
    rows = graded(records(site["runs"]["feedback"][0]))
    fb = shown[LABELS["feedback"]]
    assert fb["pass@1 (1st attempt)"] == fraction(sum(r["attempts_graded"][0]["status"] == "pass" for r in rows), len(rows))
    assert fb["pass after 3"] == fraction(sum(any(a["status"] == "pass" for a in r["attempts_graded"]) for r in rows), len(rows))
    tokens = [r["usage"]["prompt_tokens"] + r["usage"]["completion_tokens"] for r in rows]
    assert fb["tokens/answer"] == f"{sum(tokens) / len(tokens):.0f}"
    assert sum(r["passed"] for r in rows) < sum(r["total"] for r in rows)  # a run with failures, not all-pass


def test_markdown_csv_and_html_say_the_same(site):
    shown = board(read_page(site["dir"] / "index.html"), intervals=True)
    lines = (site["out"] / "leaderboard.md").read_text().split("## ")[0].splitlines()
    header = [h.strip() for h in lines[2].strip("|").split("|")]
    for line in (line for line in lines[4:] if line.startswith("|")):
        cells = dict(zip(header, (c.strip() for c in line.strip("|").split("|"))))
        html = shown[cells["model"]]
        assert {k: v for k, v in cells.items() if k in html} == {k: v for k, v in html.items() if k in cells}
    import csv
    for row in csv.DictReader((site["out"] / "leaderboard.csv").open()):
        html = shown[row["model"]]
        assert html[OVERALL].startswith(f"{float(row['passed']):g}/{float(row['total']):g} ")
        assert html["runs"] == row["runs"]


@pytest.mark.parametrize("suite,language", [("senior-dev", "all"), ("all", "python"), ("junior-dev", "javascript")])
def test_suite_and_language_slices_are_recomputed(site, suite, language):
    shown = board(read_page(site["dir"] / "index.html"), suite, language)
    for key, files in site["runs"].items():
        if key == "feedback" and suite == "senior-dev":
            assert LABELS[key] not in shown  # the feedback run asked no senior-dev question
            continue
        want = expected_row(files, None if suite == "all" else suite, None if language == "all" else language)
        assert {k: shown[LABELS[key]][k] for k in want} == want


def cell_kind(rows) -> str:
    rows = graded(rows)
    if all(r["status"] == "pass" for r in rows):
        return "pass"
    return "fail" if sum(r["passed"] for r in rows) == 0 else "partial"


def test_heatmap_cells_are_pass_partial_fail_per_question_and_model(site):
    cells = {(a["data-question"], a["data-column"].split(" · ")[0]): a["data-status"]
             for tag, a in read_page(site["dir"] / "index.html").elements if tag == "rect" and "data-status" in a}
    want = {}
    for key, files in site["runs"].items():
        by_question = defaultdict(list)
        for r in (r for f in files for r in records(f)):
            by_question[f"{r['suite']}/{r['name']} ({r['language']})"].append(r)
        for question, rows in by_question.items():
            want[(question, LABELS[key].split(" · ")[0])] = cell_kind(rows)
    asked = {k: v for k, v in cells.items() if v != "none"}
    assert asked == want
    assert {"pass", "partial", "fail"} <= set(asked.values())
    asked_of_all = {(r["suite"], r["name"], r["language"]) for r in site["prepared"]}
    assert len(cells) == len(asked_of_all) * len(site["runs"])  # every question x every row, "none" where a row did not ask it


def test_feedback_curve_is_the_pass_rate_after_each_attempt(site):
    rows = graded(records(site["runs"]["feedback"][0]))
    attempts = max(len(r["attempts_graded"]) for r in rows)
    rates = [100 * sum(any(a["status"] == "pass" for a in r["attempts_graded"][:k]) for r in rows) / len(rows)
             for k in range(1, attempts + 1)]
    text = (site["dir"] / "index.html").read_text()
    shown = re.findall(r"scripted \+feedback\(3, visible\) · chat-simple · greedy: ([\d.]+)% after attempt (\d+)", text)
    assert [(float(p), int(k)) for p, k in shown] == [(round(r, 1), k) for k, r in enumerate(rates, start=1)]
    assert rates[0] < rates[-1]  # the loop fixed something


def test_question_page_shows_each_answer_with_expected_and_got(site):
    path = site["dir"] / "q" / "junior-dev--Median.html"
    text, page = path.read_text(), read_page(path)
    rows = [r for group in site["runs"].values() for f in group for r in records(f) if r["name"] == "Median"]
    assert rows
    checks = [t for t in page.tables if "checks" in t["attrs"].get("class", "")]
    assert len(checks) == len(rows)  # one answer per run (its first sample), and every run here has one
    shown = [row["cells"][1:5] for t in checks for row in t["rows"] if row["cells"]]
    for r in rows:
        assert f'<span class="status {r["status"]}">{r["status"]}</span>' in text
        for c in r["checks"]:  # values as JSON, so the string "1" and the number 1 differ
            name, expected, got = c["name"], json.dumps(c["expected"], ensure_ascii=False), \
                json.dumps(c["got"], ensure_ascii=False)
            assert any(n.startswith(name) and a == c["assert"] and e == expected and g.startswith(got)
                       for n, a, e, g in shown), (r["language"], c["name"])
    assert any(not c["passed"] for r in rows for c in r["checks"])  # wrong answers are among them
    # the side-by-side columns, one per leaderboard row that answered Median, per language
    columns = [a["data-model"] for tag, a in page.elements if tag == "div" and a.get("class") == "column"]
    assert sorted(columns) == sorted(["reference · chat-simple · greedy", "wrong · chat-simple · greedy"] * 2)


def test_site_is_self_contained_and_every_link_resolves(site):
    pages = list(site["dir"].rglob("*.html"))
    assert len(pages) == 1 + len({(r["suite"], r["name"]) for r in site["prepared"]})  # the index, one page per question
    for path in pages:
        page = read_page(path)
        for tag, attrs in page.elements:
            assert not (tag == "script" and "src" in attrs) and tag not in ("link", "img", "iframe"), path
            href = attrs.get("href")
            if href and tag == "a":
                assert not re.match(r"^(https?:)?//", href), href
                target = (path.parent / href.split("#")[0]).resolve()
                assert target.is_file(), (path, href)
        assert "url(" not in path.read_text() and "@import" not in path.read_text()


# --- in a browser ---

@pytest.fixture(scope="module")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"the browser test needs Debian's chromium at {CHROMIUM} (bash scripts/test.sh installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        # Debian's chromium, never a downloaded one; --no-sandbox: CI runs as root in a container
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield chromium
        chromium.close()


def visible_rows(page) -> list[list[str]]:
    return page.eval_on_selector_all(
        "table.leaderboard:not([hidden]) tbody tr:not([hidden])",
        "rows => rows.map(r => Array.from(r.cells, c => c.textContent.trim()))")


def test_in_chromium_sort_filter_and_open_a_question(site, browser, tmp_path):
    shots = Path(os.environ.get("CODEINTERVIEW_SCREENSHOTS", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    problems, requests = [], []
    page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    page.goto((site["dir"] / "index.html").as_uri())
    headers = page.eval_on_selector_all("table.leaderboard:not([hidden]) th", "hs => hs.map(h => h.textContent)")
    assert page.inner_text("#shown-count") == "3 row(s) shown"

    # sort by overall score: ascending on the first click of a numeric column is descending (best first)
    overall = headers.index(OVERALL)
    page.click(f"table.leaderboard:not([hidden]) th[data-col='{OVERALL}']")
    scores = [float(re.search(r"\(([\d.]+)%", row[overall]).group(1)) for row in visible_rows(page)]
    assert scores == sorted(scores, reverse=True) and len(scores) == 3
    page.click(f"table.leaderboard:not([hidden]) th[data-col='{OVERALL}']")
    assert [float(re.search(r"\(([\d.]+)%", row[overall]).group(1)) for row in visible_rows(page)] == sorted(scores)
    page.click("table.leaderboard:not([hidden]) th[data-col='model']")
    assert [row[0] for row in visible_rows(page)] == sorted([row[0] for row in visible_rows(page)], reverse=True)
    page.screenshot(path=str(shots / "leaderboard.png"))

    # filter: language picks the recomputed slice, model hides rows
    page.select_option("#f-language", "python")
    python = {row[0]: row for row in visible_rows(page)}
    sliced = page.eval_on_selector_all("table.leaderboard:not([hidden]) th", "hs => hs.map(h => h.textContent)")
    want = expected_row(site["runs"]["wrong"], language="python")
    assert plain(python["wrong"][sliced.index(OVERALL)]) == want[OVERALL] == plain(python["wrong"][sliced.index("python")])
    assert "javascript" not in sliced
    page.select_option("#f-model", "wrong")
    assert [row[0] for row in visible_rows(page)] == ["wrong"]
    assert page.inner_text("#shown-count") == "1 row(s) shown"
    page.select_option("#f-suite", "senior-dev")
    page.select_option("#f-model", LABELS["feedback"])
    assert visible_rows(page) == []  # the feedback run asked no senior-dev question
    page.select_option("#f-suite", "all")
    page.select_option("#f-model", "all")
    page.screenshot(path=str(shots / "filtered.png"))

    # from the heatmap to a question page, answers side by side
    page.click("a[href='q/junior-dev--IsPrime.html#python'] rect[data-column^='scripted']")
    page.wait_for_load_state()
    assert page.url.endswith("q/junior-dev--IsPrime.html#python")
    assert page.inner_text("h1") == "junior-dev/IsPrime"
    columns = page.eval_on_selector_all("#python .column h3", "hs => hs.map(h => h.textContent.trim())")
    assert len(columns) == 3
    page.screenshot(path=str(shots / "question.png"))
    page.goto((site["dir"] / "index.html").as_uri() + "#questions")
    page.screenshot(path=str(shots / "charts.png"), full_page=True)

    assert problems == []
    assert all(url.startswith("file://") for url in requests), requests  # nothing fetched from a network


# --- a crafted leaderboard: model metadata, two suites, prompt kinds, an N-way compare (no sandbox) ---

@pytest.fixture(scope="module")
def crafted_site(tmp_path_factory):
    """The crafted rows of report_files (metadata, two templates of one model, a FIM row, two suites)
    and its three compare runs in a titled compare config."""
    tmp = tmp_path_factory.mktemp("crafted")
    models = tmp / "meta.yaml"
    models.write_text(MODELS_YAML)
    run_files(tmp)
    config = tmp / "compare.yaml"
    config.write_text("title: Three runs\ngroups:\n" + "".join(
        f"  - title: run {run}\n    files: [{run}.ndjson]\n" for run in "abc"))
    stage("report.py", crafted(tmp), "--models", models, "--compare-config", config,
          "--output-dir", tmp / "out", "--html", tmp / "site")
    return {"dir": tmp / "site", "separating": SEPARATING}


def watched(browser):
    """A page that records console problems and every request it makes."""
    page = browser.new_page(viewport={"width": 1500, "height": 950})
    problems, requests = [], []
    page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    return page, problems, requests


def shown_rows(page) -> list[tuple[str, str]]:
    """(model, template) of the rows the filters leave visible."""
    return page.eval_on_selector_all("table.leaderboard:not([hidden]) tbody tr:not([hidden])",
                                     "rows => rows.map(r => [r.dataset.model, r.dataset.template])")


def test_in_chromium_metadata_filters_suites_and_n_way_compare(crafted_site, browser, tmp_path):
    shots = Path(os.environ.get("CODEINTERVIEW_SCREENSHOTS", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    page, problems, requests = watched(browser)
    page.goto((crafted_site["dir"] / "index.html").as_uri())
    headers = page.eval_on_selector_all("table.leaderboard:not([hidden]) th", "hs => hs.map(h => h.textContent)")
    for column in ("kind", "name", "size", "quant", "licence", "tags", "s1", "s2", OVERALL):
        assert column in headers, column
    everything = shown_rows(page)
    assert len(everything) == 7  # acme twice, other-13b, fim-model, the three compared runs

    # the per-suite view: other-13b passes all of s1 and none of s2, each with its interval
    other = next(r for r in visible_rows(page) if r[0] == "other-13b")
    assert other[headers.index("s1")] == "12/12 (100.0%) [100.0-100.0]"
    assert other[headers.index("s2")].startswith("0/12 (0.0%")
    assert page.locator(".suite-chart svg rect.bar").count() > 0
    page.select_option("#f-suite", "s2")
    sliced = page.eval_on_selector_all("table.leaderboard:not([hidden]) th", "hs => hs.map(h => h.textContent)")
    assert "s1" not in sliced and "s2" not in sliced  # one suite: its score is the overall
    assert next(r for r in visible_rows(page) if r[0] == "other-13b")[sliced.index(OVERALL)].startswith("0/12 ")
    page.select_option("#f-suite", "all")

    # metadata filters, prompt kind, best result per model
    for select, value, want in (("#f-size", "7B", {("acme-7b-q4", "chat-simple"), ("acme-7b-q4", "completion")}),
                                ("#f-quantisation", "Q4_K_M", {("acme-7b-q4", "chat-simple"), ("acme-7b-q4", "completion")}),
                                ("#f-licence", "llama2", {("other-13b", "chat-simple")}),
                                ("#f-tags", "small", {("acme-7b-q4", "chat-simple"), ("acme-7b-q4", "completion")}),
                                ("#f-kind", "fim", {("fim-model", "fim-plain")})):
        page.select_option(select, value)
        assert set(map(tuple, shown_rows(page))) == want, select
        page.select_option(select, "all")
    page.select_option("#f-size", "7B")
    page.check("#f-best")
    assert shown_rows(page) == [["acme-7b-q4", "chat-simple"]]  # its better template only
    assert page.inner_text("#shown-count") == "1 row(s) shown"
    page.select_option("#f-size", "all")
    assert len(shown_rows(page)) == 6  # one row per model
    page.uncheck("#f-best")
    assert len(shown_rows(page)) == 7
    page.screenshot(path=str(shots / "leaderboard-metadata.png"))

    # the N-way compare page: exactly the separating questions, paired tests per pair of runs
    page.click("header a[href='compare.html']")
    page.wait_for_load_state()
    assert page.inner_text("h1") == "Three runs"
    questions = page.eval_on_selector_all("table.separating tbody tr td:first-child",
                                          "cells => cells.map(c => c.textContent.trim())")
    assert sorted(q.split("/")[1] for q in questions) == sorted(crafted_site["separating"])
    verdicts = page.eval_on_selector_all("table.paired tbody tr", "rows => rows.map(r => r.dataset.verdict)")
    assert len(verdicts) == 7 and all(verdicts)
    page.click("table.separating tbody tr:first-child a")
    page.wait_for_load_state()
    assert "/q/s1--Q1.html" in page.url
    page.go_back()
    page.screenshot(path=str(shots / "compare.png"), full_page=True)

    assert problems == []
    assert all(url.startswith("file://") for url in requests), requests  # nothing fetched from a network
