"""Exercises without the sandbox: files taken from answers by path, aider's
polyglot benchmark read into exercise questions, their prompts, and the
fields' validation."""

from __future__ import annotations

import pytest

from benchmark_files import dataset_file
from codeinterview.benchmarks import load_benchmark
from codeinterview.errors import UserError
from codeinterview.exercises.files import render, take_files
from codeinterview.exercises.frameworks import FRAMEWORKS
from codeinterview.questions import question_from_fields
from helpers import output_path, records, stage

pytestmark = pytest.mark.fast
POLYGLOT = "aider-polyglot/polyglot-benchmark.tar.gz"


@pytest.fixture(scope="module")
def polyglot():
    return load_benchmark(f"aider-polyglot={dataset_file(POLYGLOT)}")


def test_files_are_taken_by_path_wherever_the_answer_names_it():
    answer = ("Here is the fix.\n\nsrc/lib.rs\n```rust\nfn a() {}\n```\n\n"
              "```rust title=\"Cargo.toml\"\n[package]\n```\n"
              "And **`src/util.rs`**:\n```rust\nfn b() {}\n```\n"
              "Changed my mind about `lib.rs`:\n```rust\nfn a2() {}\n```\n")
    taken = take_files(answer, ["src/lib.rs", "src/util.rs", "src/other.rs"])
    assert taken.files == {"src/lib.rs": "fn a2() {}\n", "src/util.rs": "fn b() {}\n"}  # the last block wins
    assert taken.missing == ["src/other.rs"]
    assert taken.ignored == ["Cargo.toml"]  # never a build or test file from the answer


def test_a_lone_untitled_block_is_the_only_expected_file_and_rendering_round_trips():
    assert take_files("```python\nx = 1\n```", ["a.py"]).files == {"a.py": "x = 1\n"}
    assert take_files("```python\nx = 1\n```\n```python\ny = 2\n```", ["a.py"]).files == {}
    files = {"a/b.py": "s = '''\n```\n'''\n", "__init__.py": "z = 1\n"}  # a fence inside a file
    assert take_files(render(files, "python"), list(files)).files == files


def test_the_benchmark_becomes_one_exercise_per_folder_with_its_files_sorted(polyglot):
    by_language = {}
    for q in polyglot.questions:
        by_language.setdefault(q.fields["Language"], []).append(q)
        fields = q.fields
        assert q.kind == "exercise" and q.name == fields["TaskId"] and q.languages == (fields["Language"],)
        assert fields["Instructions"].strip() and fields["Solution"] and fields["Tests"]
        assert fields["Reference"] and not set(fields["Reference"]) & (set(fields["Tests"]) | set(fields["Support"]))
        if q.fields["Language"] != "java":  # only Java's references add files (classes) of their own
            assert set(fields["Reference"]) <= set(fields["Solution"]), q.name
        assert not set(fields["Tests"]) & set(fields["Solution"])
        assert not any(path.startswith("test/") or path.endswith("catch.hpp") for path in fields["Support"])
    assert set(by_language) == {"cpp", "go", "java", "javascript", "python", "rust"}
    go = next(q for q in by_language["go"] if q.fields["Shown"])  # an editor file: shown, read-only
    assert all(path in go.fields["Support"] for path in go.fields["Shown"]) and "go.mod" in go.fields["Support"]


COUNTED = {  # language: (a test file, how many test cases run once skipped ones are switched on as aider does)
    "python": ("import unittest\nclass T(unittest.TestCase):\n    def test_a(self):\n        pass\n\n"
               "    def helper(self):\n        pass\n\n    def test_b(self):\n        pass\n", 2),
    "javascript": ("describe('x', () => {\n  test('a', () => {});\n  xtest('b', () => {});\n"
                   "  // test('commented out', () => {});\n  xit('left skipped, as aider leaves it', () => {});\n"
                   "  it('c', () => {});\n});\n", 3),
    "java": ("class T {\n  @Test\n  void a() {}\n  @Disabled(\"Remove to run test\")\n  @Test\n  void b() {}\n"
             "  @Disabled\n  @Test\n  void c() {}\n}\n", 2),  # aider's pattern needs the parentheses
    "cpp": ("TEST_CASE(\"a\") {}\n#if defined(EXERCISM_RUN_ALL_TESTS)\nTEST_CASE(\"b\") {}\n"
            "#if defined(EXERCISM_INCLUDE_BENCHMARK)\nTEST_CASE(\"bench\") {}\n#endif\n#endif\n", 2),
    "go": ("//go:build step1 || (!step2 && !step3)\n\npackage p\n\nfunc TestA(t *testing.T) {\n"
           "\tfor _, tc := range cases {\n\t\tt.Run(tc.name, func(t *testing.T) {})\n\t}\n}\n"
           "func TestB(t *testing.T) {}\nfunc BenchmarkC(b *testing.B) {}\n", 2),
}


@pytest.mark.parametrize("language", COUNTED)
def test_the_test_cases_a_file_defines_are_counted_from_the_file(language):
    framework = FRAMEWORKS.get(language)
    text, expected = COUNTED[language]
    assert framework.count({"t": framework.unskip("t", text)}) == expected


def test_a_go_file_that_does_not_build_without_tags_defines_nothing():
    go = FRAMEWORKS.get("go")
    assert go.count({"b_test.go": "//go:build bonus\n\npackage p\n\nfunc TestX(t *testing.T) {}\n"}) == 0


def test_the_prompt_holds_the_instructions_the_files_under_their_paths_and_asks_for_whole_files(tmp_path, polyglot):
    path = stage("prepare.py", "--interview", f"aider-polyglot={dataset_file(POLYGLOT)}",
                 "--questions", "go/*,python/a*", "--output", tmp_path / "p.ndjson")
    rows = records(output_path(path))
    assert rows and {r["language"] for r in rows} == {"go", "python"}
    for row in rows:
        q = row["question"]
        text = row["prompt"][0]["content"] if isinstance(row["prompt"], list) else row["prompt"]
        assert q["Instructions"].strip()[:200] in text
        assert "Use the above instructions to modify the supplied files:" in text
        for solution, stub in q["Solution"].items():
            assert f"{solution}\n```{row['language']}\n{stub.rstrip()}" in text
        for shown in q["Shown"]:
            assert f"{shown}\n```" in text
        for test in q["Tests"]:
            assert f"{test}\n```" not in text  # the tests themselves are not shown (aider shows none)


@pytest.mark.parametrize("bad, message", [
    ({"Solution": {"../x.py": ""}}, "must be relative"),
    ({"Solution": {"/etc/x.py": ""}}, "must be relative"),
    ({"Tests": {"a.py": "", "x_test.py": ""}}, "both a solution file"),
    ({"Language": "cobol"}, "not a known language"),
    ({"Reference": {"x_test.py": ""}}, "a read-only file"),
])
def test_bad_exercise_fields_are_named(bad, message):
    fields = {"Kind": "exercise", "Language": "python", "Instructions": "do it",
              "Solution": {"a.py": ""}, "Tests": {"x_test.py": ""}, **bad}
    with pytest.raises(UserError, match=message):
        question_from_fields("q", fields, "s", "file.yaml:3")
