"""The feedback loop against a scripted model behind a real OpenAI-compatible
HTTP server on 127.0.0.1: the real openai executor, the real Docker sandbox,
real files. The model fixes a mistake only once its error is in the conversation."""

import json
import os
import signal
import subprocess
import sys

import pytest

from codeinterview.errors import UserError
from feedback_suite import JS, PY, SUITE, FeedbackExecutor, executor, interview_args, request
from helpers import REPO, output_path, records, stage
from scripted_server import ScriptedModel, Step

import openai  # noqa: E402,F401  - the loop talks to the server through the openai executor: required, never skipped

HIDDEN = ("4321", "1234", "5555", "987", "above_hidden", "secret")


def script():
    steps = {}
    for language, code in (("python", PY), ("javascript", JS)):
        # fixes the syntax error once told of it, then the wrong sum once shown the call's result
        steps[("add", language)] = [Step(code["add_syntax"], "SyntaxError"), Step(code["add_wrong"], "got -1"),
                                    Step(code["add"])]
        steps[("mul", language)] = [Step(code["mul"])]
        steps[("neg", language)] = [Step(code["neg"], "a hint nobody gives")]
    steps[("clamp", "python")] = [Step(PY["clamp_wrong"], "got 987"), Step(PY["clamp"])]
    return steps


@pytest.fixture()
def model():
    with ScriptedModel(script()) as server:
        yield server


@pytest.mark.parametrize("language", ["python", "javascript"])
def test_converges_once_each_error_is_in_the_conversation(model, language):
    with executor(model) as ex:
        answer = ex.ask(request("Add", language))
    attempts = answer.extra["attempts"]
    assert [a["status"] for a in attempts] == ["syntax_error", "fail", "pass"]
    assert [a["attempt"] for a in attempts] == [1, 2, 3]
    assert answer.text == attempts[-1]["answer"] and "a + b" in answer.text
    # the same conversation grows: prompt, answer, feedback, answer, feedback
    sent = [r["messages"] for r in model.requests]
    assert [len(m) for m in sent] == [1, 3, 5]
    assert sent[1][1] == {"role": "assistant", "content": attempts[0]["answer"]}
    assert "SyntaxError" in sent[1][2]["content"] and sent[1][2] == attempts[0]["feedback"][0]
    assert "add(1, 2)`: expected 3, got -1" in sent[2][4]["content"]
    assert attempts[-1]["feedback"] is None
    # tokens and latency: per attempt as the server reported them, and their sum
    assert [a["usage"]["prompt_tokens"] for a in attempts] == \
        [sum(len(m["content"].split()) for m in msgs) for msgs in sent]
    assert answer.prompt_tokens == sum(a["usage"]["prompt_tokens"] for a in attempts)
    assert answer.latency_s == round(sum(a["latency_s"] for a in attempts), 4)
    assert ex.describe()["feedback"] == {"inner": "openai", "max_attempts": 3, "reveal": "visible",
                                         "template": None, "n_candidates": 1, "lint": []}


def test_stops_at_the_first_pass(model):
    with executor(model, max_attempts=5) as ex:
        answer = ex.ask(request("Mul"))
    assert [a["status"] for a in answer.extra["attempts"]] == ["pass"]
    assert len(model.requests) == 1 and answer.extra["attempts"][0]["feedback"] is None


def test_stops_at_max_attempts(model):
    with executor(model, max_attempts=2) as ex:
        answer = ex.ask(request("Neg"))
    attempts = answer.extra["attempts"]
    assert [a["status"] for a in attempts] == ["fail", "fail"] and len(model.requests) == 2
    assert attempts[0]["feedback"] and attempts[1]["feedback"] is None
    assert attempts[0]["verdict"]["failures"][0] == {
        "name": "small", "kind": "wrong_result", "call": "neg(2)", "expected": "-2", "got": "2",
        "error": None, "traceback": None}


@pytest.mark.parametrize("reveal,statuses", [("visible", ["fail"] * 3), ("none", ["fail"] * 3),
                                             ("all", ["fail", "pass"])])
def test_hidden_checks_reach_the_model_only_with_reveal_all(model, reveal, statuses):
    with executor(model, reveal=reveal) as ex:
        answers = [ex.ask(request("Clamp")), ex.ask(request("Add"))]
    assert [a["status"] for a in answers[0].extra["attempts"]] == statuses
    sent = model.sent_text()
    leaked = [h for h in HIDDEN if h in sent]
    if reveal == "all":
        assert "clamp(987)" in sent and "got 987" in sent
    else:
        assert leaked == [], leaked
        assert "further check(s) that are not shown failed" in sent


