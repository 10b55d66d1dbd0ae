"""Exercises graded in the sandbox by each language's own test framework:
the reference passes with every test case named, a broken one fails naming
the failing case, and answers that attack the tests (extra files, paths,
early exit, in-process patching) never pass, while an honest answer after
each still does."""

from __future__ import annotations

import re

import pytest

from benchmark_files import dataset_file
from codeinterview.benchmarks import load_benchmark
from codeinterview.exercises.files import render
from codeinterview.grading.answer import grade_answer
from codeinterview.sandbox.types import Limits

POLYGLOT = "aider-polyglot/polyglot-benchmark.tar.gz"
LIMITS = Limits(timeout_s=60.0, memory_mb=1024)


@pytest.fixture(scope="module")
def polyglot():
    suite = load_benchmark(f"aider-polyglot={dataset_file(POLYGLOT)}")
    return {q.name: q for q in suite.questions}


def grade(pool, question, files):
    return grade_answer(pool, question, question.fields["Language"], render(files, question.fields["Language"]),
                        None, LIMITS)


# exercise, the solution file, a piece of the reference to break and what to put instead
BREAKS = {
    "python": ("python/affine-cipher", "affine_cipher.py", "return ''.join(chars)",
               "return ''.join(reversed(chars))"),
    "go": ("go/beer-song", "beer_song.go", 'return "", fmt.Errorf("start value',
           'return "", nil; _ = fmt.Errorf("start value'),
    "javascript": ("javascript/affine-cipher", "affine-cipher.js", "return !isNaN(Number(candidate));",
                   "return isNaN(Number(candidate));"),
    "cpp": ("cpp/clock", "clock.cpp", "return str.str();", "return str.str() + \"x\";"),
    "java": ("java/affine-cipher", "src/main/java/AffineCipher.java", "return translate(cipheredMessage",
             "return \"x\" + translate(cipheredMessage"),
    "rust": ("rust/acronym", "src/lib.rs", "c.is_whitespace() || (c != '\\'' && !c.is_alphanumeric())",
             "c.is_whitespace()"),
}


@pytest.mark.parametrize("language", BREAKS)
def test_the_reference_passes_every_case_and_a_broken_one_fails_naming_the_case(pool, polyglot, language):
    name, path, old, new = BREAKS[language]
    question = polyglot[name]
    reference = question.fields["Reference"]
    good = grade(pool, question, reference)
    assert good["status"] == "pass", good["error"]
    assert good["passed"] == good["total"] == len(good["checks"]) > 1
    assert not any("canary" in c["name"] for c in good["checks"])

    assert old in reference[path]
    broken = dict(reference, **{path: reference[path].replace(old, new, 1)})
    bad = grade(pool, question, broken)
    assert bad["status"] == "fail", bad["error"]
    failing = [c["name"] for c in bad["checks"] if not c["passed"]]
    assert failing and failing[0] in bad["error"]  # the failing test case, named
    assert 0 < bad["passed"] < bad["total"] == good["total"]

    stub = grade(pool, question, question.fields["Solution"])
    assert stub["status"] != "pass"


# language -> (exercise, solution file, {attack: how the file is changed}); each change applies to
# the reference itself, so that only the attack can stand between the answer and a pass
ATTACKS = {
    "python": ("python/affine-cipher", "affine_cipher.py", {
        "exit early with success": lambda ref: "import os\nos._exit(0)\n" + ref,
        "sys.exit at import": lambda ref: "import sys\nsys.exit(0)\n" + ref,
        "assertions made no-ops": lambda ref: (
            "import unittest\nunittest.TestCase.assertEqual = lambda *a, **k: None\n"
            "unittest.TestCase.assertRaises = lambda *a, **k: __import__('contextlib').nullcontext()\n"
            + ref.replace("return ''.join(chars)", "return ''", 1)),
        "every result reported passed": lambda ref: (
            "import _pytest.reports as r\n_orig = r.TestReport.from_item_and_call\n"
            "def fake(item, call):\n    rep = _orig(item, call)\n    rep.outcome = 'passed'\n"
            "    rep.longrepr = None\n    return rep\nr.TestReport.from_item_and_call = staticmethod(fake)\n"
            + ref.replace("return ''.join(chars)", "return ''", 1)),
        "a forged report written at exit": lambda ref: (
            "import atexit, glob, os\n"
            "def forge():\n    cases = ''.join('<testcase classname=\"affine_cipher_test.AffineCipherTest\" '\n"
            "        'name=\"test_%d\"/>' % i for i in range(16))\n"
            "    for path in glob.glob('.report/*.xml'):\n"
            "        open(path, 'w').write('<testsuites><testsuite>' + cases + '</testsuite></testsuites>')\n"
            "    os._exit(0)\n"
            "atexit.register(forge)\n" + ref.replace("return ''.join(chars)", "return ''", 1)),
    }),
    "go": ("go/beer-song", "beer_song.go", {
        "exit early with success": lambda ref: ref.replace("import (", "import (\n\t\"os\"", 1)
        + "\nfunc init() { os.Exit(0) }\n",
        "passes printed for the test runner": lambda ref: ref.replace("import (", "import (\n\t\"os\"", 1)
        + "\nfunc init() { fmt.Println(\"--- PASS: TestBottlesVerse (0.00s)\\nPASS\"); os.Exit(0) }\n",
    }),
    "javascript": ("javascript/affine-cipher", "affine-cipher.js", {
        "exit early with success": lambda ref: "process.exit(0);\n" + ref,
        "expect made a no-op": lambda ref: (
            "globalThis.expect = () => new Proxy({}, { get: () => () => undefined });\n"
            + ref.replace("return !isNaN(Number(candidate));", "return isNaN(Number(candidate));", 1)),
    }),
    "cpp": ("cpp/clock", "clock.h", {
        "exit before main": lambda ref: ref.replace("#include <string>",
                                                    "#include <string>\n#include <cstdlib>\n"
                                                    "static const int leave = (std::exit(0), 0);", 1),
        "REQUIRE made a no-op": lambda ref: ref.replace(
            "#include <string>", "#include <string>\n#include <catch2/catch.hpp>\n#undef REQUIRE\n"
            "#define REQUIRE(...) (void)0", 1),
    }),
    "java": ("java/affine-cipher", "src/main/java/AffineCipher.java", {
        "exit while the class loads": lambda ref: ref.replace(
            "class AffineCipher {", "class AffineCipher {\n    static { System.exit(0); }", 1),
    }),
    "rust": ("rust/acronym", "src/lib.rs", {
        "exit from inside a test": lambda ref: ref.replace(
            "pub fn abbreviate(phrase: &str) -> String {",
            "pub fn abbreviate(phrase: &str) -> String {\n    std::process::exit(0);", 1),
    }),
}
ATTACK_CASES = [(language, attack) for language, (_, _, attacks) in ATTACKS.items() for attack in attacks]


