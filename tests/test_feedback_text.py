"""Feedback text is built from the sandbox's real output (Python and JavaScript):
a syntax error, a wrong result, an exception and a timeout, in the structured
verdict, the raw runner output and the completion prompt; and the reveal policy
keeps hidden checks out of all of them."""

import pytest

from codeinterview.errors import UserError
from codeinterview.feedback.text import (MESSAGE_CHARS, FeedbackTemplate, clean_output, raw_output,
                                    verdict)
from codeinterview.grading.answer import grade_answer
from codeinterview.questions import question_from_fields
from codeinterview.sandbox import Limits

# generous: loading node counts against the check timeout, slow on a busy machine
LIMITS = Limits(timeout_s=12.0, check_timeout_s=2.5, memory_mb=192)
FIELDS = {
    "Signature": "add(a, b)", "Input": "two numbers", "Output": "their sum",
    "Checks": {
        "named": {"assert": "f.name", "eq": "add"},
        "small": {"assert": "f.call(1, 2)", "eq": 3},
        "secret": {"assert": "f.call(4321, 1234)", "eq": 5555, "visible": False},
    },
}
QUESTION = question_from_fields("Add", FIELDS, "t", "test")

CODE = {
    "python": {
        "syntax": "def add(a, b):\n    total = a +\n    return total\n",
        "wrong": "def add(a, b):\n    return a - b\n",
        "exception": "def add(a, b):\n    return lookup({}, a) + b\n\ndef lookup(table, key):\n    return table[key]\n",
        "timeout": "def add(a, b):\n    while True:\n        pass\n",
    },
    "javascript": {
        "syntax": "function add(a, b) {\n  const total = a +;\n  return total;\n}\n",
        "wrong": "function add(a, b) {\n  return a - b;\n}\n",
        "exception": "function add(a, b) {\n  return lookup({}, a) + b;\n}\nfunction lookup(table, key) {\n  return table[key].value;\n}\n",
        "timeout": "function add(a, b) {\n  while (true) {}\n}\n",
    },
}
# What each feedback must say, taken from what the sandbox reports for that code.
EXPECT = {
    ("python", "syntax"): ["does not parse", "SyntaxError", "line 2", "total = a +"],
    ("javascript", "syntax"): ["does not parse", "SyntaxError", "line 2", "const total = a +;"],
    ("python", "wrong"): ["wrong result", "add(1, 2)", "expected 3, got -1"],
    ("javascript", "wrong"): ["wrong result", "add(1, 2)", "expected 3, got -1"],
    ("python", "exception"): ["raised an error", "add(1, 2)", "KeyError: 1",
                              'File "answer.py", line 5, in lookup', "return table[key]"],
    ("javascript", "exception"): ["raised an error", "add(1, 2)", "TypeError: Cannot read properties of undefined",
                                  "at lookup (answer.js:5:", "at add (answer.js:2:"],
    ("python", "timeout"): ["timed out", "add(1, 2)", "limit 2.5 s"],
    ("javascript", "timeout"): ["timed out", "add(1, 2)", "limit 2.5 s"],
}
STATUS = {"syntax": "syntax_error", "wrong": "fail", "exception": "runtime_error", "timeout": "timeout"}
HIDDEN = ("4321", "1234", "5555", "secret")


_GRADED: dict = {}


def graded_answer(pool, language, kind):
    """Grade once per module (timeouts are slow); every test reads the same real grade."""
    if (language, kind) not in _GRADED:
        answer = f"Sure:\n```{language}\n{CODE[language][kind]}```\n"
        _GRADED[(language, kind)] = answer, grade_answer(pool, QUESTION, language, answer, None, LIMITS)
    answer, graded = _GRADED[(language, kind)]
    assert graded["status"] == STATUS[kind], graded
    return answer, graded


@pytest.mark.parametrize("kind", ["syntax", "wrong", "exception", "timeout"])
@pytest.mark.parametrize("language", ["python", "javascript"])
def test_structured_verdict_from_real_sandbox_output(pool, language, kind):
    answer, graded = graded_answer(pool, language, kind)
    messages, prefix = FeedbackTemplate(None, chat=True).render(
        QUESTION, language, graded, answer, 1, 3, "visible", LIMITS.check_timeout_s)
    assert prefix is None and [m["role"] for m in messages] == ["user"]
    text = messages[0]["content"]
    for needle in EXPECT[(language, kind)]:
        assert needle in text, (needle, text)
    assert f"```{language} code block" in text
    assert not any(h in text for h in HIDDEN), text
    if kind != "syntax":  # the hidden check failed too: counted, never quoted
        assert "1 further check(s) that are not shown failed" in text
    assert "/opt/runner" not in text and "child_" not in text


