"""--lint: static analyzers (real ruff, mypy, jedi and eslint, run on the
host; they read the code and never run it) whose findings join the feedback,
and a scripted model behind a real HTTP server that fixes its mistake only
when a finding reaches it."""

import dataclasses

import pytest

from codeinterview.analyzers import ANALYZERS
from codeinterview.errors import UserError
from codeinterview.lint import lint, parse_linters
from feedback_suite import SUITE, executor, interview_args, request
from helpers import output_path, records, stage
from scripted_server import ScriptedModel, Step

UNDEFINED = "def add(a, b):\n    total = a + b\n    return totl\n"
RIGHT = "def add(a, b):\n    return a + b\n"


def test_ruff_finds_what_would_crash_and_only_that():
    findings = lint(["ruff"], "import os\n\ndef add(a, b):\n    return helper(a) + b\n", "python")
    assert findings == [{"tool": "ruff", "code": "F821", "line": 4, "column": 12,
                         "message": "Undefined name `helper`"}]   # the unused import is not reported
    assert lint(["ruff"], RIGHT, "python") == []
    syntax = lint(["ruff"], "def add(a, b):\n    return a +\n", "python")
    assert syntax and syntax[0]["line"] == 2


def test_mypy_finds_type_errors_annotated_or_not():
    findings = lint(["mypy"], "def name(x: int) -> str:\n    return x\n", "python")
    assert [(f["tool"], f["code"], f["line"]) for f in findings] == [("mypy", "return-value", 2)]
    assert "expected \"str\"" in findings[0]["message"]
    assert lint(["mypy"], "def name(x: int) -> str:\n    return str(x)\n", "python") == []
    maybe_none = "import re\n\ndef first(s):\n    return re.match('a', s).group(0)\n"
    assert [(f["code"], f["line"]) for f in lint(["mypy"], maybe_none, "python")] == [("union-attr", 4)]


def test_findings_are_ordered_by_line_and_analyzers_apply_to_their_language():
    code = "def f(x: int) -> str:\n    return x\n\ndef g():\n    return undefined_name\n"
    assert [(f["tool"], f["line"]) for f in lint(["ruff", "mypy"], code, "python")] == \
        [("mypy", 2), ("ruff", 5), ("mypy", 5)]
    assert lint(["ruff", "mypy"], "function f(x) { return y; }", "javascript") == []
    assert lint(["ruff"], None, "python") == []
    # an answer longer than one command-line argument may be (128 KiB) is read from a file
    huge = "# " + "x" * 200_000 + "\n" + UNDEFINED
    assert [(f["tool"], f["line"]) for f in lint(["ruff", "mypy"], huge, "python")] == \
        [("ruff", 4), ("mypy", 4)]


def test_unknown_or_missing_analyzers_are_user_errors(monkeypatch):
    assert parse_linters("ruff, mypy") == ["ruff", "mypy"] and parse_linters(None) == []
    with pytest.raises(UserError, match="--lint pylint: unknown analyzer; choose from ruff, mypy, signature, "
                                        "hallucination, eslint"):
        parse_linters("pylint")
    # a fault no installed analyzer produces on demand: its package missing
    missing = dataclasses.replace(ANALYZERS.get("ruff"), needs="no_such_analyzer_pkg")
    monkeypatch.setattr(ANALYZERS, "get", lambda name, get=ANALYZERS.get: missing if name == "ruff" else get(name))
    with pytest.raises(UserError, match=r"pip install 'codeinterview\[lint\]'"):
        parse_linters("ruff")


@pytest.fixture()
def typo_model():
    # fixes the misspelt name only once ruff's code for it is in the conversation:
    # the NameError alone (which names `totl` too) is not enough for this "model"
    with ScriptedModel({("add", "python"): [Step(UNDEFINED, "F821"), Step(RIGHT)]}) as server:
        yield server


def test_a_finding_in_the_feedback_lets_the_model_fix_its_code(typo_model):
    with executor(typo_model, lint="ruff") as ex:
        answer = ex.ask(request("Add"))
    attempts = answer.extra["attempts"]
    assert [a["status"] for a in attempts] == ["runtime_error", "pass"]
    assert attempts[0]["lint"] == [{"tool": "ruff", "code": "F821", "line": 3, "column": 12,
                                    "message": "Undefined name `totl`"}]
    assert attempts[1]["lint"] == []
    feedback = typo_model.requests[1]["messages"][2]["content"]
    assert "- line 3: Undefined name `totl` (ruff F821)" in feedback
    assert ex.describe()["feedback"]["lint"] == ["ruff"]


