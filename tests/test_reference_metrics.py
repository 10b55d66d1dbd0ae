"""Reference metrics: how close an answer's code is to the question's reference
solution (edit distance, BLEU, sequence ratio, identifiers shared), added by
evaluate to each record; they describe the code and never change its verdict."""

import pytest
import yaml

from codeinterview.reference_metrics import measure, reference_metrics
from helpers import output_path, records, stage, write_records

REFERENCE = "def add(a, b):\n    total = a + b\n    return total\n"


@pytest.mark.fast
def test_the_same_code_is_at_distance_zero_and_spacing_and_comments_do_not_count():
    assert reference_metrics(REFERENCE, REFERENCE, "python") == \
        {"levenshtein": 0.0, "bleu": 1.0, "sequence_ratio": 1.0, "identifier_share": 1.0}
    respaced = "def add(a,b):\n    # the sum\n    total=a+b\n    return total\n"
    same_tokens = measure(respaced, REFERENCE, "python")
    assert same_tokens.bleu == 1.0 and same_tokens.sequence_ratio == 1.0 and same_tokens.identifier_share == 1.0
    assert 0 < same_tokens.levenshtein < 0.5   # the characters did change (the comment most)


@pytest.mark.fast
def test_metrics_fall_as_the_code_moves_away_from_the_reference():
    renamed = measure("def add(x, y):\n    s = x + y\n    return s\n", REFERENCE, "python")
    other = measure("def add(a, b):\n    return sum([a, b])\n", REFERENCE, "python")
    unrelated = measure("import os\nprint(os.getcwd())\n", REFERENCE, "python")
    assert renamed.identifier_share == 0.25   # add, of add/a/b/total
    assert other.identifier_share == 0.75     # add, a, b
    assert unrelated.identifier_share == 0.0
    for metric in ("bleu", "sequence_ratio"):
        assert 1 > getattr(renamed, metric) > getattr(unrelated, metric) >= 0
    assert 0 < renamed.levenshtein < unrelated.levenshtein <= 1


@pytest.mark.fast
def test_bleu_is_nltks_sentence_bleu_with_method1_smoothing():
    # the numbers nltk 3.10's sentence_bleu(..., smoothing_function=SmoothingFunction().method1) gives
    # (BLEU was nltk's until a few lines of our own replaced it; they agree to 1e-16)
    nltk = {"def add(x, y):\n    s = x + y\n    return s\n": 0.0953,
            "def add(a, b):\n    return sum([a, b])\n": 0.4484,
            "import os\nprint(os.getcwd())\n": 0.0152,    # no 2-gram in common: smoothed, not 0
            "def add(a, b):\n    return a + b\n": 0.5849}  # shorter than the reference: brevity penalty
    assert {code: reference_metrics(code, REFERENCE, "python")["bleu"] for code in nltk} == nltk
    assert measure("x", REFERENCE, "python").bleu == 0.0  # no token in common


@pytest.mark.fast
def test_no_reference_is_null_and_no_code_is_as_far_as_can_be():
    assert reference_metrics("x = 1", None, "python") is None
    assert reference_metrics("x = 1", "  \n", "python") is None
    assert reference_metrics(None, REFERENCE, "python") == \
        {"levenshtein": 1.0, "bleu": 0.0, "sequence_ratio": 0.0, "identifier_share": 0.0}


@pytest.mark.fast
def test_other_languages_use_their_own_tokens():
    js = "function add(a, b) {\n  return a + b;\n}\n"
    assert reference_metrics("function add(a,b){return a+b;}", js, "javascript")["bleu"] == 1.0
    # a language pygments lacks: words still count as identifiers
    assert measure("PROC add(a)", "PROC add(a, b)", "no-such-language").identifier_share == 0.75


def test_evaluate_adds_the_metrics_and_they_never_change_the_verdict(tmp_path):
    suite = tmp_path / "suite.yaml"
    checks = {"small": {"assert": "f.call(1, 2)", "eq": 3}}
    suite.write_text(yaml.safe_dump({
        "Add": {"Signature": "add(a, b)", "Input": "two numbers", "Output": "their sum", "Checks": checks,
                "Reference": {"python": REFERENCE}},
        "Plus": {"Signature": "plus(a, b)", "Input": "two numbers", "Output": "their sum",
                 "Checks": {"small": {"assert": "f.call(1, 2)", "eq": 3}}}}))
    prepared = records(output_path(stage("prepare.py", "--interview", suite, "--languages", "python",
                                         "--output", tmp_path / "p.ndjson")))
    answers = {("Add", 0): REFERENCE,                                        # the reference itself
               ("Add", 1): REFERENCE.replace("a + b", "a - b"),              # one character off: fails
               ("Add", 2): "def add(x, y):\n    return y + x\n",             # far from it: passes
               ("Plus", 0): "def plus(a, b):\n    return a + b\n"}           # no reference
    rows = [{**p, "stage": "interview", "sample": sample, "answer": f"```python\n{code}```",
             "model": "hand", "executor": "replay", "params_name": "greedy"}
            for p in prepared for (name, sample), code in answers.items() if p["name"] == name]
    graded = {(r["name"], r["sample"]): r for r in records(output_path(stage(
        "evaluate.py", "--input", write_records(tmp_path / "i.ndjson", rows), "--output", tmp_path / "e.ndjson")))}
    assert {k: r["status"] for k, r in graded.items()} == \
        {("Add", 0): "pass", ("Add", 1): "fail", ("Add", 2): "pass", ("Plus", 0): "pass"}
    metrics = {k: r["reference_metrics"] for k, r in graded.items()}
    assert metrics[("Add", 0)] == {"levenshtein": 0.0, "bleu": 1.0, "sequence_ratio": 1.0, "identifier_share": 1.0}
    assert metrics[("Add", 1)]["levenshtein"] < 0.05 < metrics[("Add", 2)]["levenshtein"]
    assert metrics[("Add", 1)]["bleu"] > metrics[("Add", 2)]["bleu"]
    assert "reference_metrics" in graded[("Plus", 0)] and graded[("Plus", 0)]["reference_metrics"] is None