def test_completion_prompts_get_a_fresh_prompt(model):
    with executor(model) as ex:
        answer = ex.ask(request("Add", template="completion"))
    attempts = answer.extra["attempts"]
    assert [a["status"] for a in attempts] == ["syntax_error", "fail", "pass"]
    prompts = [r["prompt"] for r in model.requests]
    assert all(p.endswith("def add(a, b):\n") for p in prompts)
    assert "# SyntaxError: invalid syntax (line 2)" in prompts[1]
    assert "#         return a +" in prompts[1]          # the previous code, commented out
    assert "# add(1, 2): expected 3, got -1" in prompts[2] and "SyntaxError" not in prompts[2]
    assert attempts[-1]["code"] == "def add(a, b):\n    return a + b\n"


def test_best_of_n_keeps_the_best_candidate(model):
    model.script[("mul", "python")] = [Step(["def mul(a, b):\n    return a +", "def mul(a, b):\n    return a * b",
                                             "def mul(a, b):\n    return 0"])]
    with executor(model, n_candidates=3) as ex:
        answer = ex.ask(request("Mul"))
    (attempt,) = answer.extra["attempts"]
    assert attempt["status"] == "pass" and attempt["best_candidate"] == 1
    assert [c["status"] for c in attempt["candidates"]] == ["syntax_error", "pass", "fail"]
    assert attempt["usage"]["completion_tokens"] == sum(c["usage"]["completion_tokens"]
                                                        for c in attempt["candidates"])


def test_mistakes_are_user_errors(model):
    with pytest.raises(UserError, match="needs --inner"):
        FeedbackExecutor(model="m")
    with pytest.raises(UserError, match="cannot wrap itself"):
        FeedbackExecutor(model="m", inner="feedback")
    with pytest.raises(UserError, match="--max-attempts must be at least 1"):
        executor(model, max_attempts=0)
    with pytest.raises(UserError, match="cannot honour parameter"):  # the inner executor's vocabulary
        FeedbackExecutor(model="m", params={"n": 2}, inner="openai", base_url=model.base_url)


# --- the stages, as a user runs them ---

def suite_file(tmp_path, names=("Add", "Mul", "Neg")):
    import yaml

    path = tmp_path / "feedback-suite.yaml"
    path.write_text(yaml.safe_dump({n: SUITE[n] for n in names}))
    return path


def test_interview_evaluate_report(tmp_path, model):
    prepared = output_path(stage("prepare.py", "--interview", suite_file(tmp_path),
                                 "--output", tmp_path / "p.ndjson"))
    answers = output_path(stage("interview.py", *interview_args(prepared, tmp_path / "i.ndjson", model,
                                                                "--concurrency", "2")))
    rows = {(r["name"], r["language"]): r for r in records(answers)}
    assert len(rows) == 6
    assert {k: [a["status"] for a in r["attempts"]] for k, r in rows.items()} == {
        ("Add", "python"): ["syntax_error", "fail", "pass"], ("Add", "javascript"): ["syntax_error", "fail", "pass"],
        ("Mul", "python"): ["pass"], ("Mul", "javascript"): ["pass"],
        ("Neg", "python"): ["fail"] * 3, ("Neg", "javascript"): ["fail"] * 3}
    add = rows[("Add", "python")]
    assert add["executor"] == "feedback" and add["model"] == "scripted"
    assert add["feedback"] == {"inner": "openai", "max_attempts": 3, "reveal": "visible", "template": None,
                               "n_candidates": 1, "lint": []}
    assert add["answer"] == add["attempts"][-1]["answer"]
    assert add["usage"]["completion_tokens"] == sum(a["usage"]["completion_tokens"] for a in add["attempts"])
    assert not any(h in model.sent_text() for h in HIDDEN)
    journal = answers.with_suffix(".attempts.ndjson")
    assert len(journal.read_text().splitlines()) == 3 + 3 + 1 + 1 + 3 + 3

    graded = output_path(stage("evaluate.py", "--input", answers, "--output", tmp_path / "e.ndjson"))
    evals = {(r["name"], r["language"]): r for r in records(graded)}
    for key, row in evals.items():  # re-graded afresh, attempt by attempt
        assert [a["status"] for a in row["attempts_graded"]] == [a["status"] for a in rows[key]["attempts"]]
        assert row["status"] == row["attempts_graded"][-1]["status"]

    report = stage("report.py", graded, "--output-dir", tmp_path)
    out = report.stdout
    assert "scripted +feedback(3, visible)" in out
    assert "pass@1 (1st attempt)" in out and "pass after 3" in out
    board = [line for line in out.splitlines() if "scripted +feedback" in line][0]
    assert "2/6 (33.3%)" in board and "4/6 (66.7%)" in board
    per_attempt = (tmp_path / "attempts.csv").read_text().splitlines()
    import csv

    table = list(csv.DictReader(per_attempt))
    assert [(r["attempt"], r["asked"], r["passed"], r["new_passes"]) for r in table] == [
        ("1", "6", "2", "2"), ("2", "4", "2", "0"), ("3", "4", "4", "2")]
    spent = [sum(sum(a["usage"].values()) for r in rows.values() for a in r["attempts"] if a["attempt"] == k)
             for k in (1, 2, 3)]
    assert [int(r["tokens"]) for r in table] == spent
    assert table[1]["tokens_per_new_pass"] == "" and float(table[2]["tokens_per_new_pass"]) == spent[2] / 2
    assert "Pass rate per attempt" in (tmp_path / "leaderboard.md").read_text()


