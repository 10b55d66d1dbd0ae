"""Generated questions through the real pipeline and the Docker sandbox:
every generator's references pass their own checks in Python and JavaScript
at every level of its default grid; a scripted model behind a real
OpenAI-compatible server that is right only up to a size has exactly that
reach in the surfaces (with its interval), the heatmap page renders in
headless Chromium without a console error or a network request, and the
epoch proposed from its run drops what it cleared and draws the harder grid."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections import Counter

import openai  # noqa: F401  - the scripted run needs the openai executor: required, never skipped
import pytest

from codeinterview import generators
from codeinterview.generators.grid import parse_grid
from codeinterview.generators.surfaces import collect, wilson, write_surfaces
from helpers import REPO, output_path, records, stage
from scripted_server import ScriptedModel, Step

CHROMIUM = "/usr/bin/chromium"
SIZE = 8  # the scripted model is right while a program has at most SIZE instructions
GRID = "vm:length=4..12/4,depth=0|1"


def epoch(*args, check=True):
    """`codeinterview epoch ...` as a user runs it."""
    proc = subprocess.run([sys.executable, "-m", "codeinterview", "epoch", *map(str, args)], cwd=REPO,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0 or not check, proc.stderr
    return proc


def evaluate(tmp, answers, name):
    return output_path(stage("evaluate.py", "--input", answers, "--output", tmp / f"{name}.eval.ndjson",
                             "--workers", "2"))


def test_references_pass_in_python_and_javascript_at_every_level(tmp_path):
    specs = [arg for name in generators.names() for arg in ("--generate", name)]
    prepared = output_path(stage("prepare.py", *specs, "--instances", "1", "--seed", "3",
                                 "--output", tmp_path / "p.ndjson"))
    answers = output_path(stage("interview.py", "--input", prepared, "--output", tmp_path / "i.ndjson"))
    rows = records(evaluate(tmp_path, answers, "reference"))
    levels = {name: len(list(parse_grid(name).levels())) for name in generators.names()}
    assert Counter((r["suite"], r["language"]) for r in rows) == {
        (f"gen-{name}", language): count for name, count in levels.items() for language in ("python", "javascript")}
    failing = [(r["name"], r["language"], r["status"], r.get("error")) for r in rows if r["status"] != "pass"]
    assert failing == []
    assert all(any(not c["visible"] for c in r["checks"]) for r in rows)  # hidden checks everywhere


class SizedModel(ScriptedModel):
    """Finds each prompt's question by its text (every generated instance has its own rules)."""

    def __init__(self, by_prompt: dict[str, str], script):
        super().__init__(script)
        self.by_prompt = by_prompt

    def locate(self, first: str) -> tuple[str, str]:
        return self.by_prompt[first.strip()], "python"


@pytest.fixture(scope="module")
def scripted_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("surfaces")
    prepared = output_path(stage("prepare.py", "--generate", GRID, "--instances", "2", "--seed", "11",
                                 "--languages", "python", "--output", tmp / "p.ndjson"))
    by_prompt, script = {}, {}
    for r in records(prepared):
        first = "\n".join(m["content"] for m in r["prompt"])
        by_prompt[first.strip()] = r["name"]
        right = r["question"]["Generator"]["knobs"]["length"] <= SIZE
        script[(r["name"], "python")] = [Step(r["question"]["Reference"]["python"] if right
                                              else "def run_program(program):\n    return []\n")]
    with SizedModel(by_prompt, script) as server:
        asked = output_path(stage("interview.py", "--input", prepared, "--executor", "openai", "--model", "sized",
                                  "--base-url", server.base_url, "--output", tmp / "i.ndjson"))
    return tmp, evaluate(tmp, asked, "sized")


def test_reach_is_the_size_the_model_is_right_up_to(scripted_run):
    tmp, graded = scripted_run
    rows = records(graded)
    assert {r["status"] for r in rows if r["question"]["Generator"]["knobs"]["length"] <= SIZE} == {"pass"}
    assert {r["status"] for r in rows if r["question"]["Generator"]["knobs"]["length"] > SIZE} == {"fail"}
    (surface,) = collect([graded]).values()
    reach = surface.reach("length")
    # 4 answers per length (2 depths x 2 instances): 4/4 clears even at the interval's lower bound
    # (0.51 >= 0.5) and 0/4 fails even at its upper bound (0.49), so the interval is the size itself
    assert (reach.value, reach.low, reach.high) == (SIZE, SIZE, SIZE)
    depth = surface.reach("depth")  # 4 of each depth's 6 answers pass: 67% clears, its lower bound (30%) not
    assert (depth.value, depth.low, depth.high) == (1, None, 1)
    # as a user gets them: report.py --surfaces
    proc = stage("report.py", graded, "--output-dir", tmp / "report", "--surfaces", tmp / "surfaces")
    assert f"wrote {tmp / 'surfaces' / 'surfaces.html'}" in proc.stderr
    text = (tmp / "surfaces" / "surfaces.md").read_text()
    assert f"length {SIZE} [{SIZE}, {SIZE}]" in text and "depth 1 [none, 1]" in text
    lo, hi = wilson(2, 2)
    assert f"| 8 | 1 | 100% [{100 * lo:.0f}%, 100%] (2/2) |" in text
    tokens = [len(r["answer"].split()) for r in rows if r["name"].startswith("vm/length=4/depth=0/")]
    assert re.search(rf"\| 4 \| 0 \| 100% \[\d+%, 100%\] \(2/2\) \| {sum(tokens) / 2:.0f} \|", text), text
    assert "| 12 | 0 | 0% [0%, " in text and "(0/2) | — |" in text


def test_heatmap_renders_in_chromium_without_errors_or_network(scripted_run, tmp_path):
    _, graded = scripted_run
    _, page_path = write_surfaces([graded], tmp_path)
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"the browser test needs Debian's chromium at {CHROMIUM} (bash scripts/test.sh installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page()
        problems, requests = [], []
        page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.on("request", lambda r: requests.append(r.url))
        page.goto(page_path.as_uri())
        rates = page.eval_on_selector_all("table.heatmap td[data-rate]", "cs => cs.map(c => Number(c.dataset.rate))")
        headers = page.eval_on_selector_all("table.heatmap thead th", "hs => hs.map(h => h.textContent)")
        shown = page.is_visible("table.heatmap")
        browser.close()
    assert shown and headers == ["", "length=4", "length=8", "length=12"]
    assert rates == [1, 1, 0, 1, 1, 0]  # depth 1 row on top, then depth 0; the long programs fail
    assert problems == [] and all(url.startswith("file://") for url in requests), (problems, requests)


def test_next_epoch_drops_cleared_lengths_and_prepare_draws_it(scripted_run, tmp_path):
    _, graded = scripted_run
    written = output_path(epoch("--name", "e2", "--previous", "e1", "--seed", "4", "--instances", "1",
                                "--epochs-dir", tmp_path, graded))
    text = written.read_text()
    assert "length: [12, 16, 20]" in text and "depth: [0, 1]" in text and "seed: 4" in text
    again = epoch("--name", "e2", "--epochs-dir", tmp_path, graded, check=False)
    assert again.returncode == 2 and "exists" in again.stderr
    rows = records(output_path(stage("prepare.py", "--epoch", written, "--languages", "python",
                                     "--output", tmp_path / "e2.ndjson")))
    assert {r["suite"] for r in rows} == {"e2-vm"}
    assert sorted({(r["question"]["Generator"]["knobs"]["length"], r["question"]["Generator"]["epoch"])
                   for r in rows}) == [(12, "e2"), (16, "e2"), (20, "e2")]
