"""Extraction: every answer shape the issue lists."""

import pytest

from codeinterview.extract import extract_code

pytestmark = pytest.mark.fast  # no Docker engine, no server, no model

PY_F = "def add(a, b):\n    return a + b"
JS_F = "function add(a, b) {\n  return a + b;\n}"


@pytest.mark.parametrize("answer, expected", [
    (f"Here you go:\n```python\n{PY_F}\n```\nDone.", PY_F),                       # tagged fence
    (f"```\n{PY_F}\n```", PY_F),                                                  # untagged fence
    (f"```py\n{PY_F}\n", PY_F),                                                   # no closing fence
    (f"{PY_F}\n```\nThat is all.", PY_F),                                         # no opening fence
    (PY_F, PY_F),                                                                 # no fences at all
    (f"<think>maybe ```python\ndef add(a, b): return 0\n```</think>\n```python\n{PY_F}\n```", PY_F),
    (f"I should add.</think>\n```python\n{PY_F}\n```", PY_F),                    # only a closing think tag
    (f"<think>let me write it\n```python\n{PY_F}\n```", PY_F),                   # unclosed think tag
])
def test_python_shapes(answer, expected):
    assert extract_code(answer, "python", "add") == expected


def test_several_blocks_pick_language_and_signature_name():
    answer = (f"JS first:\n```javascript\n{JS_F}\n```\nAn example:\n```python\nprint(add(1, 2))\n```\n"
              f"The function:\n```python\n{PY_F}\n```\n")
    assert extract_code(answer, "python", "add") == PY_F
    assert extract_code(answer, "javascript", "add") == JS_F


def test_helper_defined_first_is_not_taken_for_the_function():
    answer = "```python\ndef helper(x):\n    return x * 2\n\ndef add(a, b):\n    return helper(a) + b\n```"
    code = extract_code(answer, "python", "add")
    assert "def add" in code and "def helper" in code


def test_helper_in_separate_block_is_kept():
    answer = "```python\ndef helper(x):\n    return x\n```\n```python\ndef add(a, b):\n    return helper(a) + b\n```"
    assert extract_code(answer, "python", "add") == "def helper(x):\n    return x\n\ndef add(a, b):\n    return helper(a) + b"


@pytest.mark.parametrize("answer", [
    f"```js\n{JS_F}\n```",
    "```javascript\nconst add = (a, b) => a + b;\n```",
    "```\nlet add = function (a, b) { return a + b; };\n```",
])
def test_javascript_shapes(answer):
    code = extract_code(answer, "javascript", "add")
    assert "add" in code and "```" not in code


def test_no_code():
    assert extract_code("I am sorry, I cannot help with that.", "python", "add") is None
    assert extract_code("", "python", "add") is None


def test_completion_stitches_prefix():
    prefix = "def add(a, b):\n"
    assert extract_code("    return a + b\n```\nExplanation...", "python", "add", prefix) == \
        "def add(a, b):\n    return a + b\n"
    # an answer that restates the whole function is taken as it is
    assert extract_code(f"```python\n{PY_F}\n```", "python", "add", prefix) == PY_F
    js_prefix = "function add(a, b) {\n"
    assert extract_code("  return a + b;\n}\n", "javascript", "add", js_prefix) == \
        "function add(a, b) {\n  return a + b;\n}\n"


def test_missing_opening_fence_after_prose_starts_at_the_code():
    assert extract_code(f"Sure, here:\n{PY_F}\n```\nThis adds.", "python", "add") == PY_F


def test_bare_body_keeps_its_indentation():
    # a body without its signature is stitched onto the prompt's: it must stay indented
    assert extract_code("```python\n    return a + b\n```", "python", "add") == "    return a + b"
