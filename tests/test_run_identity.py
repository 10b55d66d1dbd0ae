"""Run identity end to end, as a user meets it: two models never share a file
or a leaderboard row, a resume into another run's file is refused with what
differs, a re-grade writes a new file and grades every record."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time

import pytest
import yaml

from helpers import REPO, output_path, records, stage
from local_server import LocalJSONServer

QUESTION = {"Add": {
    "Signature": "add(a, b)", "Input": "two integers", "Output": "their sum",
    "Checks": {"small": {"assert": "f.call(1, 2)", "eq": 3},
               "negative": {"assert": "f.call(-4, 1)", "eq": -3}}}}
# Two model ids that share their last '-' segment, as gpt-4o-mini and o4-mini do.
ANSWERS = {"gpt-4o-mini": "def add(a, b):\n    return a + b",
           "o4-mini": "def add(a, b):\n    return a - b"}


class PerModelServer(LocalJSONServer):
    """An OpenAI-compatible server whose answer depends on the model asked."""

    def _handle(self, handler, body):
        code = ANSWERS[body["model"]]
        message = {"role": "assistant", "content": f"```python\n{code}\n```"}
        self.send_json(handler, 200, {
            "id": "c", "object": "chat.completion", "created": int(time.time()), "model": body["model"],
            "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 5, "completion_tokens": 9, "total_tokens": 14}})


@pytest.fixture(scope="module")
def server():
    with PerModelServer() as running:
        yield running


@pytest.fixture
def results(tmp_path, monkeypatch):
    """Derived output names land in a folder of this test's own."""
    monkeypatch.setenv("CODEINTERVIEW_RESULTS", str(tmp_path / "results"))
    monkeypatch.setenv("OPENAI_API_KEY", "not-a-secret")
    return tmp_path / "results"


@pytest.fixture
def prepared(tmp_path):
    suite = tmp_path / "identity-suite.yaml"
    suite.write_text(yaml.safe_dump(QUESTION))
    return output_path(stage("prepare.py", "--interview", suite, "--languages", "python",
                             "--output", tmp_path / "prepare.ndjson"))