@pytest.mark.parametrize("language, attack", ATTACK_CASES, ids=[f"{lang}: {a}" for lang, a in ATTACK_CASES])
def test_answers_that_attack_the_tests_never_pass(solo_pool, polyglot, language, attack):
    name, path, attacks = ATTACKS[language]
    question = polyglot[name]
    reference = question.fields["Reference"]
    hostile = dict(reference, **{path: attacks[attack](reference[path])})
    assert hostile[path] != reference[path]
    graded = grade(solo_pool, question, hostile)
    assert graded["status"] != "pass", (attack, graded["error"])
    honest = grade(solo_pool, question, reference)  # the same worker (or a fresh one): still fair
    assert honest["status"] == "pass", honest["error"]


def test_files_outside_the_solution_are_never_taken(solo_pool, polyglot):
    question = polyglot["python/affine-cipher"]
    stub = question.fields["Solution"]["affine_cipher.py"]
    conftest = "import pytest\n@pytest.hookimpl(hookwrapper=True)\ndef pytest_runtest_makereport(item, call):\n" \
               "    out = yield\n    out.get_result().outcome = 'passed'\n"
    answer = render({"affine_cipher.py": stub, "conftest.py": conftest,
                     "affine_cipher_test.py": "def test_nothing():\n    pass\n"}, "python")
    answer += "\n../escape.py\n```python\nx = 1\n```\n/etc/profile.d/x.py\n```python\nx = 1\n```\n"
    graded = grade_answer(solo_pool, question, "python", answer, None, LIMITS)
    assert graded["status"] == "fail" and graded["total"] == 16  # the pristine tests, all of them
    assert {"conftest.py", "affine_cipher_test.py", "../escape.py"} <= set(graded["tests"]["ignored"])
    assert graded["tests"]["files"] == ["affine_cipher.py"]  # never a path outside the exercise


# The canonical self-test: every reference passes but these, each for a reason that
# lies outside the harness (../shared/datasets/README.md, aider-polyglot).
KNOWN = {
    "go/dnd-character": "its reference imports `slices`: Go >= 1.21; Debian bookworm has Go 1.19",
    "java/hangman": "its reference uses RxJava (io.reactivex), which Debian does not package",
    "java/rest-api": "its reference uses org.json, which Debian does not package (license)",
    "java/mazy-mice": "its test calls AssertJ's hasDimensions, newer than Debian's AssertJ 3.14",
    # Rust: references that use crates only their .meta/Cargo-example.toml declares (an answer cannot
    # change the exercise's Cargo.toml, in aider or here)
    "rust/alphametics": "its reference uses itertools and permutohedron",
    "rust/decimal": "its reference uses num-bigint and num-traits",
    "rust/grep": "its reference uses thiserror",
    "rust/pig-latin": "its reference uses regex 0.2 and std::sync::LazyLock (Rust 1.80; Debian has 1.63)",
    "rust/poker": "its reference uses counter",
    "rust/robot-name": "its reference uses rand 0.3 and std::sync::LazyLock (Rust 1.80)",
}
SELF_TEST_LANGUAGES = ("python", "go", "javascript", "cpp", "java", "rust")


