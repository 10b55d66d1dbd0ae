"""Conversations: one Markdown file per question and run, from interview or
eval records: the prompt, every answer, verdict, finding, review and
feedback in order, then the outcome. Records of a real feedback run (a
scripted model behind a real HTTP server, the real sandbox), and crafted
records for what that run does not produce (tree nodes, a reviewer)."""

import gzip
import json

import pytest
import yaml

from codeinterview.conversations import conversation_path, write_conversations
from codeinterview.errors import UserError
from feedback_suite import SUITE, interview_args
from helpers import output_path, records, stage, write_records
from scripted_server import ScriptedModel, Step

UNDEFINED = "def add(a, b):\n    total = a + b\n    return totl\n"
RIGHT = "def add(a, b):\n    return a + b\n"


def test_a_real_feedback_run_reads_as_a_conversation(tmp_path):
    suite = tmp_path / "suite.yaml"
    suite.write_text(yaml.safe_dump({"Add": {**SUITE["Add"], "Reference": {"python": RIGHT}}}))
    prepared = output_path(stage("prepare.py", "--interview", suite, "--languages", "python",
                                 "--output", tmp_path / "p.ndjson"))
    with ScriptedModel({("add", "python"): [Step(UNDEFINED, "F821"), Step(RIGHT)]}) as server:
        answers = output_path(stage("interview.py", *interview_args(prepared, tmp_path / "i.ndjson", server,
                                                                    "--lint", "ruff")))
    graded = output_path(stage("evaluate.py", "--input", answers, "--output", tmp_path / "e.ndjson"))
    [record] = records(graded)

    assert write_conversations([graded], tmp_path / "talk") == 1
    [written] = (tmp_path / "talk").rglob("*.md")
    assert written == tmp_path / "talk" / conversation_path(record)
    assert written.relative_to(tmp_path / "talk").parts[1:] == (record["suite"], "Add.python.0.md")
    text = written.read_text()
    order = ["# ", "## Prompt", record["prompt"][-1]["content"].splitlines()[0],
             "## Attempt 1: runtime_error", "return totl", "**Verdict**: The code raised an error",
             "**Static analysis**", "- line 3: Undefined name `totl` (ruff F821)",
             "**Feedback sent**", record["attempts"][0]["feedback"][0]["content"].splitlines()[0],
             "## Attempt 2: pass", "return a + b", "**Verdict**: All checks passed.",
             "## Outcome", "- graded: pass (2 of 2 checks)", "- attempts re-graded: 1 runtime_error, 2 pass",
             "- reference: levenshtein 0.0, bleu 1.0, sequence_ratio 1.0, identifier_share 1.0"]
    at = 0
    for part in order:  # each in turn, after the one before
        at = text.find(part, at)
        assert at >= 0, f"{part!r} missing after the parts before it:\n{text}"
    assert "- model: scripted" in text and "lint ruff" in text

    # the interview file too (not graded yet), and both files in one call: one file per record
    assert write_conversations([answers], tmp_path / "raw") == 1
    [raw] = (tmp_path / "raw").rglob("*.md")
    assert "## Attempt 2: pass" in raw.read_text() and "not graded yet" in raw.read_text()


def _attempt(number, status, answer, **extra):
    return {"attempt": number, "answer": answer, "code": answer, "status": status,
            "verdict": {"summary": f"verdict {number}", "failures": [], "error": None},
            "feedback": None, "usage": {"prompt_tokens": 5, "completion_tokens": 7}, **extra}


BASE = {"stage": "interview", "suite": "s", "name": "Add", "language": "python", "sample": 0,
        "model": "m/1", "executor": "feedback", "run": "abc123.def", "answer": "x",
        "prompt": [{"role": "user", "content": "Write `add`."}]}


@pytest.mark.fast
def test_tree_nodes_candidates_and_reviews_are_shown(tmp_path):
    fenced = "```python\ndef add(a, b):\n    return a - b\n```"
    attempts = [
        _attempt(1, "fail", fenced, parent=0, feedback=[{"role": "user", "content": "got -1"}],
                 review={"approved": False, "text": "use +\nnot -", "with_verdict": True},
                 candidates=[{"status": "fail", "score": 0.5}, {"status": "syntax_error", "score": 0}],
                 best_candidate=0),
        _attempt(2, "fail", fenced, parent=1, duplicate_of=1),
        _attempt(3, "pass", "def add(a, b):\n    return a + b", parent=1, kept=True,
                 params_sent={"temperature": 0.7, "seed": 3, "max_tokens": 100},
                 review={"approved": True, "text": None, "with_verdict": False},
                 verdict={"summary": "All checks passed.", "failures": [
                     {"call": "add(1, 2)", "expected": "3", "got": "-1", "error": None}]}),
    ]
    path = write_records(tmp_path / "i.ndjson", [{**BASE, "attempts": attempts}])
    assert write_conversations([path], tmp_path / "out") == 1
    text = (tmp_path / "out" / "m_1-abc123.def" / "s" / "Add.python.0.md").read_text()
    assert "## Attempt 1 (from the prompt): fail" in text
    assert "## Attempt 2 (from attempt 1, a repeat of attempt 1): fail" in text
    assert "## Attempt 3 (from attempt 1, temperature 0.7, seed 3, the record's answer): pass" in text
    assert "- 0: fail (score 0.5) - kept\n- 1: syntax_error (score 0)" in text
    assert "**Reviewer**\n\n> use +\n> not -" in text and "**Reviewer**\n\napproved" in text
    assert "- `add(1, 2)`: expected 3, got -1" in text
    # an answer holding a fence sits in a longer one, so the file's structure survives it
    assert "````\n```python\ndef add(a, b):\n    return a - b\n```\n````" in text


@pytest.mark.fast
def test_completion_prompts_plain_answers_and_one_file_per_question_and_run(tmp_path):
    text_prompt = {**BASE, "prompt": "def add(a, b):\n", "answer": "    return a + b\n"}
    other_run = {**text_prompt, "run": "zzz999.def"}
    first = write_records(tmp_path / "a.ndjson", [text_prompt, {**text_prompt, "name": "../../Etc Passwd"}])
    second = tmp_path / "b.ndjson.gz"
    with gzip.open(second, "wt") as handle:
        handle.write("".join(json.dumps(r) + "\n" for r in (other_run, text_prompt)))  # the second repeats a.ndjson's
    assert write_conversations([first, second], tmp_path / "out") == 3
    files = sorted(p.relative_to(tmp_path / "out").as_posix() for p in (tmp_path / "out").rglob("*.md"))
    assert files == ["m_1-abc123.def/s/Add.python.0.md", "m_1-abc123.def/s/Etc_Passwd.python.0.md",
                     "m_1-zzz999.def/s/Add.python.0.md"]
    text = (tmp_path / "out" / files[0]).read_text()
    assert "## Prompt\n\n```text\ndef add(a, b):\n```" in text
    assert "## Answer\n\n```\n    return a + b\n```" in text


@pytest.mark.fast
def test_a_file_that_is_not_records_is_a_user_error_naming_it(tmp_path):
    bad = tmp_path / "notes.ndjson"
    bad.write_text("this is not json\n")
    with pytest.raises(UserError, match=r"notes\.ndjson:1: not a JSON object"):
        write_conversations([bad], tmp_path / "out")
    prompts = write_records(tmp_path / "p.ndjson", [{**BASE, "stage": "prepare"}])
    with pytest.raises(UserError, match=r"p\.ndjson:1: this is a prepare record"):
        write_conversations([prompts], tmp_path / "out")
