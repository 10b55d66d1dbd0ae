"""report.py's terminal leaderboard fits the terminal: with COLUMNS=80 and 120
every printed line fits, the row (model, template, parameters) and its overall
score with interval are always there, more columns come as the width grows, and
one line says where the rest is; piped without COLUMNS it prints every column.
Eval files crafted here (model metadata, two suites, prompt kinds, a long model
name); the real report.py in a subprocess."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from helpers import REPO, write_records
from report_files import MODELS_YAML, crafted, feedback_record, record

from codeinterview.leaderboard import OVERALL

pytestmark = pytest.mark.fast  # no Docker engine, no server, no model

LONG = "an-organisation/a-very-long-model-name-of-many-words-7b-instruct-v0.3-Q4_K_M.gguf"
TREE = {"max_attempts": 4, "reveal": "visible", "n_candidates": 2, "search": "tree",
        "feedback_model": {"executor": "openai", "model": "a-fixer-model-with-a-long-name"}, "review": {"with_verdict": False}}


def report(tmp, columns: int | None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    if columns is not None:
        env["COLUMNS"] = str(columns)
    (tmp / "models.yaml").write_text(MODELS_YAML)
    long_rows = write_records(tmp / "long.ndjson", [record(LONG, "chat-simple", "s1", f"Q{i}", "python", 2 if i else 1)
                                                    for i in range(4)])
    # a feedback run: the tables per attempt and per model call spent
    feedback = write_records(tmp / "feedback.ndjson", [feedback_record("Q0", ["fail", "pass"], TREE),
                                                       feedback_record("Q1", ["fail", "fail", "fail", "pass"], TREE)])
    return subprocess.run([sys.executable, str(REPO / "report.py"), crafted(tmp), long_rows, feedback,
                           "--output-dir", "out"], cwd=tmp, env=env, capture_output=True, text=True, check=True)


def header(stdout: str) -> list[str]:
    """The first table's header cells."""
    line = next(line for line in stdout.splitlines() if line.startswith("│"))
    return [cell.strip() for cell in line.strip("│").split("│")]


@pytest.mark.parametrize("columns", [80, 120])
def test_every_line_fits_and_the_rest_is_named(tmp_path, columns):
    out = report(tmp_path, columns).stdout
    too_wide = [line for line in out.splitlines() if len(line) > columns]
    assert too_wide == []
    assert "Pass rate per attempt" in out and "Pass rate per model call spent" in out  # those tables fit too
    shown = header(out)
    assert shown[:3] == ["model", "template", "params"] and OVERALL in shown
    assert re.search(r"\d+/\d+ \(\d+\.\d%\) \[\d+\.\d-\d+\.\d\]", out)  # the overall score keeps its interval
    assert "…" in out and LONG not in out  # the long name was cut, not the table
    # every column is still in the markdown; the line says how many were left out and where they are
    markdown = (tmp_path / "out" / "leaderboard.md").read_text()
    full = [c.strip() for c in markdown.split("\n| ", 1)[1].split("\n", 1)[0].strip("| ").split("|")]
    left_out = re.search(rf"Left out to fit {columns} columns: (.*) \((\d+)\); every column is in "
                         r"out/leaderboard.md and out/leaderboard.csv \(and the site: --html DIR\)", " ".join(out.split()))
    assert left_out, out
    assert int(left_out.group(2)) == len(full) - len(shown)
    assert all(column in left_out.group(1) for column in full if column not in shown)


def test_a_wider_screen_shows_more_in_order_of_importance(tmp_path):
    shown = {columns: header(report(tmp_path, columns).stdout) for columns in (80, 120, 170, 200)}
    assert shown[80] == ["model", "template", "params", OVERALL]
    assert shown[120] == ["model", "template", "params", "s1", OVERALL]
    assert shown[170] == ["model", "template", "params", "s1", "s2", OVERALL]  # per suite before pass@1
    assert shown[200] == ["model", "template", "params", "s1", "s2", OVERALL, "pass@1"]  # the table's order


def test_piped_without_columns_prints_every_column(tmp_path):
    out = report(tmp_path, None).stdout
    assert "more column" not in out and LONG in out
    assert {"licence", "tags", "s1", "s2", "pass@1", "runs"} <= set(header(out))
