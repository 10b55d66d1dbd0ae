"""C++ exercises: Catch2 v2 tests, built with the exercise's CMakeLists.txt
flags against the image's Catch2 (as Exercism's own test runner builds them,
EXERCISM_TEST_SUITE) and with EXERCISM_RUN_ALL_TESTS, which aider left out
until 2025-02-06 (its C++ script then ran only each file's first test case).
Report: Catch's JUnit reporter.

Count: the TEST_CASE macros of the test files, but the benchmarks
(EXERCISM_INCLUDE_BENCHMARK, never defined, as in aider). Canary: a TEST_CASE of ours
appended to the test file (the same translation unit, the same binary).
"""

from __future__ import annotations

import re

from ...sandbox.types import JobResult
from . import CANARY, Case, Framework, appended, c_like_code, junit_cases

TEST_CASE = re.compile(r"^\s*TEST_CASE\s*\(", re.M)


class Catch2(Framework):
    name = "cpp"
    display = "Catch2"

    def count(self, tests: dict[str, str]) -> int:
        return sum(_counted_cases(c_like_code(text)) for text in tests.values())

    def with_canary(self, files, tests, nonce):
        canary = (f"TEST_CASE(\"{self.canary_name(nonce)}\") {{\n"
                  f"    REQUIRE(std::string(\"codeinterview canary {nonce}\") == \"must fail\");\n}}\n")
        return appended(files, tests[:1], canary), list(tests)

    def cases(self, result: JobResult) -> list[Case] | None:
        report = result.report.get("junit.xml")
        return junit_cases(report) if report else None

    def output(self, result: JobResult) -> str:
        """Catch writes its JUnit report instead of the console's: the failures, as the console shows them."""
        cases = [c for c in self.cases(result) or [] if CANARY not in c.name]
        failed = [c for c in cases if not c.passed]
        lines = [super().output(result)] if result.stdout.strip() or result.stderr.strip() else []
        for case in failed:
            lines += ["-" * 79, case.name, "-" * 79, (case.message or "failed").strip(), ""]
        if cases:
            lines.append(f"test cases: {len(cases)} | {len(cases) - len(failed)} passed | {len(failed)} failed")
        return "\n".join(lines)


def _counted_cases(code: str) -> int:
    """TEST_CASEs outside `#if defined(EXERCISM_INCLUDE_BENCHMARK)` blocks (never built here)."""
    stack: list[bool] = []  # per open #if: whether its branch is a benchmark's
    count = 0
    for line in code.split("\n"):
        directive = line.strip()
        if re.match(r"#\s*if", directive):
            stack.append("EXERCISM_INCLUDE_BENCHMARK" in directive)
        elif re.match(r"#\s*(else|elif)", directive) and stack:
            stack[-1] = False
        elif re.match(r"#\s*endif", directive) and stack:
            stack.pop()
        elif TEST_CASE.match(line) and not any(stack):
            count += 1
    return count



FRAMEWORK = Catch2()
