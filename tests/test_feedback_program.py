"""The feedback loop on benchmark (program-style) questions: real HumanEval and
HumanEval-X records prepared from ../shared, a scripted model behind a real
HTTP server, the real sandbox. The test program's assertions hold the test
inputs, so only --reveal all may show what it printed."""

import pytest

from benchmark_files import dataset_file
from helpers import output_path, records, stage
from scripted_server import ScriptedModel, Step

DATASETS = {"humaneval": "humaneval/HumanEval.jsonl.gz", "humaneval-js": "humaneval-js/humaneval_js.jsonl.gz"}
TEST_INPUT = "3.9, 4.0, 5.0, 2.2"   # from HumanEval/0's test program, never in its prompt

LOOP = ("    for i, a in enumerate(numbers):\n        for j, b in enumerate(numbers):\n"
        "            if i != j and abs(a - b) < threshold:\n                return True\n    return False\n")
PY_RIGHT = "def has_close_elements(numbers, threshold):\n" + LOOP
PY_WRONG = "def has_close_elements(numbers, threshold):\n    return False\n"
PY_CRASH = "def has_close_elements(numbers, threshold):\n    return numbers + threshold\n"
PY_SLOW = "def has_close_elements(numbers, threshold):\n    while True:\n        pass\n"
JS_RIGHT = ("const hasCloseElements = (numbers, threshold) => {\n  for (let i = 0; i < numbers.length; i++)\n"
            "    for (let j = 0; j < numbers.length; j++)\n"
            "      if (i != j && Math.abs(numbers[i] - numbers[j]) < threshold) return true;\n  return false;\n}\n")
JS_WRONG = "const hasCloseElements = (numbers, threshold) => {\n  return false;\n}\n"

FAILS = "fails the question's tests"


def prepared(tmp_path, dataset, name, language, template):
    """The one prepared record of `name`, as prepare.py writes it from the real dataset."""
    out = output_path(stage("prepare.py", "--interview", f"{dataset}={dataset_file(DATASETS[dataset])}",
                            "--questions", name, "--languages", language, "--template", template,
                            "--output", tmp_path / f"p-{language}-{template}.ndjson"))
    assert [r["name"] for r in records(out)] == [name]
    return out


def interview(tmp_path, prompts, server, *extra, name="i"):
    out = output_path(stage("interview.py", "--input", prompts, "--output", tmp_path / f"{name}.ndjson",
                            "--executor", "feedback", "--inner", "openai", "--model", "scripted",
                            "--base-url", server.base_url, "--params", "greedy", *extra))
    [row] = records(out)
    return out, row


@pytest.mark.parametrize("reveal", ["visible", "all"])
def test_humaneval_converges_and_hides_the_tests_unless_told(tmp_path, reveal):
    script = {("has_close_elements", "python"): [Step(PY_CRASH, "raised TypeError"), Step(PY_WRONG, FAILS),
                                                 Step(PY_RIGHT)]}
    prompts = prepared(tmp_path, "humaneval", "HumanEval/0", "python", "program-chat")
    with ScriptedModel(script) as server:
        answers, row = interview(tmp_path, prompts, server, "--max-attempts", "4", "--reveal", reveal)
        sent = server.sent_text()
        feedback = [r["messages"][-1]["content"] for r in server.requests[1:]]
    assert [a["status"] for a in row["attempts"]] == ["runtime_error", "fail", "pass"]
    assert "The code raised TypeError while the tests ran" in feedback[0]
    assert FAILS in feedback[1]
    if reveal == "all":  # the failing assertion itself, inputs and all
        assert "assert candidate(" in feedback[1] and TEST_INPUT in sent
    else:
        assert "(the tests are not shown)" in feedback[1]
        assert TEST_INPUT not in sent and "assert candidate" not in sent and "check(" not in sent

    graded = output_path(stage("evaluate.py", "--input", answers, "--output", tmp_path / "e.ndjson"))
    [evaluated] = records(graded)
    assert [a["status"] for a in evaluated["attempts_graded"]] == ["runtime_error", "fail", "pass"]
    assert evaluated["status"] == "pass"


def test_a_timeout_names_the_relative_limit(tmp_path):
    script = {("has_close_elements", "python"): [Step(PY_SLOW, "did not finish"), Step(PY_RIGHT)]}
    prompts = prepared(tmp_path, "humaneval", "HumanEval/0", "python", "program-chat")
    with ScriptedModel(script) as server:
        _, row = interview(tmp_path, prompts, server)
        feedback = server.requests[1]["messages"][-1]["content"]
    assert [a["status"] for a in row["attempts"]] == ["timeout", "pass"]
    limit = row["attempts"][0]["verdict"]["check_timeout_s"]
    assert limit >= 3.0 and f"The tests did not finish within {limit:g} s" in feedback


def test_humaneval_js_assertions_that_only_print_are_fed_back(tmp_path):
    script = {("hasCloseElements", "javascript"): [Step(JS_WRONG, FAILS), Step(JS_RIGHT)]}
    prompts = prepared(tmp_path, "humaneval-js", "JavaScript/0", "javascript", "program-chat")
    with ScriptedModel(script) as server:
        _, row = interview(tmp_path, prompts, server, "--reveal", "all")
        feedback = server.requests[1]["messages"][-1]["content"]
    assert [a["status"] for a in row["attempts"]] == ["fail", "pass"]
    assert "Assertion failed" in feedback  # console.assert's own words, from the sandbox's stderr


def test_completion_prompts_continue_the_dataset_prompt(tmp_path):
    script = {("has_close_elements", "python"): [Step(PY_WRONG, FAILS), Step(PY_RIGHT)]}
    prompts = prepared(tmp_path, "humaneval", "HumanEval/0", "python", "program-completion")
    dataset_prompt = records(prompts)[0]["code_prefix"]
    with ScriptedModel(script) as server:
        _, row = interview(tmp_path, prompts, server)
        second = server.requests[1]["prompt"]
    assert [a["status"] for a in row["attempts"]] == ["fail", "pass"]
    assert second.endswith(dataset_prompt)  # the model continues the same code again
    assert "# A previous attempt at the code below:\n#     " in second and "#         return False" in second
    assert f"# It failed. The code {FAILS} (the tests are not shown)." in second
    assert row["attempts"][0]["next_code_prefix"] == dataset_prompt


def test_lint_reads_the_answer_after_the_dataset_prompt(tmp_path):
    # `List` comes from the prompt's `from typing import List`: not a finding; the typo is
    typed_typo = ("def has_close_elements(numbers: List[float], threshold: float) -> bool:\n"
                  "    return clse\n")
    script = {("has_close_elements", "python"): [Step(typed_typo, "F821"), Step(PY_RIGHT)]}
    prompts = prepared(tmp_path, "humaneval", "HumanEval/0", "python", "program-chat")
    with ScriptedModel(script) as server:
        _, row = interview(tmp_path, prompts, server, "--lint", "ruff")
    assert [a["status"] for a in row["attempts"]] == ["runtime_error", "pass"]
    assert row["attempts"][0]["lint"] == [{"tool": "ruff", "code": "F821", "line": 2, "column": 12,
                                           "message": "Undefined name `clse`"}]
