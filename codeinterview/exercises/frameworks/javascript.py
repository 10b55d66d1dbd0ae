"""JavaScript exercises: jest with babel (ES module syntax in the specs), its
JSON report. Aider runs `npm test` after turning `xtest(` into `test(`
(benchmark/npm-test.sh); here jest and babel are Debian's, in the image, and
the configuration is ours (sandbox/runner/langs/javascript.py).

Count: the `test(` / `it(` calls of the spec files once `xtest(` is switched
on (Exercism's specs declare one test per call, none in a loop); what aider
leaves skipped (`xit(`, `test.skip(`) is neither counted nor required. Canary: a test of
ours appended to each spec file, so that it runs in the same module registry
as the exercise's tests (jest gives every spec file a context of its own).
"""

from __future__ import annotations

import json
import re

from ...records.schema import Status
from ...sandbox.types import JobResult
from . import Case, Framework, appended, c_like_code

SKIPPED = re.compile(r"(?<![\w.$])xtest\s*\(")  # aider's sed: xtest( -> test( (xit, test.skip stay skipped)
TEST_CALL = re.compile(r"(?<![\w.$])(?:test|it)\s*\(")
REPORT = "jest.json"


class Jest(Framework):
    name = "javascript"
    display = "jest"

    def unskip(self, path: str, text: str) -> str:
        return SKIPPED.sub("test(", text)

    def count(self, tests: dict[str, str]) -> int:
        return sum(len(TEST_CALL.findall(c_like_code(text))) for text in tests.values())

    def with_canary(self, files, tests, nonce):
        return appended(files, tests, f"test('{self.canary_name(nonce)}', () => {{\n"
                        f"  expect('codeinterview canary {nonce}').toBe('must fail');\n}});\n"), list(tests)

    failure_start = re.compile(r"^\s*● ")
    failed_count = re.compile(r"^(Tests:\s+)(\d+)( failed)", re.M)

    def failure_end(self, line: str) -> bool:
        return line.startswith("Test Suites:")

    def without_canary(self, text: str, nonce: str) -> str:
        text = super().without_canary(text, nonce)
        return re.sub(r"^(Tests:.*?)(\d+)( total)", lambda m: m.group(1) + str(int(m.group(2)) - 1) + m.group(3),
                      text, count=1, flags=re.M)

    def _report(self, result: JobResult) -> dict | None:
        try:
            report = json.loads(result.report.get(REPORT) or "null")
        except ValueError:
            return None
        return report if isinstance(report, dict) else None

    def cases(self, result: JobResult) -> list[Case] | None:
        report = self._report(result)
        if report is None or not isinstance(report.get("testResults"), list):
            return None
        cases = []
        for suite in report["testResults"]:
            for test in suite.get("assertionResults") or []:
                status = test.get("status")
                cases.append(Case(name=str(test.get("fullName") or test.get("title")), passed=status == "passed",
                                  skipped=status in ("pending", "skipped", "todo", "disabled"),
                                  message="\n".join(map(str, test.get("failureMessages") or []))[:4000] or None))
        return cases

    def build_error(self, result: JobResult) -> tuple[Status, str] | None:
        """A spec file that did not load: a syntax error in the answer, or one thrown while loading."""
        report = self._report(result)
        for suite in (report or {}).get("testResults") or []:
            if not suite.get("assertionResults") and suite.get("message"):
                message = str(suite["message"]).strip()
                status = Status.SYNTAX_ERROR if "SyntaxError" in message else Status.RUNTIME_ERROR
                return status, message[:2000]
        return None



FRAMEWORK = Jest()
