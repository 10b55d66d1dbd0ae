"""report.py --compare: two runs of one model (replayed answers, graded in the
real sandbox); the flipped questions and changed checks must be exactly those
the two eval files differ in."""

from __future__ import annotations

import json

import pytest

from helpers import output_path, records, stage, write_records
from report_files import read_page, stub

# Run A misses WordCount and IsPrime; run B misses WordCount and Median.
RUNS = {"a": {"WordCount", "IsPrime"}, "b": {"WordCount", "Median"}}


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("compare")
    prepared = output_path(stage("prepare.py", "--interview", "junior-dev", "--output", tmp / "p.ndjson"))
    answers = records(output_path(stage("interview.py", "--input", prepared, "--output", tmp / "ref.ndjson")))
    files = []
    for run, wrong in RUNS.items():
        source = write_records(tmp / f"{run}.source.ndjson", [
            {**r, "answer": stub(r["language"], r["question"]["Signature"].split("(")[0])}
            if r["name"] in wrong else r for r in answers])
        replayed = output_path(stage("interview.py", "--input", prepared, "--executor", "replay", "--replay",
                                     source, "--model", "quant-q4" if run == "a" else "quant-q8",
                                     "--output", tmp / f"{run}.i.ndjson"))
        files.append(output_path(stage("evaluate.py", "--input", replayed, "--output", tmp / f"{run}.eval.ndjson")))
    return tmp, files


def expected(files):
    """From the records alone: {key: (A passes, B passes)} for flips, and the changed checks."""
    a, b = ({(r["suite"], r["name"], r["language"], r["sample"]): r for r in records(f)} for f in files)
    flips = {k: ("fixed" if b[k]["status"] == "pass" else "broke") for k in a
             if (a[k]["status"] == "pass") != (b[k]["status"] == "pass")}
    checks = set()
    for k in a:
        got_b = {c["name"]: c for c in b[k]["checks"]}
        for c in a[k]["checks"]:
            other = got_b[c["name"]]
            if c["passed"] != other["passed"] or json.dumps(c["got"], sort_keys=True) != json.dumps(other["got"], sort_keys=True):
                checks.add((*k, c["name"]))
    return flips, checks


def test_compare_lists_the_flipped_questions_and_changed_checks(two_runs):
    tmp, files = two_runs
    proc = stage("report.py", *files, "--compare", "--output-dir", tmp / "out", "--html", tmp / "site")
    flips, checks = expected(files)
    # IsPrime is fixed in B, Median broke in B; WordCount is wrong in both: no flip
    assert {k[1] for k in flips} == {"IsPrime", "Median"}
    assert {v for k, v in flips.items() if k[1] == "IsPrime"} == {"fixed"}
    assert {v for k, v in flips.items() if k[1] == "Median"} == {"broke"}
    assert checks and all(c[1] in ("IsPrime", "Median") for c in checks)

    page = read_page(tmp / "site" / "compare.html")
    flip_rows = next(t for t in page.tables if "flips" in t["attrs"].get("class", ""))["rows"]
    shown = {(cells[0].split("/")[0], cells[0].split("/")[1], cells[1], int(cells[2])): cells[3]
             for cells in (r["cells"] for r in flip_rows) if cells}
    assert shown == flips
    check_rows = next(t for t in page.tables if "changed-checks" in t["attrs"].get("class", ""))["rows"]
    assert {(c[0].split("/")[0], c[0].split("/")[1], c[1], int(c[2]), c[3])
            for c in (r["cells"] for r in check_rows) if c} == checks
    summary = {row["cells"][0]: row["cells"][1] for t in page.tables if "summary" in t["attrs"].get("class", "")
               for row in t["rows"] if len(row["cells"]) == 2}
    assert summary["fixed (B passes, A did not)"] == str(sum(v == "fixed" for v in flips.values()))
    assert summary["broke (A passed, B does not)"] == str(sum(v == "broke" for v in flips.values()))
    assert summary["checks changed"] == str(len(checks))
    assert "quant-q4" in summary["run A"] and "quant-q8" in summary["run B"]

    # the N-way table, on two groups: exactly the questions whose results differ
    separating = next(t for t in page.tables if "separating" in t["attrs"].get("class", ""))["rows"]
    assert {tuple(c[0].split("/")) for c in (r["cells"] for r in separating) if c} == \
        {(k[0], k[1]) for k in flips}
    assert any("paired" in t["attrs"].get("class", "") for t in page.tables)

    markdown = (tmp / "out" / "compare.md").read_text()
    assert "## Questions that flipped" in markdown and "Compare 2 runs" in proc.stdout
    for (suite, name, language, _sample), change in flips.items():
        assert any(f"| {suite} " in line and f"| {name} " in line and f"| {language} " in line
                   and f"| {change} " in line for line in markdown.splitlines())


def test_compare_needs_two_runs_or_more(two_runs):
    tmp, files = two_runs
    proc = stage("report.py", files[0], "--compare", "--output-dir", tmp / "out1", check=False)
    assert proc.returncode == 2 and "--compare needs at least two eval files" in proc.stderr
    assert "Traceback" not in proc.stderr