@pytest.fixture
def runner_copy(tmp_path, monkeypatch):
    """The stages use a copy of sandbox/; edit(language) changes that language's runner file."""
    sandbox = tmp_path / "sandbox"
    shutil.copytree(REPO / "sandbox", sandbox, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setenv("CODEINTERVIEW_SANDBOX_DIR", str(sandbox))

    def edit(language):
        runner = sandbox / "runner" / "langs" / f"{language}.py"
        runner.write_text(runner.read_text() + "\n# an edit to this language's runner\n")
    return edit


def cut_to_first_line(path):
    """A run killed after its first record."""
    lines = path.read_bytes().splitlines(keepends=True)
    assert len(lines) == 2
    path.write_bytes(lines[0])


def ask(prepared, server, model, *extra, check=True):
    return stage("interview.py", "--input", prepared, "--executor", "openai", "--model", model,
                 "--base-url", server.base_url, *extra, check=check)


def test_two_models_sharing_a_last_segment_get_their_own_files_and_rows(prepared, server, results, tmp_path):
    answers = {model: output_path(ask(prepared, server, model)) for model in ANSWERS}
    assert answers["gpt-4o-mini"] != answers["o4-mini"]
    for model, path in answers.items():
        assert path.parent == results and model in path.name
        rows = records(path)
        assert {r["model"] for r in rows} == {model} and {r["answer"].count(ANSWERS[model]) for r in rows} == {1}
    graded = [output_path(stage("evaluate.py", "--input", path)) for path in answers.values()]
    assert len(set(graded)) == 2
    report = stage("report.py", *graded, "--output-dir", tmp_path / "board")
    board = {line.split("|")[1].strip(): line for line in
             (tmp_path / "board" / "leaderboard.md").read_text().splitlines()
             if line.startswith("| ") and "mini" in line}
    assert set(board) == set(ANSWERS), report.stdout
    assert "2/2 (100.0%)" in board["gpt-4o-mini"] and "2/2 (100.0%)" not in board["o4-mini"]


@pytest.mark.parametrize("change, differs", [
    (["--model", "o4-mini"], 'model "gpt-4o-mini" -> "o4-mini"'),
    (["--params", "creative"], 'params_name "greedy" -> "creative"'),
])
def test_a_resume_with_another_model_or_params_is_refused(prepared, server, tmp_path, change, differs):
    out = tmp_path / "answers.ndjson"
    ask(prepared, server, "gpt-4o-mini", "--output", out)
    before = out.read_bytes()
    args = ["--model", "gpt-4o-mini", *change] if change[0] != "--model" else change
    proc = stage("interview.py", "--input", prepared, "--executor", "openai", "--base-url", server.base_url,
                 "--output", out, *args, check=False)
    assert proc.returncode == 2, proc.stderr
    assert f"error: {out}:1: this file holds another run's records" in proc.stderr
    assert differs in proc.stderr and "--output NEW.ndjson" in proc.stderr
    assert "Traceback" not in proc.stderr and out.read_bytes() == before


def test_a_resume_with_another_template_is_refused(prepared, server, tmp_path):
    out = tmp_path / "answers.ndjson"
    ask(prepared, server, "gpt-4o-mini", "--output", out)
    outline = output_path(stage("prepare.py", "--interview", tmp_path / "identity-suite.yaml",
                                "--languages", "python", "--template", "chat-outline",
                                "--output", tmp_path / "outline.ndjson"))
    proc = ask(outline, server, "gpt-4o-mini", "--output", out, check=False)
    assert proc.returncode == 2
    assert "holds answers to other prompts (template 'chat-simple' -> 'chat-outline'" in proc.stderr


def test_regrading_an_eval_file_grades_every_record_into_a_new_file(prepared, server, results):
    answers = output_path(ask(prepared, server, "gpt-4o-mini", "--samples", "3"))
    graded = output_path(stage("evaluate.py", "--input", answers))
    again = stage("evaluate.py", "--input", graded)
    regraded = output_path(again)
    assert regraded != graded and regraded.parent == results and "regraded" in regraded.name
    old, new = records(graded), records(regraded)
    assert len(new) == len(old) == 3 and "resuming" not in again.stderr
    assert all(n["evaluated_at"] >= o["evaluated_at"] for o, n in zip(old, new))
    assert {n["run"] for n in new} != {o["run"] for o in old}  # a new grading run
    assert [n["runs"]["interview"] for n in new] == [o["runs"]["interview"] for o in old]
    # re-grading into its own input would count every record done: refused
    proc = stage("evaluate.py", "--input", graded, "--output", graded, check=False)
    assert proc.returncode == 2 and "is the input" in proc.stderr


def test_one_file_of_two_models_answers_grades_both(prepared, server, tmp_path, results):
    paths = [output_path(ask(prepared, server, model)) for model in ANSWERS]
    both = tmp_path / "both.ndjson"
    both.write_bytes(b"".join(p.read_bytes() for p in paths))
    graded = records(output_path(stage("evaluate.py", "--input", both, "--output", tmp_path / "e.ndjson")))
    assert sorted((r["model"], r["status"]) for r in graded) == [("gpt-4o-mini", "pass"), ("o4-mini", "fail")]


def test_an_infrastructure_failure_has_its_own_exit_code(prepared, server, tmp_path):
    answers = output_path(ask(prepared, server, "gpt-4o-mini", "--output", tmp_path / "a.ndjson"))
    # no Docker engine to talk to: the sandbox is unavailable, not the user's mistake
    env = {**os.environ, "DOCKER_HOST": f"unix://{tmp_path}/no-docker.sock"}
    proc = subprocess.run([sys.executable, str(REPO / "evaluate.py"), "--input", str(answers),
                           "--output", str(tmp_path / "e.ndjson")], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 3, proc.stderr
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith("error (infrastructure): ") and "Docker" in last and "resume" in last
    assert "Traceback" not in proc.stderr
    # the model server gone past its retries: the same kind, the same code
    proc = stage("interview.py", "--input", prepared, "--executor", "openai", "--model", "gpt-4o-mini",
                 "--base-url", "http://127.0.0.1:9/v1", "--max-retries", "1",
                 "--output", tmp_path / "b.ndjson", check=False)
    assert proc.returncode == 3, proc.stderr
    assert "error (infrastructure): the model backend kept failing" in proc.stderr


def test_a_repeated_input_record_is_graded_once_and_said(prepared, server, tmp_path):
    answers = output_path(ask(prepared, server, "gpt-4o-mini", "--output", tmp_path / "a.ndjson"))
    twice = tmp_path / "twice.ndjson"
    twice.write_bytes(answers.read_bytes() * 2)  # nothing tells the copies apart
    proc = stage("evaluate.py", "--input", twice, "--output", tmp_path / "e.ndjson")
    assert len(records(tmp_path / "e.ndjson")) == len(records(answers))
    assert f"warning: {len(records(answers))} input records repeat the key" in proc.stderr


@pytest.mark.parametrize("backend", ["docker", "process"])
def test_a_python_eval_resumes_after_another_languages_runner_changes(prepared, server, tmp_path, runner_copy,
                                                                      backend):
    """The grading identity names only the sandbox families of the run's languages: an
    edit to the Rust runner leaves a Python eval resumable; one to the Python runner does not."""
    answers = output_path(ask(prepared, server, "gpt-4o-mini", "--samples", "2", "--output", tmp_path / "a.ndjson"))
    out = tmp_path / "e.ndjson"
    flags = ["--sandbox", backend, *(["--unsafe-process-sandbox"] if backend == "process" else [])]

    def evaluate(check=True):
        return stage("evaluate.py", "--input", answers, "--output", out, *flags, check=check)

    evaluate()
    cut_to_first_line(out)
    runner_copy("rust")
    proc = evaluate()
    assert "resuming: 1 records already graded" in proc.stderr
    graded = records(out)
    assert [r["status"] for r in graded] == ["pass", "pass"] and len({r["run"] for r in graded}) == 1
    # the run's own language's runner is part of its identity: an edit there refuses the resume
    runner_copy("python")
    proc = evaluate(check=False)
    assert proc.returncode == 2 and "holds another run's records" in proc.stderr, proc.stderr


def test_a_python_feedback_interview_resumes_after_another_languages_runner_changes(prepared, server, tmp_path,
                                                                                    runner_copy):
    """The feedback executor grades in the interview: its grading identity too names only
    the families of the input's languages."""
    out = tmp_path / "a.ndjson"

    def interview(check=True):  # (ask's --executor openai gives way to the later --executor feedback)
        return ask(prepared, server, "gpt-4o-mini", "--executor", "feedback", "--inner", "openai",
                   "--sandbox", "process", "--unsafe-process-sandbox", "--samples", "2", "--output", out,
                   check=check)

    interview()
    cut_to_first_line(out)
    runner_copy("rust")
    proc = interview()
    assert "resuming: 1 answers already in" in proc.stderr, proc.stderr
    assert len(records(out)) == 2 and len({r["run"] for r in records(out)}) == 1
    runner_copy("python")
    proc = interview(check=False)
    assert proc.returncode == 2 and "holds another run's records" in proc.stderr, proc.stderr