@pytest.mark.dataset
@pytest.mark.parametrize("language", SELF_TEST_LANGUAGES)
def test_every_reference_passes_through_the_stages_but_the_known_list(tmp_path, polyglot, language):
    from dataset_sample import questions_flag, sample
    from helpers import output_path, records, stage

    names = [name for name in polyglot if name.startswith(language + "/")]
    chosen = sample(f"aider-polyglot-{language}", names, always=[n for n in KNOWN if n in names], size=6)
    spec = f"aider-polyglot={dataset_file(POLYGLOT)}"
    prepared = output_path(stage("prepare.py", "--interview", spec, "--languages", language,
                                 *questions_flag(chosen), "--output", tmp_path / "prepare.ndjson"))
    answered = output_path(stage("interview.py", "--input", prepared, "--output", tmp_path / "interview.ndjson"))
    rows = records(output_path(stage("evaluate.py", "--input", answered, "--output", tmp_path / "eval.ndjson",
                                     "--workers", "2", timeout=3000)))
    assert sorted(r["name"] for r in rows) == sorted(chosen)
    failing = {r["name"]: (r["status"], r["error"]) for r in rows if r["status"] != "pass"}
    assert set(failing) == {n for n in KNOWN if n in chosen}, failing
    for row in rows:
        if row["status"] == "pass":  # every test case the files define ran, and passed
            assert row["passed"] == row["total"] == len(row["checks"]), row["name"]


def test_aiders_two_tries_a_wrong_then_right_model_scores_0_then_100(tmp_path, polyglot):
    """A scripted model behind a real OpenAI-compatible server answers try 1 wrong and
    try 2 right: the second prompt holds the test output cleaned as aider cleans it and
    aider's own words; the report's pass rate after each try is 0 then 100."""
    import csv

    from helpers import output_path, records, stage
    from scripted_server import ScriptedModel, Step

    question = polyglot["python/affine-cipher"]
    right = question.fields["Reference"]["affine_cipher.py"]
    wrong = right.replace("return ", "return None and ", 1)
    prepared = output_path(stage("prepare.py", "--interview", f"aider-polyglot={dataset_file(POLYGLOT)}",
                                 "--questions", "python/affine-cipher", "--output", tmp_path / "p.ndjson"))
    with ScriptedModel({("encode", "python"): [Step(wrong, "See the testing errors above."), Step(right)]}) as model:
        answered = output_path(stage("interview.py", "--input", prepared, "--output", tmp_path / "i.ndjson",
                                     "--executor", "feedback", "--inner", "openai", "--model", "scripted",
                                     "--base-url", model.base_url, "--params", "greedy"))
        second = model.requests[1]["messages"][-1]["content"]
    [row] = records(answered)
    assert [a["status"] for a in row["attempts"]] == ["fail", "pass"]  # two tries, no --max-attempts given
    assert "The tests are correct, don't try and change them." in second
    assert "Fix the code in affine_cipher.py to resolve the errors." in second
    assert "AffineCipherTest" in second and "failed" in second  # pytest's own report of the failures
    assert "/work/" not in second and not re.search(r"\bin \d+\.\d+s\b", second)  # cleaned as aider cleans it
    assert "canary" not in second

    graded = output_path(stage("evaluate.py", "--input", answered, "--output", tmp_path / "e.ndjson"))
    [evaluated] = records(graded)
    assert [a["status"] for a in evaluated["attempts_graded"]] == ["fail", "pass"]
    stage("report.py", graded, "--output-dir", tmp_path / "report")
    with open(tmp_path / "report" / "attempts.csv") as handle:
        rates = {int(r["attempt"]): float(r["pass_pct"]) for r in csv.DictReader(handle)}
    assert rates == {1: 0.0, 2: 100.0}
    with open(tmp_path / "report" / "exercises.csv") as handle:
        figures = {r["language"]: r for r in csv.DictReader(handle)}
    assert set(figures) == {"python", "all"}
    python = figures["python"]  # aider's own figures, per language and over all
    assert (python["cases"], python["pass_rate_1"], python["pass_rate_2"]) == ("1", "0.0", "100.0")
    assert python["percent_cases_well_formed"] == "100.0" and python["test_timeouts"] == "0"
    assert int(python["prompt_tokens"]) > 0 and int(python["completion_tokens"]) > 0


def test_a_run_of_fewer_test_cases_than_the_files_define_is_caught(solo_pool, polyglot):
    """As a C++ build without EXERCISM_RUN_ALL_TESTS runs only the first case (aider's
    script before 2025-02-06): here the answer's header takes the define away."""
    question = polyglot["cpp/clock"]
    reference = question.fields["Reference"]
    fewer = dict(reference, **{"clock.h": "#undef EXERCISM_RUN_ALL_TESTS\n" + reference["clock.h"]})
    graded = grade(solo_pool, question, fewer)
    assert graded["status"] == "fail"
    assert re.search(r"Catch2 ran 1 of the \d+ test cases the test files define", graded["error"])
    assert graded["passed"] == 1 < graded["total"]
