"""Fill-in-the-middle: the FIM vocabularies render as each model family
expects, the HumanEval FIM suite derived from HumanEval holds the canonical
solution split in three, the reference middles pass every task through the
real stages and the sandbox, and wrong middles fail."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from benchmark_files import dataset_file
from dataset_sample import full, sample
from helpers import output_path, records, stage, write_records
from codeinterview.benchmarks import load_benchmark
from codeinterview.benchmarks.common import read_jsonl
from codeinterview.errors import UserError
from codeinterview.extract import extract_code
from codeinterview.templates import load_template, template_variables

QUESTION = {"Kind": "program", "Signature": "f(x)", "Prompt": {"python": "def f(x):\n"},
            "Suffix": {"python": "    return y\n"}, "Middle": {"python": "    y = x + 1\n"}}
# Each family's FIM prompt: (before the prefix, between prefix and suffix, after the suffix),
# as its own code builds it for prefix P and suffix S.
VOCABULARY = {
    "fim-starcoder": ("<fim_prefix>", "<fim_suffix>", "<fim_middle>"),
    "fim-deepseek": ("<\uff5cfim\u2581begin\uff5c>", "<\uff5cfim\u2581hole\uff5c>", "<\uff5cfim\u2581end\uff5c>"),
    "fim-codellama": ("<PRE> ", " <SUF>", " <MID>"),      # "<PRE> {P} <SUF>{S} <MID>"
    "fim-qwen": ("<|fim_prefix|>", "<|fim_suffix|>", "<|fim_middle|>"),
}
RENDERED = {  # written out whole, for prefix "def f(x):\n" and suffix "    return y\n"
    "fim-starcoder": "<fim_prefix>def f(x):\n<fim_suffix>    return y\n<fim_middle>",
    "fim-deepseek": "<\uff5cfim\u2581begin\uff5c>def f(x):\n<\uff5cfim\u2581hole\uff5c>    return y\n"
                    "<\uff5cfim\u2581end\uff5c>",
    "fim-codellama": "<PRE> def f(x):\n <SUF>    return y\n <MID>",
    "fim-qwen": "<|fim_prefix|>def f(x):\n<|fim_suffix|>    return y\n<|fim_middle|>",
}

def render(template: str, fields: dict) -> tuple:
    loaded = load_template(template)
    variables = template_variables(fields, "f", "suite", "python", "f", ["x"])
    return loaded.render(variables) + (loaded.code_suffix(variables),)


@pytest.mark.fast
@pytest.mark.parametrize("template", RENDERED)
def test_each_vocabulary_renders_as_its_model_family_expects(template):
    prompt, prefix, suffix = render(template, QUESTION)
    assert (prompt, prefix, suffix) == (RENDERED[template], "def f(x):\n", "    return y\n")
    before, between, after = VOCABULARY[template]
    assert prompt == before + prefix + between + suffix + after


@pytest.mark.fast
def test_a_fim_template_needs_a_suffix_and_other_templates_have_none():
    with pytest.raises(UserError, match="needs questions with a Prompt and a Suffix"):
        render("fim-qwen", {**QUESTION, "Suffix": None})
    assert render("program-completion", QUESTION) == ("def f(x):\n", "def f(x):\n", None)


@pytest.mark.fast
@pytest.mark.parametrize("answer", [
    "    y = x + 1\n",
    "    y = x + 1\n<|endoftext|>def junk(",            # StarCoder, Qwen: end of text
    "    y = x + 1\n<EOT>",                             # CodeLlama
    "    y = x + 1\n<|fim_pad|><|fim_pad|>",            # Qwen padding
    "    y = x + 1\n<\uff5cend\u2581of\u2581sentence\uff5c>",  # DeepSeek
])
def test_extraction_stitches_prefix_middle_suffix_up_to_an_end_token(answer):
    code = extract_code(answer, "python", "f", "def f(x):\n", "    return y\n")
    assert code == "def f(x):\n    y = x + 1\n    return y\n"


@pytest.mark.fast
def test_the_middle_is_taken_raw():
    # no fence parsing, no dedent, no guessing: a middle without its newline stays wrong
    assert extract_code("    y = x + 1", "python", "f", "def f(x):\n", "    return y\n") == \
        "def f(x):\n    y = x + 1    return y\n"
    assert extract_code("```python\ny = 1\n```", "python", "f", "p\n", "s\n") == "p\n```python\ny = 1\n```s\n"
    assert extract_code("", "python", "f", "p\n", "s\n") is None


@pytest.mark.fast
def test_the_derived_suite_hides_one_line_or_a_block_of_each_canonical_solution():
    HUMANEVAL = dataset_file("humaneval/HumanEval.jsonl.gz")
    rows = {row["task_id"]: row for _, row in read_jsonl(HUMANEVAL)}
    single = load_benchmark(f"humaneval-fim:single={HUMANEVAL}")
    multi = load_benchmark(f"humaneval-fim:multi={HUMANEVAL}")
    assert (single.name, len(single.questions)) == ("humaneval-fim-single", len(rows))
    assert (multi.name, len(multi.questions)) == ("humaneval-fim-multi", 127)  # 37 one-line solutions left out
    for suite in (single, multi):
        for q in suite.questions:
            row, f = rows[q.name], q.fields
            prefix, middle, suffix = f["Prompt"]["python"], f["Middle"]["python"], f["Suffix"]["python"]
            assert prefix + middle + suffix == row["prompt"] + row["canonical_solution"] == f["Reference"]["python"]
            assert prefix.startswith(row["prompt"]) and middle.endswith("\n") and not middle.startswith("\n")
            hidden = sum(1 for line in middle.splitlines() if line.strip())
            n = sum(1 for line in row["canonical_solution"].splitlines() if line.strip())
            assert hidden == (1 if suite is single else max(2, n // 2))
    # HumanEval/0: 7 code lines; single hides the 4th, multi the 2nd to 4th
    assert single.questions[0].fields["Middle"]["python"] == "                distance = abs(elem - elem2)\n"
    assert multi.questions[0].fields["Middle"]["python"] == (
        "        for idx2, elem2 in enumerate(numbers):\n            if idx != idx2:\n"
        "                distance = abs(elem - elem2)\n")


def test_fim_split_is_required():
    HUMANEVAL = dataset_file("humaneval/HumanEval.jsonl.gz")
    proc = stage("prepare.py", "--interview", f"humaneval-fim={HUMANEVAL}", "--template", "fim-qwen", check=False)
    assert proc.returncode == 2 and "humaneval-fim needs a split: single or multi" in proc.stderr


def run_stages(tmp, split, template, answers=None, questions=None):
    HUMANEVAL = dataset_file("humaneval/HumanEval.jsonl.gz")
    prepared = output_path(stage("prepare.py", "--interview", f"humaneval-fim:{split}={HUMANEVAL}",
                                 "--template", template, "--output", tmp / "prepare.ndjson",
                                 *(["--questions", questions] if questions else [])))
    if answers is None:
        interviewed = output_path(stage("interview.py", "--input", prepared, "--output", tmp / "interview.ndjson"))
    else:  # hand-made middles
        interviewed = write_records(tmp / "interview.ndjson", [
            {**r, "stage": "interview", "sample": 0, "answer": answers(r), "executor": "test", "model": "fim"}
            for r in records(prepared)])
    return records(output_path(stage("evaluate.py", "--input", interviewed, "--output", tmp / "eval.ndjson",
                                     "--workers", "2")))


def derived_tasks(split: str) -> list[str]:
    """The dataset tier's tasks of a derived FIM suite (every one under --full)."""
    suite = load_benchmark(f"humaneval-fim:{split}={dataset_file('humaneval/HumanEval.jsonl.gz')}")
    return sample("humaneval", [q.name for q in suite.questions])