@pytest.mark.parametrize("kind", ["syntax", "wrong", "exception", "timeout"])
@pytest.mark.parametrize("language", ["python", "javascript"])
def test_raw_output_is_the_cleaned_runner_output(pool, language, kind):
    answer, graded = graded_answer(pool, language, kind)
    messages, _ = FeedbackTemplate("feedback-raw", chat=True).render(
        QUESTION, language, graded, answer, 1, 3, "visible")
    text = messages[0]["content"]
    assert text.startswith("The tests failed:\n```\n")
    status_line = {"syntax": "SyntaxError", "wrong": "FAIL small: add(1, 2)",
                   "exception": "ERROR small: add(1, 2)", "timeout": "TIMEOUT small: add(1, 2)"}[kind]
    assert status_line in text
    if kind != "syntax":
        assert "PASS named: f.name" in text and "1 more checks not shown: 1 failed" in text
    if kind == "exception":
        # the runner's own frames are in the sandbox's traceback; the feedback drops them
        tracebacks = " ".join(c.get("traceback") or "" for c in graded["checks"])
        if language == "javascript":
            assert "/opt/runner/child_js.js" in tracebacks
        assert "answer." in text and "/opt/runner" not in text and "child_" not in text
    assert not any(h in text for h in HIDDEN), text


@pytest.mark.parametrize("language", ["python", "javascript"])
def test_completion_feedback_is_a_fresh_prompt_ending_in_the_prefix(pool, language):
    answer, graded = graded_answer(pool, language, "wrong")
    prompt, prefix = FeedbackTemplate(None, chat=False).render(
        QUESTION, language, graded, answer, 1, 3, "visible")
    comment = "#" if language == "python" else "//"
    assert isinstance(prompt, str) and prompt.endswith(prefix)
    assert prefix.startswith("def add(a, b):" if language == "python" else "function add(a, b) {")
    assert f"{comment} add(a, b)" in prompt                       # the question
    assert f"{comment}         return a - b" in prompt or f"{comment}       return a - b;" in prompt
    assert f"{comment} add(1, 2): expected 3, got -1" in prompt     # the verdict
    assert not any(h in prompt for h in HIDDEN)


def test_reveal_policies(pool):
    answer, graded = graded_answer(pool, "python", "wrong")
    everything = verdict(graded, QUESTION, "python", "all")
    assert [f["call"] for f in everything["failures"]] == ["add(1, 2)", "add(4321, 1234)"]
    assert everything["hidden_failed"] == 0
    visible = verdict(graded, QUESTION, "python", "visible")
    assert [f["call"] for f in visible["failures"]] == ["add(1, 2)"] and visible["hidden_failed"] == 1
    none = verdict(graded, QUESTION, "python", "none")
    assert none["failures"] == [] and none["hidden_failed"] == 2 and none["shown_passed"] == 0
    assert "4321" in raw_output(graded, QUESTION, "python", "all")
    blind = raw_output(graded, QUESTION, "python", "none")
    assert "add(1, 2)" not in blind and "3 more checks not shown: 2 failed" in blind
    # problems that involve no check are described under every policy
    _, broken = graded_answer(pool, "python", "syntax")
    assert "total = a +" in raw_output(broken, QUESTION, "python", "none")


def test_prints_of_the_answer_reach_the_model_only_when_everything_is_revealed(pool):
    code = "def add(a, b):\n    print('called with', a, b)\n    return a - b\n"
    graded = grade_answer(pool, QUESTION, "python", f"```python\n{code}```", None, LIMITS)
    assert "called with 4321 1234" in graded["stdout"]   # a hidden check's arguments, echoed
    assert "4321" not in raw_output(graded, QUESTION, "python", "visible")
    assert "called with 4321 1234" in raw_output(graded, QUESTION, "python", "all")