def test_killed_interview_resumes_at_the_last_completed_attempt(tmp_path, model):
    prepared = output_path(stage("prepare.py", "--interview", suite_file(tmp_path, ("Add", "Mul")),
                                 "--languages", "python", "--output", tmp_path / "p.ndjson"))
    output = tmp_path / "i.ndjson"
    journal = tmp_path / "i.attempts.ndjson"
    reached, release = model.gate("add", "python", 2)   # hold Add's third attempt
    args = [sys.executable, str(REPO / "interview.py"), *map(str, interview_args(prepared, output, model))]
    proc = subprocess.Popen(args, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)
    try:
        assert reached.wait(120), proc.stderr.read1().decode() if proc.poll() is not None else "no request"
        os.killpg(proc.pid, signal.SIGKILL)
    finally:
        proc.wait()
    journaled = [json.loads(line) for line in journal.read_text().splitlines()]
    add_done = [e["attempt"]["attempt"] for e in journaled if "/Add/" in e["key"]]
    assert add_done == [1, 2]
    before = len(model.requests)
    release.set()
    model.hold.clear()
    rows = {r["name"]: r for r in records(output_path(stage("interview.py",
                                                            *interview_args(prepared, output, model))))}
    assert [a["status"] for a in rows["Add"]["attempts"]] == ["syntax_error", "fail", "pass"]
    assert rows["Add"]["attempts"][:2] == [e["attempt"] for e in journaled if "/Add/" in e["key"]]
    # only what was missing was asked again: Add's third attempt (and Mul, if it never got its turn)
    resumed = model.requests[before:]
    add_asked = [r for r in resumed if "add(a, b)" in r["messages"][0]["content"]]
    assert [len(r["messages"]) for r in add_asked] == [5]
    assert sum(1 for r in model.requests if len(r["messages"]) == 1 and "add(a, b)" in r["messages"][0]["content"]) == 1
    assert len(records(output)) == 2


def test_journal_is_consulted_only_for_the_same_run_and_output(tmp_path, model):
    output = tmp_path / "out.ndjson"
    with executor(model) as ex:
        journal = ex.use_journal(output)
        first = ex.ask(request("Add"))
    assert journal == tmp_path / "out.attempts.ndjson" and len(journal.read_text().splitlines()) == 3
    output.write_text("")                        # the run's output exists: its journal counts
    asked = len(model.requests)
    with executor(model) as ex:
        ex.use_journal(output)
        again = ex.ask(request("Add"))
    assert len(model.requests) == asked and again.extra["attempts"] == first.extra["attempts"]
    with executor(model, reveal="all") as ex:     # another policy: another run, asked afresh
        ex.use_journal(output)
        ex.ask(request("Add"))
    assert len(model.requests) == asked + 3
    output.unlink()                              # no output: the journal is stale and starts afresh
    with executor(model) as ex:
        ex.use_journal(output)
        assert ex.journal.done("t/Add/python/0") == [] and not journal.read_text()