@pytest.mark.dataset
@pytest.mark.parametrize("split,template", [("single", "fim-starcoder"), ("multi", "fim-deepseek")])
def test_the_reference_middle_passes_every_derived_task(split, template, tmp_path):
    tasks = derived_tasks(split)
    rows = run_stages(tmp_path, split, template, questions=",".join(tasks) if not full() else None)
    assert sorted(r["name"] for r in rows) == sorted(tasks)
    assert Counter(r["status"] for r in rows) == {"pass": len(tasks)}
    for row in rows:  # the model was asked for the middle alone, and the whole program was graded
        middle = row["question"]["Middle"]["python"]
        assert row["answer"] == middle
        before, between, after = VOCABULARY[template]
        assert row["prompt"] == before + row["code_prefix"] + between + row["code_suffix"] + after
        assert row["code"] == row["code_prefix"] + middle + row["code_suffix"] == row["question"]["Reference"]["python"]


def indent(middle: str) -> str:
    return re.match(r"[ \t]*", middle).group(0)


@pytest.mark.dataset
def test_a_wrong_middle_fails(tmp_path):
    # the hidden line, at its own indentation, replaced by one that raises
    tasks = derived_tasks("single")
    rows = run_stages(tmp_path, "single", "fim-codellama",
                      lambda r: indent(r["question"]["Middle"]["python"]) + "raise ValueError('wrong middle')\n<EOT>",
                      questions=",".join(tasks) if not full() else None)
    statuses = Counter(r["status"] for r in rows)
    assert len(rows) == len(tasks) and set(statuses) == {"pass", "runtime_error", "syntax_error"}, statuses
    # A hidden block opener (for, if, def) left its block orphaned: a syntax error. Two tasks
    # pass whatever their line does: in HumanEval/124 a bare `except:` returns what the hidden
    # `return False` would, and HumanEval/127's hidden line (is_prime's `return False`) is
    # never reached by its tests.
    assert sorted(r["name"] for r in rows if r["status"] == "pass") == ["HumanEval/124", "HumanEval/127"]


def test_end_tokens_end_the_middle_and_a_middle_short_of_a_line_fails(tmp_path):
    after = {"HumanEval/0": "<|endoftext|>def junk(", "HumanEval/1": "<|fim_pad|><|fim_pad|>"}

    def answer(r):
        middle = r["question"]["Middle"]["python"]
        if r["name"] in after:
            return middle + after[r["name"]]
        return "".join(middle.splitlines(keepends=True)[:-1])  # its last line left out

    rows = run_stages(tmp_path, "multi", "fim-qwen", answer,
                      questions="HumanEval/0,HumanEval/1,HumanEval/3,HumanEval/4")
    status = {r["name"]: r["status"] for r in rows}
    assert status["HumanEval/0"] == status["HumanEval/1"] == "pass", status
    assert status["HumanEval/3"] != "pass" and status["HumanEval/4"] != "pass", status