def test_long_values_and_messages_are_truncated(pool):
    code = "def add(a, b):\n    return 'x' * 100000\n"
    graded = grade_answer(pool, QUESTION, "python", f"```python\n{code}```", None, LIMITS)
    v = verdict(graded, QUESTION, "python", "visible")
    got = v["failures"][0]["got"]
    assert got.startswith("'xxxx") and got.endswith("more characters)") and len(got) < 300
    messages, _ = FeedbackTemplate(None, chat=True).render(QUESTION, "python", graded, "", 1, 3, "all")
    assert len(messages[0]["content"]) <= MESSAGE_CHARS + 100


def test_clean_output_strips_paths_runner_frames_and_timings():
    raw = ("TypeError: boom\n    at lookup (/tmp/job-123/answer.js:5:20)\n"
           "    at /opt/runner/child_js.js:205:19\n    at loop (/opt/runner/child_js.js:167:15)\n"
           "small ok (0.03s)\nran 3 checks in 12 ms [1.5 s]")
    assert clean_output(raw) == "TypeError: boom\n    at lookup (answer.js:5:20)\nsmall ok\nran 3 checks"


def test_template_mistakes_are_user_errors(tmp_path):
    with pytest.raises(UserError, match="a text template cannot give feedback on chat"):
        FeedbackTemplate("feedback-completion", chat=True)
    bad = tmp_path / "bad.yaml"
    bad.write_text("kind: chat\nmessages:\n  - role: user\n    content: '{{ verdict.summary }} {{ secrets }}'\n")
    with pytest.raises(UserError, match=r"unknown variable\(s\) secrets"):
        FeedbackTemplate(str(bad), chat=True)


# g++'s output for an answer that uses an undeclared name, as the runner returns it:
# the first error line in the record's `error`, the whole output in its stderr.
GXX_OUTPUT = ("/work/job-3/prog.cpp: In function 'int add(int, int)':\n"
              "/work/job-3/prog.cpp:4:12: error: 'c' was not declared in this scope\n"
              "    4 |     return c;\n      |            ^\n")
COMPILE_ERROR = {"status": "compile_error", "error": "error: 'c' was not declared in this scope",
                 "code": "int add(int a, int b) {\n    return c;\n}\n", "stdout": "", "stderr": GXX_OUTPUT,
                 "checks": [], "passed": 0, "total": 1, "score": 0.0, "function": None, "timing": None}
CPP_QUESTION = question_from_fields("Add", {
    "Kind": "program", "Signature": "add(a, b)", "Prompt": {"cpp": "int add(int a, int b) {\n"},
    "Test": {"cpp": "int main() { return add(1, 2) == 3 ? 0 : 1; }\n"}}, "t", "test")


@pytest.mark.fast
@pytest.mark.parametrize("reveal", ["none", "visible", "all"])
def test_a_compile_error_reaches_the_model_with_the_compiler_s_first_error(reveal):
    """Like a syntax error, under every reveal policy: the first error line, then
    the compiler's output around it, paths cut to file names; the source lines
    the compiler quotes (a test's, possibly) only when everything is revealed."""
    v = verdict(COMPILE_ERROR, CPP_QUESTION, "cpp", reveal)
    assert v["summary"] == "The code does not compile."
    assert v["error"]["message"] == "error: 'c' was not declared in this scope"
    assert "prog.cpp:4:12: error: 'c' was not declared" in v["error"]["traceback"]
    messages, _ = FeedbackTemplate(None, chat=True).render(CPP_QUESTION, "cpp", COMPILE_ERROR, "", 1, 3, reveal)
    chat = messages[0]["content"]
    assert "does not compile" in chat and "error: 'c' was not declared in this scope" in chat
    assert "prog.cpp:4:12: error: 'c' was not declared" in chat and "/work/job-3" not in chat
    assert ("    4 |     return c;" in chat) == (reveal == "all")
    raw = raw_output(COMPILE_ERROR, CPP_QUESTION, "cpp", reveal)
    assert raw.startswith("The code does not compile.\nerror: 'c' was not declared in this scope\n")
    prompt, prefix = FeedbackTemplate(None, chat=False, program=True).render(
        CPP_QUESTION, "cpp", COMPILE_ERROR, "", 1, 3, reveal)
    assert "// It failed. The code does not compile." in prompt
    assert "//     error: 'c' was not declared in this scope" in prompt and prefix == "int add(int a, int b) {\n"
    assert ("return c;" in raw) == ("return c;" in prompt.split("It failed.")[1]) == (reveal == "all")
