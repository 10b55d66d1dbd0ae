"""The four stages end to end, run as a user runs them, grading in the real sandbox."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter

import pytest

from benchmark_files import dataset_file
from helpers import REPO, output_path, records, stage, write_records

HAND_ANSWERS = REPO / "tests" / "data" / "can-ai-code-junior-v2.answers.ndjson"


@pytest.fixture(scope="module")
def reference_run(tmp_path_factory):
    """prepare -> interview (reference) -> evaluate on both bundled suites."""
    tmp = tmp_path_factory.mktemp("reference")
    prepared = output_path(stage("prepare.py", "--interview", "junior-dev,senior-dev",
                                 "--output", tmp / "prepare.ndjson"))
    answers = output_path(stage("interview.py", "--input", prepared, "--output", tmp / "interview.ndjson"))
    graded = output_path(stage("evaluate.py", "--input", answers, "--output", tmp / "eval.ndjson",
                               "--workers", "2"))
    return tmp, prepared, answers, graded


def test_every_reference_answer_passes_every_check(reference_run):
    tmp, prepared, answers, graded = reference_run
    rows = records(graded)
    assert len(rows) == len(records(prepared)) >= 2 * (15 + 5)
    failing = [(r["name"], r["language"], r["status"]) for r in rows if r["status"] != "pass"]
    assert failing == []
    assert all(r["passed"] == r["total"] > 0 for r in rows)
    assert {r["language"] for r in rows} == {"python", "javascript"}
    assert {r["suite"] for r in rows} == {"junior-dev", "senior-dev"}
    keys = [(r["suite"], r["name"], r["language"], r["sample"]) for r in rows]
    assert len(set(keys)) == len(keys)


def test_records_carry_provenance(reference_run):
    _, _, _, graded = reference_run
    row = records(graded)[0]
    for field in ("suite", "suite_hash", "name", "language", "sample", "template", "params_name",
                  "executor", "model", "harness_version", "prepared_at", "interviewed_at",
                  "evaluated_at", "prompt", "answer", "code", "checks", "status", "passed", "total"):
        assert row.get(field) is not None, field
    assert row["stage"] == "eval" and row["executor"] == "reference" and row["template"] == "chat-simple"
    check = row["checks"][0]
    assert set(check) >= {"name", "assert", "expected", "got", "passed", "weight", "error"}


def test_report_leaderboard(reference_run, tmp_path):
    _, _, _, graded = reference_run
    proc = stage("report.py", str(graded), "--output-dir", tmp_path)
    assert output_path(proc) == tmp_path / "leaderboard.md"
    markdown = (tmp_path / "leaderboard.md").read_text()
    assert "reference" in markdown and "(100.0%)" in markdown
    csv = (tmp_path / "leaderboard.csv").read_text().splitlines()
    header, row = csv[0].split(","), csv[1].split(",")
    values = dict(zip(header, row))
    rows = records(graded)
    assert int(float(values["python_passed"])) == sum(r["passed"] for r in rows if r["language"] == "python")
    assert float(values["score_pct"]) == 100.0
    assert "python" in proc.stdout and "javascript" in proc.stdout


def test_eval_file_fed_back_into_interview_and_evaluate(reference_run, tmp_path):
    _, _, _, graded = reference_run
    # re-ask: an eval file is a valid interview input (replayed from itself)
    again = output_path(stage("interview.py", "--input", graded, "--executor", "replay",
                              "--replay", graded, "--output", tmp_path / "interview.ndjson"))
    again_rows = records(again)
    assert len(again_rows) == len(records(graded))
    assert all("status" not in r and "checks" not in r for r in again_rows)
    # re-grade: stale fields must not fool the grader; forge a pass onto a wrong answer
    rows = records(graded)
    forged = dict(rows[0])
    forged["answer"] = "```python\ndef nothing():\n    return None\n```" if forged["language"] == "python" \
        else "```javascript\nfunction nothing() { return null; }\n```"
    stale = write_records(tmp_path / "stale.ndjson", [forged] + rows[1:4])
    regraded = records(output_path(stage("evaluate.py", "--input", stale, "--output", tmp_path / "eval2.ndjson")))
    by_key = {(r["name"], r["language"]): r for r in regraded}
    assert by_key[forged["name"], forged["language"]]["status"] != "pass"
    assert by_key[forged["name"], forged["language"]]["passed"] < forged["total"]
    assert all(by_key[r["name"], r["language"]]["status"] == "pass" for r in rows[1:4])


def test_can_ai_code_junior_v2_prepares_replays_and_evaluates(tmp_path):
    CAN_AI_CODE = dataset_file("can-ai-code-junior-v2")
    prepared = output_path(stage("prepare.py", "--interview", CAN_AI_CODE, "--output", tmp_path / "p.ndjson"))
    answers = output_path(stage("interview.py", "--input", prepared, "--executor", "replay",
                                "--replay", HAND_ANSWERS, "--output", tmp_path / "i.ndjson"))
    rows = {(r["name"], r["language"]): r for r in records(
        output_path(stage("evaluate.py", "--input", answers, "--output", tmp_path / "e.ndjson")))}
    assert len(rows) == 28
    assert all(r["model"] == "hand-written" for r in rows.values())
    misnamed = rows[("GCDMisnamed", "python")]   # defines gcd() where fofx() was asked
    assert misnamed["status"] == "no_function" and 0 < misnamed["passed"] < misnamed["total"]
    wrong = rows[("SanityList", "javascript")]    # Barcelona is not the capital of Spain
    assert wrong["status"] == "fail" and wrong["passed"] == wrong["total"] - 1
    assert [c["name"] for c in wrong["checks"] if not c["passed"]] == ["returns_madrid"]
    others = [k for k, r in rows.items() if r["status"] != "pass"]
    assert sorted(others) == [("GCDMisnamed", "python"), ("SanityList", "javascript")]


def test_can_ai_code_files_are_regraded_with_interview_supplying_checks(tmp_path):
    CAN_AI_CODE = dataset_file("can-ai-code-junior-v2")
    # can-ai-code's own interview records: question fields + name, language, answer, model, params
    suite_fields = {"Signature": "gcd(a, b)", "Input": "with two inputs a and b",
                    "Output": "the greatest common denominator of a and b"}
    rows = [dict(r, **suite_fields) for r in records(HAND_ANSWERS) if r["name"] == "GCDZeroShot"]
    old = write_records(tmp_path / "old.ndjson", rows)
    proc = stage("evaluate.py", "--input", old, "--output", tmp_path / "e.ndjson", check=False)
    assert proc.returncode == 2 and "pass --interview" in proc.stderr and "Traceback" not in proc.stderr
    graded = records(output_path(stage("evaluate.py", "--input", old, "--interview", CAN_AI_CODE,
                                       "--output", tmp_path / "e.ndjson")))
    # graded as they finish: the order of the output is not the input's
    assert sorted((r["language"], r["status"]) for r in graded) == [("javascript", "pass"), ("python", "pass")]


WRONG = {
    "python": {
        "wrong_name": ("def reverse(text):\n    return ' '.join(reversed(text.split()))", "no_function"),
        "wrong_arity": ("def reverse_words(text, sep=' '):\n    return sep.join(reversed(text.split()))", "fail"),
        "wrong_result": ("def reverse_words(text):\n    return text.strip()", "fail"),
        "syntax_error": ("def reverse_words(text)\n    return text", "syntax_error"),
        "exception": ("def reverse_words(text):\n    raise ValueError('nope')", "runtime_error"),
        "infinite_loop": ("def reverse_words(text):\n    while True:\n        pass", "timeout"),
        "no_code": (None, "no_code"),
    },
    "javascript": {
        "wrong_name": ("function reverse(text) {\n  return text.split(/\\s+/).filter(Boolean).reverse().join(' ');\n}", "no_function"),
        "wrong_arity": ("function reverse_words(text, sep) {\n  return text.split(/\\s+/).filter(Boolean).reverse().join(sep || ' ');\n}", "fail"),
        "wrong_result": ("function reverse_words(text) {\n  return text.trim();\n}", "fail"),
        "syntax_error": ("function reverse_words(text) {\n  return text.trim(;\n}", "syntax_error"),
        "exception": ("function reverse_words(text) {\n  throw new Error('nope');\n}", "runtime_error"),
        "infinite_loop": ("function reverse_words(text) {\n  while (true) {}\n}", "timeout"),
        "no_code": (None, "no_code"),
    },
}


def test_wrong_answers_get_the_right_status_and_partial_credit(tmp_path):
    prepared = records(output_path(stage("prepare.py", "--interview", "junior-dev",
                                         "--output", tmp_path / "p.ndjson")))
    kinds = list(WRONG["python"])
    rows = []
    for base in (r for r in prepared if r["name"] == "ReverseWords"):
        for sample, kind in enumerate(kinds):
            code, _ = WRONG[base["language"]][kind]
            answer = f"```{base['language']}\n{code}\n```" if code else "I would rather not."
            rows.append({**base, "stage": "interview", "sample": sample, "answer": answer,
                         "model": "wrong", "executor": "replay", "params_name": "greedy"})
    answers = write_records(tmp_path / "i.ndjson", rows)
    graded = records(output_path(stage("evaluate.py", "--input", answers, "--output", tmp_path / "e.ndjson",
                                       "--check-timeout", "1", "--job-timeout", "4")))
    assert len(graded) == 2 * len(kinds)
    for r in graded:
        kind = kinds[r["sample"]]
        expected = WRONG[r["language"]][kind][1]
        assert r["status"] == expected, (r["language"], kind, r["status"], r.get("error"))
        if kind in ("wrong_name", "wrong_arity", "wrong_result", "exception"):
            assert 0 < r["passed"] < r["total"], (r["language"], kind, r["passed"])
        if kind in ("syntax_error", "no_code"):
            assert r["passed"] == 0
    failed = {c["name"] for r in graded if kinds[r["sample"]] == "wrong_arity" for c in r["checks"] if not c["passed"]}
    assert failed == {"one_argument"}


def _kill_when(proc: subprocess.Popen, path, lines: int, limit: float = 120) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if path.exists() and path.read_bytes().count(b"\n") >= lines:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            return
        if proc.poll() is not None:
            raise AssertionError(f"finished before it could be killed: {proc.stderr.read()}")
        time.sleep(0.01)
    raise AssertionError("no progress before the deadline")


def _start(script, *args):
    return subprocess.Popen([sys.executable, str(REPO / script), *map(str, args)], cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)


def test_prepare_takes_a_subset_by_name_pattern(tmp_path):
    humaneval = f"humaneval={dataset_file('humaneval/HumanEval.jsonl.gz')}"
    out = output_path(stage("prepare.py", "--interview", f"junior-dev,{humaneval}", "--languages", "python",
                            "--questions", "HumanEval/1?, Is*", "--output", tmp_path / "p.ndjson"))
    assert sorted(r["name"] for r in records(out)) == \
        sorted([f"HumanEval/{i}" for i in range(10, 20)] + ["IsPalindrome", "IsPrime"])


def test_kill_during_interview_then_resume(tmp_path):
    prepared = output_path(stage("prepare.py", "--interview", "junior-dev", "--output", tmp_path / "p.ndjson"))
    out, samples = tmp_path / "i.ndjson", 400
    proc = _start("interview.py", "--input", prepared, "--samples", samples, "--output", out)
    _kill_when(proc, out, 500)
    partial = out.read_bytes().count(b"\n")
    expected = len(records(prepared)) * samples
    assert partial < expected
    stage("interview.py", "--input", prepared, "--samples", samples, "--output", out)
    keys = Counter((r["name"], r["language"], r["sample"]) for r in records(out))
    assert len(keys) == expected and set(keys.values()) == {1}


def test_kill_during_evaluate_then_resume(reference_run, tmp_path):
    _, _, answers, graded = reference_run
    out = tmp_path / "e.ndjson"
    proc = _start("evaluate.py", "--input", answers, "--output", out, "--workers", "2")
    _kill_when(proc, out, 5)
    with out.open("a") as handle:  # as if the kill had torn a line
        handle.write('{"stage": "eval", "name": "tor')
    left_behind = _containers_of(proc.pid)
    assert left_behind, "a killed evaluate leaves its containers (nothing ran its clean-up)"
    stage("evaluate.py", "--input", answers, "--output", out)
    assert _containers_of(proc.pid) == [], "the resumed run removes the dead run's containers"
    rows = records(out)
    keys = Counter((r["suite"], r["name"], r["language"], r["sample"]) for r in rows)
    assert len(keys) == len(records(answers)) and set(keys.values()) == {1}
    assert all(r["status"] == "pass" for r in rows)


def _containers_of(pid: int) -> list[str]:
    owner = f"codeinterview.sandbox.owner={socket.gethostname()}:{pid}"
    return subprocess.run(["docker", "ps", "-aq", "--filter", f"label={owner}"],
                          capture_output=True, text=True, check=True).stdout.split()


@pytest.mark.parametrize("case", ["yaml", "field", "template", "param", "ndjson", "stage", "executor",
                                  "questions"])
def test_user_mistakes_exit_2_with_one_clear_line(tmp_path, case):
    CAN_AI_CODE = dataset_file("can-ai-code-junior-v2")
    good_prepare = output_path(stage("prepare.py", "--interview", CAN_AI_CODE, "--output", tmp_path / "p.ndjson"))
    if case == "yaml":
        (tmp_path / "bad.yaml").write_text("Q:\n  Signature: 'f(x)'\n  Checks: [\n")
        args, expect = ("prepare.py", "--interview", tmp_path / "bad.yaml"), "bad.yaml:4:1: not valid YAML"
    elif case == "field":
        (tmp_path / "bad.yaml").write_text("Q:\n  Signature: 'f(x)'\n  Input: x\n  Checks: {c: {assert: '1', eq: 1}}\n")
        args, expect = ("prepare.py", "--interview", tmp_path / "bad.yaml"), "bad.yaml:1: question 'Q' is missing field(s) Output"
    elif case == "template":
        (tmp_path / "t.yaml").write_text("kind: text\ntext: '{{ Signature }} {{ lnguage }}'\n")
        args, expect = ("prepare.py", "--interview", CAN_AI_CODE, "--template", tmp_path / "t.yaml"), "t.yaml: text uses unknown variable(s) lnguage"
    elif case == "param":
        (tmp_path / "p.yaml").write_text("temperature: 0\ntemprature: 1\n")
        args, expect = ("interview.py", "--input", good_prepare, "--params", tmp_path / "p.yaml"), "p.yaml: unknown parameter 'temprature'"
    elif case == "ndjson":
        lines = good_prepare.read_text().splitlines()
        (tmp_path / "x.ndjson").write_text(lines[0] + "\n{not json\n" + lines[1] + "\n")
        args, expect = ("interview.py", "--input", tmp_path / "x.ndjson"), "x.ndjson:2: not a JSON object"
    elif case == "stage":
        args, expect = ("evaluate.py", "--input", good_prepare), "p.ndjson:1: this is a prepare record; this stage reads interview or eval files"
    elif case == "questions":
        args, expect = (("prepare.py", "--interview", "junior-dev", "--questions", "IsPrime,Fizz*"),
                        "--questions: no question in junior-dev matches Fizz*")
    else:
        args, expect = ("interview.py", "--input", good_prepare, "--executor", "nope"), "unknown executor 'nope'"
    proc = stage(*args, check=False)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert expect in proc.stderr, proc.stderr
