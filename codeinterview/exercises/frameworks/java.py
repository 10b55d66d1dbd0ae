"""Java exercises: JUnit 5 + AssertJ tests, compiled with javac and run by
JUnit's console launcher (aider runs `./gradlew test`, which needs the network
for Gradle itself). Skipped tests are switched on as aider does
(benchmark.py, run_unit_tests: `@Disabled(...)` lines removed). Report: the
launcher's JUnit XML.

Count: the @Test methods (the exercises have no parameterized tests) less
those left @Disabled. Canary: a
test class of ours beside the exercise's, run in the same JVM.
"""

from __future__ import annotations

import re

from ...sandbox.types import JobResult
from . import Case, Framework, c_like_code, junit_cases

DISABLED = re.compile(r"@Disabled\([^)]*\)\s*\n")  # aider's own pattern
TEST = re.compile(r"@Test\b")
DISABLED_LEFT = re.compile(r"@Disabled\b")


class JUnit(Framework):
    name = "java"
    display = "JUnit"

    new_files = re.compile(r"src/main/java/(?:[A-Za-z_$][\w$]*/)*[A-Za-z_$][\w$]*\.java")  # a class of its own

    def unskip(self, path: str, text: str) -> str:
        return DISABLED.sub("", text)

    def count(self, tests: dict[str, str]) -> int:
        """@Test methods, less those still @Disabled (a bare `@Disabled`, which aider's pattern misses)."""
        code = [c_like_code(text) for text in tests.values()]
        return sum(len(TEST.findall(text)) - len(DISABLED_LEFT.findall(text)) for text in code)

    def with_canary(self, files, tests, nonce):
        name = f"CodeinterviewCanary{nonce}Test"
        folder = tests[0].rsplit("/", 1)[0] if "/" in tests[0] else "."
        path = f"{folder}/{name}.java" if folder != "." else f"{name}.java"
        files = {**files, path: (
            "import org.junit.jupiter.api.Test;\n"
            "import static org.assertj.core.api.Assertions.assertThat;\n\n"
            f"public class {name} {{\n    @Test\n    public void {self.canary_name(nonce)}() {{\n"
            f"        assertThat(\"codeinterview canary {nonce}\").isEqualTo(\"must fail\");\n    }}\n}}\n")}
        return files, [*tests, path]

    def cases(self, result: JobResult) -> list[Case] | None:
        reports = [text for name, text in sorted(result.report.items()) if name.endswith(".xml")]
        if not reports:
            return None
        cases: list[Case] = []
        for report in reports:
            found = junit_cases(report)
            if found is None:
                return None
            cases += found
        return cases



FRAMEWORK = JUnit()
