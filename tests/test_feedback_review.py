"""--review: a person in the feedback loop, in a real terminal (tmux drives it:
send-keys, capture-pane), against a scripted model behind a real
OpenAI-compatible server on 127.0.0.1 and the real Docker sandbox."""

import io
import json
import os
import shlex
import subprocess
import sys
import time

import pytest
import yaml

from codeinterview.errors import UserError
from codeinterview.feedback.review import PROMPT, Reviewer
from feedback_suite import GRADING, PY, SUITE, FeedbackExecutor, request
from helpers import REPO, output_path, records, stage
from scripted_server import ScriptedModel, Step

import openai  # noqa: E402,F401  - the loop talks to the server through the openai executor: required, never skipped


def script():
    return {("add", "python"): [Step(PY["add_syntax"], "SyntaxError"), Step(PY["add_wrong"], "got -1"),
                                Step(PY["add"])],
            ("mul", "python"): [Step(PY["mul"])]}


@pytest.fixture()
def model():
    with ScriptedModel(script()) as server:
        yield server


class Terminal:
    """A command in a detached tmux session on a private tmux server."""

    def __init__(self, command: list[str], name: str):
        self.socket = f"codeinterview-test-{os.getpid()}-{name}"
        shell = f"cd {shlex.quote(str(REPO))} && {shlex.join(command)}; echo \"[exit $?]\"; sleep 600"
        self.tmux("new-session", "-d", "-s", name, "-x", "200", "-y", "50", shell)
        self.tmux("set-option", "-g", "history-limit", "20000")

    def tmux(self, *args: str) -> str:
        return subprocess.run(["tmux", "-L", self.socket, *args], check=True, capture_output=True,
                              text=True).stdout

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-J", "-S", "-")

    def wait_for(self, text: str, count: int = 1, timeout: float = 120) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            screen = self.screen()
            if screen.count(text) >= count:
                return screen
            time.sleep(0.2)
        raise AssertionError(f"no {count}x {text!r} on the terminal after {timeout} s:\n{self.screen()}")

    def type(self, text: str) -> None:
        if text:
            self.tmux("send-keys", "-t", "0", "-l", text)
        self.tmux("send-keys", "-t", "0", "Enter")

    def kill(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True)


def interview(prepared, output, server):
    return [sys.executable, str(REPO / "interview.py"), "--input", str(prepared), "--output", str(output),
            "--executor", "feedback", "--inner", "openai", "--model", "scripted", "--base-url",
            server.base_url, "--params", "greedy", "--max-attempts", "3", "--review"]


def test_review_in_a_terminal_approve_give_feedback_kill_resume(tmp_path, model):
    suite = tmp_path / "suite.yaml"
    suite.write_text(yaml.safe_dump({"Mul": SUITE["Mul"], "Add": SUITE["Add"]}, sort_keys=False))
    prepared = output_path(stage("prepare.py", "--interview", suite, "--languages", "python",
                                 "--output", tmp_path / "p.ndjson"))
    output = tmp_path / "i.ndjson"
    first = Terminal(interview(prepared, output, model), "first")
    try:
        screen = first.wait_for(PROMPT)                       # Mul: right at once
        assert "Code Review" in screen and "return a * b" in screen and "Sandbox verdict: pass" in screen
        assert "mul(a, b)" in screen                          # the question
        assert "HTTP Request" not in screen                   # no client chatter over the review
        first.type("")                                        # approve
        screen = first.wait_for(PROMPT, 2)                    # Add, attempt 1: cut short
        assert "Sandbox verdict: syntax_error" in screen and "attempt 1 of 3" in screen
        first.type("SyntaxError: the return line is cut short")
        screen = first.wait_for(PROMPT, 3)                    # Add, attempt 2: a - b
        assert "return a - b" in screen and "attempt 2 of 3" in screen
    finally:
        first.kill()                                          # the terminal closes mid-review
    assert [r["name"] for r in records(output)] == ["Mul"]
    assert len(model.requests) == 3
    sent = model.requests[2]["messages"]
    assert sent[-1] == {"role": "user", "content": "SyntaxError: the return line is cut short"}

    second = Terminal(interview(prepared, output, model), "second")
    try:
        screen = second.wait_for(PROMPT)                      # the answer left unreviewed, not asked again
        assert "return a - b" in screen and "attempt 2 of 3" in screen and len(model.requests) == 3
        second.type("got -1 for add(1, 2)")
        screen = second.wait_for(PROMPT, 2)
        assert "return a + b" in screen and "Sandbox verdict: pass" in screen
        second.type("")
        second.wait_for("[exit 0]")
    finally:
        second.kill()
    rows = {r["name"]: r for r in records(output)}
    assert [a["review"] for a in rows["Mul"]["attempts"]] == [
        {"approved": True, "text": None, "with_verdict": False}]
    add = rows["Add"]["attempts"]
    assert [a["status"] for a in add] == ["syntax_error", "fail", "pass"]
    assert [a["review"]["text"] for a in add] == ["SyntaxError: the return line is cut short",
                                                  "got -1 for add(1, 2)", None]
    assert add[1]["feedback"] == [{"role": "user", "content": "got -1 for add(1, 2)"}]
    assert len(model.requests) == 4 and rows["Add"]["feedback"]["review"] == {"with_verdict": False}


def test_review_with_verdict_sends_both_and_the_journal_keeps_the_turns(tmp_path, model):
    reviewer = Reviewer(stdin=io.StringIO("please fix it\n\n"), stdout=io.StringIO())
    options = dict(model="scripted", params={"temperature": 0}, inner="openai", base_url=model.base_url,
                   grading=GRADING, review=reviewer, review_with_verdict=True)
    with FeedbackExecutor(**options) as ex:
        ex.use_journal(tmp_path / "out.ndjson")
        answer = ex.ask(request("Add"))
    attempts = answer.extra["attempts"]
    assert [a["status"] for a in attempts] == ["syntax_error", "fail"]   # approved at the second
    turn = model.requests[1]["messages"][-1]["content"]
    assert turn.startswith("please fix it\n\n") and "SyntaxError" in turn   # the words, then the verdict
    assert attempts[1]["review"]["approved"] and attempts[1]["feedback"] is None
    shown = reviewer.console.file.getvalue()
    assert "Code Review" in shown and "return a +" in shown and PROMPT in shown
    journal = [json.loads(line) for line in (tmp_path / "out.attempts.ndjson").read_text().splitlines()]
    assert [("amend" in e, e.get("amend")) for e in journal] == [(False, None), (True, 1), (False, None),
                                                                 (True, 2)]
    assert journal[1]["fields"]["review"]["text"] == "please fix it"


def test_review_needs_a_terminal_chat_prompts_and_one_at_a_time(model):
    base = dict(model="scripted", inner="openai", base_url=model.base_url, grading=GRADING)
    with pytest.raises(UserError, match="stdin is not one"):
        FeedbackExecutor(**base, review=True)   # pytest's stdin is no terminal
    with pytest.raises(UserError, match="--concurrency 1"):
        FeedbackExecutor(**base, concurrency=2, review=Reviewer(stdin=io.StringIO()))
    with pytest.raises(UserError, match="chat template"):
        with FeedbackExecutor(**base, review=Reviewer(stdin=io.StringIO())) as ex:
            ex.ask(request("Add", template="completion"))
