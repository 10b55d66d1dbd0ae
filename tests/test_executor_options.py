"""Executors declare their options; interview.py refuses a flag the chosen backend
does not take, counts below 1, and says which extra a missing backend package needs."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys

import pytest
from helpers import REPO, output_path, stage

from codeinterview.errors import UserError
from codeinterview.executors import EXECUTORS
from codeinterview.interview import build_parser

pytestmark = pytest.mark.fast  # no Docker engine, no server, no model


@pytest.fixture(scope="module")
def prepared(tmp_path_factory):
    out = tmp_path_factory.mktemp("prepared") / "prepare.ndjson"
    return output_path(stage("prepare.py", "--interview", "junior-dev", "--questions", "WordCount",
                             "--languages", "python", "--output", out))


def refused(*args: str):
    """interview.py with these arguments: exit 2 and one line on stderr, returned."""
    proc = stage("interview.py", *args, check=False)
    assert proc.returncode == 2, proc.stderr[-2000:]
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    return lines[0]


def test_a_flag_of_another_backend_is_refused_naming_the_backend_and_its_options(prepared, tmp_path):
    out = tmp_path / "interview.ndjson"
    line = refused("--input", prepared, "--output", out, "--executor", "reference",
                   "--gpu-layers", "5", "--device", "cuda")
    assert line == ("error: --gpu-layers, --device: executor 'reference' does not take these options; "
                    "its options: none")
    assert not out.exists()  # nothing recorded
    line = refused("--input", prepared, "--output", out, "--executor", "openai", "--model", "m",
                   "--gpu-layers", "5")
    assert line == ("error: --gpu-layers: executor 'openai' does not take this option; its options: "
                    "--base-url, --api-key-env, --timeout, --max-retries")
    line = refused("--input", prepared, "--output", out, "--executor", "llamacpp", "--model", "m.gguf",
                   "--base-url", "http://127.0.0.1:9/v1")
    assert "--base-url: executor 'llamacpp'" in line and line.endswith("its options: --context-size, --gpu-layers")
    assert not out.exists()


def test_the_feedback_executor_takes_its_own_options_and_those_of_what_it_wraps(prepared, tmp_path):
    line = refused("--input", prepared, "--output", tmp_path / "o.ndjson", "--executor", "feedback",
                   "--inner", "openai", "--model", "m", "--base-url", "http://127.0.0.1:9/v1", "--dtype", "auto")
    assert line.startswith("error: --dtype: executor 'feedback' does not take this option; its options: --inner, ")
    assert "--max-attempts" in line and "--base-url" in line and "--grading" not in line
    feedback = EXECUTORS.get("feedback")
    feedback.check_options({"inner": "llamacpp", "gpu_layers": 3, "max_attempts": 2})  # taken: no error
    feedback.check_options({"inner": "openai", "feedback_executor": "llamacpp", "gpu_layers": 3, "timeout": 5})
    with pytest.raises(UserError, match="--gpu-layers: executor 'feedback'"):
        feedback.check_options({"inner": "openai", "gpu_layers": 3})


@pytest.mark.parametrize("flag", ["--samples", "--concurrency"])
@pytest.mark.parametrize("value", ["0", "-2"])
def test_counts_below_one_are_refused_naming_the_flag(prepared, tmp_path, flag, value):
    out = tmp_path / "interview.ndjson"
    assert refused("--input", prepared, "--output", out, flag, value) == f"error: {flag} {value}: must be at least 1"
    assert not out.exists()


def test_ray_placement_flags_need_ray(prepared, tmp_path):
    line = refused("--input", prepared, "--output", tmp_path / "o.ndjson", "--replicas", "2")
    assert line == "error: --replicas: place model replicas on a Ray cluster: they need --ray ADDRESS"
    line = refused("--input", prepared, "--output", tmp_path / "o.ndjson", "--gpus-per-replica", "0")
    assert line.startswith("error: --gpus-per-replica: ")


def test_every_backend_flag_defaults_to_not_given_and_belongs_to_a_backend():
    """One default per option (its Options field): the parser's is None (not given)."""
    args = build_parser().parse_args(["--input", "x"])
    assert args.backend_options and all(getattr(args, name) is None for name in args.backend_options)
    taken = {name for backend in EXECUTORS for name in EXECUTORS.get(backend).option_names({}, flags_only=True)}
    assert set(args.backend_options) == taken


def test_options_are_a_dataclass_whose_defaults_the_backend_uses(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "test")
    executor = EXECUTORS.get("openai")("m", {}, base_url="http://127.0.0.1:9/v1")
    defaults = EXECUTORS.get("openai").Options()
    assert dataclasses.is_dataclass(executor.options) and executor.timeout == defaults.timeout
    assert executor.max_retries == defaults.max_retries
    with pytest.raises(UserError, match="--device: executor 'openai' does not take this option"):
        EXECUTORS.get("openai")("m", {}, device="cuda")


# A finder that makes `package` (and everything under it) look uninstalled, before interview.py runs.
HIDE = """
import importlib.abc, runpy, sys
HIDDEN = {hidden!r}
class Hide(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in HIDDEN:
            raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
        return None
sys.meta_path.insert(0, Hide())
for name in list(sys.modules):
    if name.split(".")[0] in HIDDEN:
        del sys.modules[name]
sys.argv = [{script!r}, *sys.argv[1:]]
runpy.run_path({script!r}, run_name="__main__")
"""


@pytest.mark.parametrize("backend, hidden, model", [
    ("openai", ("openai",), "m"),
    ("langchain", ("langchain",), "openai:m"),
    ("transformers", ("torch", "transformers"), "m"),  # torch is imported first
    ("llamacpp", ("llama_cpp",), "m.gguf"),
])
def test_a_missing_backend_package_is_one_line_naming_its_extra(prepared, tmp_path, backend, hidden, model):
    code = HIDE.format(hidden=hidden, script=str(REPO / "interview.py"))
    out = tmp_path / "interview.ndjson"
    server = ["--base-url", "http://127.0.0.1:9/v1"] if backend in ("openai", "langchain") else []
    proc = subprocess.run([sys.executable, "-c", code, "--input", str(prepared), "--output", str(out),
                           "--executor", backend, "--model", model, *server],
                          cwd=REPO, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "OPENAI_API_KEY": "test"})
    assert proc.returncode == 2, proc.stderr[-3000:]
    assert proc.stderr.strip().splitlines() == [
        f"error: executor '{backend}' needs the Python package '{hidden[0]}', which is not installed: "
        f"pip install 'codeinterview[{backend}]'"]
    assert not out.exists()


def test_grading_flags_are_refused_where_no_answer_is_graded(prepared, tmp_path):
    line = refused("--input", prepared, "--output", tmp_path / "o.ndjson", "--sandbox", "process",
                   "--memory-mb", "256")
    assert line.startswith("error: --sandbox, --memory-mb: executor 'reference' grades no answers")