def test_without_lint_the_same_model_stays_stuck(typo_model):
    with executor(typo_model, max_attempts=2) as ex:
        answer = ex.ask(request("Add"))
    attempts = answer.extra["attempts"]
    assert [a["status"] for a in attempts] == ["runtime_error", "runtime_error"]
    assert "lint" not in attempts[0] and "F821" not in typo_model.sent_text()


def test_interview_flag(tmp_path, typo_model):
    import yaml

    suite = tmp_path / "suite.yaml"
    suite.write_text(yaml.safe_dump({"Add": SUITE["Add"]}))
    prepared = output_path(stage("prepare.py", "--interview", suite, "--languages", "python",
                                 "--output", tmp_path / "p.ndjson"))
    bad = stage("interview.py", *interview_args(prepared, tmp_path / "bad.ndjson", typo_model, "--lint", "pylint"),
                check=False)
    assert bad.returncode == 2 and "error: --lint pylint: unknown analyzer" in bad.stderr
    answers = output_path(stage("interview.py", *interview_args(prepared, tmp_path / "i.ndjson", typo_model,
                                                                "--lint", "ruff,mypy")))
    [row] = records(answers)
    assert row["feedback"]["lint"] == ["ruff", "mypy"]
    assert [a["status"] for a in row["attempts"]] == ["runtime_error", "pass"]
    assert [(f["tool"], f["line"]) for f in row["attempts"][0]["lint"]] == [("ruff", 3), ("mypy", 3)]
    assert 'did you mean "total"?' in row["attempts"][0]["lint"][1]["message"]


# Two mistakes at once: a keyword re.sub lacks (the sandbox stops at it) and a function re
# lacks (the sandbox never gets that far); only the analyzers name both, with the real names.
MISNAMED = ('import re\n\ndef add(a, b):\n    digits = re.sub(r"\\s", "", str(a), flag=re.I)\n'
            '    if re.matches(r"-", digits):\n        return b - int(digits[1:])\n    return int(digits) + b\n')
FIXED = ('import re\n\ndef add(a, b):\n    digits = re.sub(r"\\s", "", str(a), flags=re.I)\n'
         '    if re.match(r"-", digits):\n        return b - int(digits[1:])\n    return int(digits) + b\n')


def test_signature_and_hallucination_findings_reach_the_model():
    # moves on only once the hallucination analyzer's words are in the conversation
    with ScriptedModel({("add", "python"): [Step(MISNAMED, "(hallucination unknown-attribute)"),
                                            Step(FIXED)]}) as server:
        with executor(server, lint="signature,hallucination") as ex:
            answer = ex.ask(request("Add"))
        feedback = server.requests[1]["messages"][2]["content"]
    attempts = answer.extra["attempts"]
    assert [a["status"] for a in attempts] == ["runtime_error", "pass"]
    assert [(f["tool"], f["code"], f["line"]) for f in attempts[0]["lint"]] == \
        [("signature", "unexpected-keyword", 4), ("hallucination", "unknown-attribute", 5)]
    assert ("- line 4: re.sub() got an unexpected keyword argument 'flag' (did you mean 'flags'?); "
            "its signature: re.sub(pattern, repl, string, count=..., flags=...) (signature unexpected-keyword)"
            in feedback)
    assert ("- line 5: module 're' has no attribute 'matches' (did you mean 'match', 'Match' or 'fullmatch'?) "
            "(hallucination unknown-attribute)" in feedback)
    assert attempts[1]["lint"] == []


def test_eslint_findings_reach_the_model():
    typo = "function add(a, b) {\n  const total = a + b;\n  return totl;\n}"
    with ScriptedModel({("add", "javascript"): [Step(typo, "(eslint no-undef)"),
                                                Step("function add(a, b) {\n  return a + b;\n}")]}) as server:
        with executor(server, lint="eslint,ruff") as ex:  # ruff reads Python only: no finding here
            answer = ex.ask(request("Add", "javascript"))
        feedback = server.requests[1]["messages"][2]["content"]
    attempts = answer.extra["attempts"]
    assert [a["status"] for a in attempts] == ["runtime_error", "pass"]
    assert attempts[0]["lint"] == [{"tool": "eslint", "code": "no-undef", "line": 3, "column": 10,
                                    "message": "'totl' is not defined."}]
    assert "- line 3: 'totl' is not defined. (eslint no-undef)" in feedback
