"""N-way compare (report.py --compare A B C, and --compare-config): on eval
files crafted so that exactly three questions separate the three runs, the
text, markdown and HTML list exactly those, with exactly the checks that
differ; a sandbox error is no result; a question one run did not answer does
not separate."""

from __future__ import annotations

import re

import pytest

from helpers import records, stage
from report_files import RUNS, SEPARATING, read_page, run_files

pytestmark = pytest.mark.fast  # no Docker engine, no server, no model


def markdown_rows(text: str, heading: str) -> list[dict[str, str]]:
    """The github table under a '## heading' of a markdown file."""
    part = text.split(f"## {heading}", 1)[1].split("\n## ", 1)[0]
    lines = [line for line in part.splitlines() if line.startswith("|")]
    header = [h.strip() for h in lines[0].strip("|").split("|")]
    return [dict(zip(header, (c.strip() for c in line.strip("|").split("|")))) for line in lines[2:]]


def differing(cell: str) -> list[str]:
    return [] if cell == "-" else [part.split(":")[0] for part in cell.split("; ")]


def test_n_way_compare_lists_exactly_the_separating_questions(tmp_path):
    files = run_files(tmp_path)
    proc = stage("report.py", "--compare", *files, "--output-dir", tmp_path / "out", "--html", tmp_path / "site")
    assert "Compare 3 runs" in proc.stdout and "Questions that separate the groups (3)" in proc.stdout

    md = (tmp_path / "out" / "compare.md").read_text()
    shown = {row["question"]: row for row in markdown_rows(md, "Questions that separate the groups")}
    assert {q: differing(row["checks that differ"]) for q, row in shown.items()} == SEPARATING
    assert shown["Q1"]["B"].startswith("fail 0/1") and shown["Q1"]["A"].startswith("pass 1/1")
    assert shown["Q4"]["A"] == "-"  # only a sandbox error: no result
    assert "c1: A 1/1, B 0/1, C 1/1" in shown["Q1"]["checks that differ"]
    for row in (line for line in proc.stdout.splitlines() if re.search(r"│ Q\d ", line)):
        assert re.search(r"│ (Q\d) ", row).group(1) in SEPARATING  # the terminal lists the same three

    page = read_page(tmp_path / "site" / "compare.html")
    table = next(t for t in page.tables if "separating" in t["attrs"].get("class", ""))
    html = {cells[0].split("/")[1]: differing(cells[-1]) for cells in (r["cells"] for r in table["rows"]) if cells}
    assert html == SEPARATING
    assert table["headers"] == ["question", "language", "A", "B", "C", "checks that differ"]
    groups = next(t for t in page.tables if "groups" in t["attrs"].get("class", ""))
    assert [r["cells"][1] for r in groups["rows"] if r["cells"]] == [
        f"model-{run} · chat-simple · greedy ({run}.ndjson)" for run in RUNS]
    # three runs: pairs A-B, A-C, B-C on all suites and per suite (s2: only A and B asked R0)
    paired = next(t for t in page.tables if "paired" in t["attrs"].get("class", ""))
    pairs = {(c[0], c[1]) for c in (r["cells"] for r in paired["rows"]) if c}
    assert pairs == {(s, p) for s in ("all suites", "s1") for p in ("A vs B", "A vs C", "B vs C")} | {("s2", "A vs B")}
    assert "Questions that flipped" not in md  # the answer-by-answer listing: two runs only


def test_compare_config_groups_titled_files(tmp_path):
    a, b, c = run_files(tmp_path, split_b=True)
    config = tmp_path / "compare.yaml"
    config.write_text("title: Three quantisations\ngroups:\n"
                      "  - title: Q4_K_M\n    files: [a.ndjson]\n"
                      "  - title: Q5_K_M\n    files: ['b*.ndjson']\n"
                      f"  - title: Q8_0\n    files: [{c}]\n")
    proc = stage("report.py", "--compare-config", config, "--output-dir", tmp_path / "out", "--html", tmp_path / "site")
    assert "Three quantisations" in proc.stdout
    md = (tmp_path / "out" / "compare.md").read_text()
    assert md.startswith("# Three quantisations")
    assert [row["title"] for row in markdown_rows(md, "Groups")] == ["Q4_K_M", "Q5_K_M", "Q8_0"]
    assert [row["questions"] for row in markdown_rows(md, "Groups")] == ["5", "6", "5"]  # B: both files
    shown = {row["question"]: differing(row["checks that differ"])
             for row in markdown_rows(md, "Questions that separate the groups")}
    assert shown == SEPARATING
    # the leaderboard covers every file of the config
    board = (tmp_path / "out" / "leaderboard.md").read_text()
    assert all(f"model-{run}" in board for run in RUNS)
    assert len(records(tmp_path / "b1.ndjson")) + len(records(tmp_path / "b2.ndjson")) == len(RUNS["b"])


@pytest.mark.parametrize("config,message", [
    ("groups: [{title: only, files: [a.ndjson]}]", "two or more entries"),
    ("groups:\n  - {title: A, files: [a.ndjson]}\n  - {title: B, files: [missing*.ndjson]}",
     "group 2 (B): no eval file matches missing*.ndjson"),
    ("groups:\n  - {title: A, files: [a.ndjson]}\n  - {files: [a.ndjson]}", "group 2: needs a 'title'"),
])
def test_a_bad_compare_config_says_what_to_fix(tmp_path, config, message):
    run_files(tmp_path)
    path = tmp_path / "bad.yaml"
    path.write_text(config)
    proc = stage("report.py", "--compare-config", path, "--output-dir", tmp_path / "out", check=False)
    assert proc.returncode == 2 and message in proc.stderr and str(path) in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr
