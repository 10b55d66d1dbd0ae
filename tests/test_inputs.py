"""Questions, templates and parameter sets: loading, and clear errors."""

import pytest

from benchmark_files import dataset_file
from codeinterview.errors import UserError
from codeinterview.params import load_params
from codeinterview.suites import load_suite
from codeinterview.templates import load_template, template_variables

pytestmark = pytest.mark.fast  # no Docker engine, no server, no model


def test_can_ai_code_junior_v2_loads_unchanged():
    suite = load_suite(str(dataset_file("can-ai-code-junior-v2")))
    assert len(suite.questions) == 14
    names = {q.name for q in suite.questions}
    assert "FibonacciMisnamed" in names and not any(n.startswith(".") for n in names)
    misnamed = next(q for q in suite.questions if q.name == "FibonacciMisnamed")
    assert misnamed.function_name == "potato" and misnamed.arg_names == ["g"]
    # anchors merged: the shared value checks are there
    assert {"value_0", "value_5"} <= {c.name for c in misnamed.checks}
    assert any(c.op == "eq-any" for q in suite.questions for c in q.checks)


@pytest.mark.parametrize("suite", ["junior-dev", "senior-dev"])
def test_bundled_suites_have_references_in_both_languages(suite):
    loaded = load_suite(suite)
    assert len(loaded.questions) >= (15 if suite == "junior-dev" else 5)
    for question in loaded.questions:
        assert question.reference("python") and question.reference("javascript"), question.name


def write(tmp_path, text, name="q.yaml"):
    path = tmp_path / name
    path.write_text(text)
    return path


@pytest.mark.parametrize("text, message", [
    ("A:\n  Signature: 'f(x)'\n  Input: x\n  Checks: {}\n  Output: [\n", r"q.yaml:6:1: not valid YAML: expected the node content"),
    ("\nA:\n  Signature: 'f(x)'\n  Input: x\n  Checks: {c: {assert: 'f.call(1)', eq: 1}}\n",
     r"q.yaml:2: question 'A' is missing field\(s\) Output"),
    ("A:\n  Signature: 'f x'\n  Input: x\n  Output: y\n  Checks: {c: {assert: 'f.call(1)', eq: 1}}\n",
     r"Signature 'f x' is not of the form"),
    ("A:\n  Signature: 'f(x)'\n  Input: x\n  Output: y\n  Checks: {c: {assert: 'f.call(1)'}}\n",
     r"check 'c': needs exactly one operator"),
    ("A:\n  Signature: 'f(x)'\n  Input: x\n  Output: y\n  Checks: {c: {assert: 'f.call(', eq: 1}}\n",
     r"check 'c': assert is not a Python expression"),
    ("A:\n  Signature: 'f(x)'\n  Input: x\n  Output: y\n  Checks: {c: {assert: 'f.call(1)', eq: 1, wieght: 2}}\n",
     r"check 'c': unknown key\(s\) wieght"),
])
def test_malformed_questions_are_named(tmp_path, text, message):
    with pytest.raises(UserError, match=message):
        load_suite(str(write(tmp_path, text)))


def test_unknown_template_variable_is_named(tmp_path):
    path = write(tmp_path, "kind: chat\nmessages:\n  - role: user\n    content: 'Write {{ Signatur }}'\n", "t.yaml")
    with pytest.raises(UserError, match=r"t.yaml: messages\[0\] uses unknown variable\(s\) Signatur"):
        load_template(str(path))


def test_templates_render_chat_and_text():
    variables = template_variables({"Signature": "f(x)", "Input": "x", "Output": "y"}, "Q", "s",
                                   "python", "f", ["x"])
    messages, prefix = load_template("chat-system").render(variables)
    assert [m["role"] for m in messages] == ["system", "user"] and prefix is None
    assert "f(x)" in messages[1]["content"]
    text, prefix = load_template("completion").render(variables)
    assert isinstance(text, str) and prefix == "def f(x):\n" and text.endswith(prefix)
    outline, _ = load_template("chat-outline").render(variables)
    assert "step-by-step outline" in outline[0]["content"]


def test_unknown_parameter_is_named(tmp_path):
    path = write(tmp_path, "temperature: 0.2\ntop_q: 0.9\n", "p.yaml")
    with pytest.raises(UserError, match=r"p.yaml: unknown parameter 'top_q'"):
        load_params(str(path))
    path = write(tmp_path, "temperature: hot\n", "p.yaml")
    with pytest.raises(UserError, match=r"parameter 'temperature' must be"):
        load_params(str(path))
    for name in ("greedy", "precise", "creative"):
        assert "temperature" in load_params(name)[1]
