"""Installed as a user installs it: a wheel built from the checkout, in a fresh
virtual environment outside it, the `codeinterview` command run from an
unrelated folder (bundled data found through the package, outputs under that
folder's results/), and local suites and templates winning by name."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import REPO

SUBSET = "WordCount,InvertDict"  # two bundled junior-dev questions: enough to cross every stage
MARK = "LOCAL TEMPLATE MARK"
LOCAL_SUITE = """\
Doubled:
  Signature: "doubled(x)"
  Input: "a number `x`"
  Output: "twice x"
  Checks:
    two:
      assert: "f.call(2)"
      eq: 4
  Reference:
    python: |
      def doubled(x):
          return 2 * x
"""
LOCAL_TEMPLATE = f"""\
kind: chat
messages:
  - role: user
    content: "{MARK}: write `{{{{ Signature }}}}` in {{{{ language }}}}."
"""


def clean_env() -> dict[str, str]:
    """No trace of the checkout or of a test's results folder."""
    drop = {"PYTHONPATH", "CODEINTERVIEW_RESULTS", "CODEINTERVIEW_SANDBOX_DIR", "VIRTUAL_ENV"}
    return {k: v for k, v in os.environ.items() if k not in drop}


def run(argv: list, cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess:
    proc = subprocess.run([str(a) for a in argv], cwd=cwd, env=clean_env(), capture_output=True, text=True,
                          timeout=timeout)
    if proc.returncode != 0:
        raise AssertionError(f"{' '.join(map(str, argv))} exited {proc.returncode}:\n{proc.stdout[-2000:]}\n"
                             f"{proc.stderr[-3000:]}")
    return proc


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The `codeinterview` command of a wheel installed into a fresh venv."""
    tmp = tmp_path_factory.mktemp("install")
    # the wheel is built from a copy: what git tracks (or would), never the checkout's build/ or results/
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=REPO, check=True,
                           capture_output=True).stdout.decode().split("\0")
    source = tmp / "source"
    for name in filter(None, files):
        if (REPO / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            (source / name).write_bytes((REPO / name).read_bytes())
    built = run([sys.executable, "-m", "pip", "wheel", source, "--no-deps", "-w", tmp / "wheel"], cwd=tmp)
    # every shipped folder is a package or its parent's package data (setup.py): setuptools has nothing to say
    assert not re.search(r"\w+Warning\b|would be ignored", built.stdout + built.stderr), built.stderr[-3000:]
    wheel = next((tmp / "wheel").glob("codeinterview-*.whl"))
    run([sys.executable, "-m", "venv", tmp / "venv"], cwd=tmp)
    run([tmp / "venv" / "bin" / "python", "-m", "pip", "install", "-q", wheel], cwd=tmp)
    return tmp / "venv" / "bin" / "codeinterview"


def packages(root: Path) -> set[str]:
    return {str(p.parent.relative_to(root)) for p in root.rglob("__init__.py") if "_data" not in p.parts}


def pipeline(command: Path, cwd: Path, *prepare_args: str) -> list[dict]:
    """prepare -> interview (reference) -> evaluate -> report from `cwd`; the eval records."""
    last = lambda proc: Path(proc.stdout.strip().splitlines()[-1])  # noqa: E731 (each stage prints its output last)
    prepared = last(run([command, "prepare", *prepare_args], cwd))
    answers = last(run([command, "interview", "--input", prepared, "--executor", "reference"], cwd))
    # generous limits: a loaded machine must not turn a reference answer into a timeout
    graded = last(run([command, "evaluate", "--input", answers, "--workers", "1", "--check-timeout", "30",
                       "--job-timeout", "120"], cwd))
    run([command, "report", graded], cwd)
    for path in (prepared, answers, graded):
        assert path.parent == cwd / "results", path
    assert (cwd / "results" / "leaderboard.md").is_file()
    return [json.loads(line) for line in graded.read_text().splitlines()]


def test_the_installed_command_grades_a_bundled_suite_from_any_folder(installed, sandbox_image, tmp_path):
    located = run([installed.parent / "python", "-c", "import codeinterview.paths as p; "
                   "print(p.__file__); print(p.data_dir('sandbox'))"], tmp_path).stdout.split()
    assert all(str(REPO) not in line and "site-packages" in line for line in located), located
    installed_packages = Path(located[0]).parent  # every code package made it into the wheel
    assert packages(installed_packages) == packages(REPO / "codeinterview")
    # the same shipped runner: the same image tag as the checkout's (the image the fixture built)
    assert run([installed, "sandbox", "tag"], tmp_path).stdout.strip() == sandbox_image
    graded = pipeline(installed, tmp_path, "--interview", "junior-dev", "--questions", SUBSET)
    assert {(r["name"], r["language"]) for r in graded} == {(q, lang) for q in SUBSET.split(",")
                                                            for lang in ("python", "javascript")}
    assert [r["status"] for r in graded] == ["pass"] * len(graded)


def test_local_suite_and_template_win_over_bundled_ones_by_name(installed, sandbox_image, tmp_path):
    (tmp_path / "interviews" / "junior-dev").mkdir(parents=True)
    (tmp_path / "interviews" / "junior-dev" / "local.yaml").write_text(LOCAL_SUITE)
    (tmp_path / "prompts").mkdir()
    (tmp_path / "prompts" / "chat-simple.yaml").write_text(LOCAL_TEMPLATE)
    graded = pipeline(installed, tmp_path, "--interview", "junior-dev", "--template", "chat-simple",
                      "--languages", "python")
    assert [(r["suite"], r["name"], r["language"], r["status"]) for r in graded] == [
        ("junior-dev", "Doubled", "python", "pass")]
    prepared = next((tmp_path / "results").glob("prepare_*.ndjson"))
    prompt = json.dumps(json.loads(prepared.read_text().splitlines()[0]))
    assert MARK in prompt and "doubled(x)" in prompt
    # a bundled name not shadowed locally is still found
    run([installed, "prepare", "--interview", "senior-dev", "--questions", "*", "--template", "completion",
         "--output", tmp_path / "senior.ndjson"], tmp_path)


def test_version_and_readable_help(installed, tmp_path):
    assert run([installed, "--version"], tmp_path).stdout.strip() == "codeinterview 0.1.0"
    overview = run([installed, "--help"], tmp_path).stdout
    for command in ("prepare", "interview", "evaluate", "report", "sandbox"):
        assert re.search(rf"^  {command}\s", overview, re.M), overview
        text = run([installed, command, "--help"], tmp_path).stdout
        assert text.startswith(f"usage: codeinterview {command}") and "examples:" in text, text
    assert "output:" in run([installed, "prepare", "--help"], tmp_path).stdout  # an argument group
    assert "--results-dir" in run([installed, "evaluate", "--help"], tmp_path).stdout


@pytest.mark.fast
def test_every_stage_script_is_an_executable_entry_point():
    for script in ("prepare.py", "interview.py", "evaluate.py", "report.py"):
        path = REPO / script
        assert os.access(path, os.X_OK) and path.read_text().startswith("#!/usr/bin/env python3"), script
        mode = subprocess.run(["git", "ls-files", "-s", script], cwd=REPO, capture_output=True, text=True).stdout
        assert mode.startswith("100755"), mode
