"""Python exercises: unittest test files run by pytest, as aider runs them
(aider benchmark/benchmark.py, run_unit_tests: `pytest`), with a JUnit XML report.

Count: every `def test...` method in the test files (Exercism's Python tests
are unittest.TestCase methods; none is skipped). Canary: a TestCase of ours in
a file of its own, collected after the exercise's (so an answer that patched
unittest or pytest while being imported has patched it too).
"""

from __future__ import annotations

import re

from ...sandbox.types import JobResult
from . import Case, Framework, junit_cases

TEST_METHOD = re.compile(r"^[ \t]+def (test\w*)\s*\(", re.M)


class Pytest(Framework):
    name = "python"
    display = "pytest"

    def count(self, tests: dict[str, str]) -> int:
        return sum(len(TEST_METHOD.findall(text)) for text in tests.values())

    def with_canary(self, files, tests, nonce):
        name = f"codeinterview_canary_{nonce}_test.py"
        files = {**files, name: (
            "import unittest\n\n\n"
            f"class CodeinterviewCanary_{nonce}(unittest.TestCase):\n"
            f"    def test_{self.canary_name(nonce)}(self):\n"
            f"        self.assertEqual('codeinterview canary {nonce}', 'must fail')\n")}
        return files, [*tests, name]

    failure_start = re.compile(r"^_{3,} .* _{3,}$")
    failed_count = re.compile(r"^(=* ?)(\d+)( failed)", re.M)

    def failure_end(self, line: str) -> bool:
        return line.startswith("=") or line.startswith("FAILED ")

    def cases(self, result: JobResult) -> list[Case] | None:
        report = result.report.get("junit.xml")
        return junit_cases(report) if report else None


FRAMEWORK = Pytest()
