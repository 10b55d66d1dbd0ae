"""Each language's test framework, as the host sees it: how skipped tests are
switched on, how many test cases the test files define (counted from the
files themselves, never from the run), the tamper canary, and how the
framework's own report reads. The runner half (the command, inside the
sandbox) is sandbox/runner/langs/<name>.py `test_steps`.

    FRAMEWORKS.get("python")   # the Framework for Python exercises (pytest)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

from ...records.schema import Status
from ...registry import Registry
from ...sandbox.types import JobResult

FRAMEWORKS: Registry["Framework"] = Registry("test framework", __name__)
FRAMEWORKS.add("python", ".python:FRAMEWORK", summary="pytest (unittest test files), JUnit XML")
FRAMEWORKS.add("go", ".go:FRAMEWORK", summary="go test -json, module mode, offline")
FRAMEWORKS.add("javascript", ".javascript:FRAMEWORK", summary="jest with babel, its JSON report")
FRAMEWORKS.add("cpp", ".cpp:FRAMEWORK", summary="Catch2 v2 (the image's, main prebuilt), JUnit XML")
FRAMEWORKS.add("java", ".java:FRAMEWORK", summary="JUnit 5 + AssertJ, console launcher, JUnit XML")
FRAMEWORKS.add("rust", ".rust:FRAMEWORK", summary="cargo test, offline, Debian's crates, libtest's lines")
CANARY = "codeinterview_canary"


@dataclass(frozen=True)
class Case:
    """One test case as the framework reported it."""
    name: str
    passed: bool
    message: str | None = None
    skipped: bool = False


class Framework:
    name: ClassVar[str]           # the language's name, as registered: "python"
    display: ClassVar[str]        # the framework, for people: "pytest"

    # new source files an answer may add beside its solution files (None: none)
    new_files: ClassVar[re.Pattern[str] | None] = None

    def unskip(self, path: str, text: str) -> str:
        """A test file with its skipped tests switched on (aider's way); by default as it is."""
        return text

    def count(self, tests: dict[str, str]) -> int:
        """How many test cases the (switched on) test files define."""
        raise NotImplementedError

    def with_canary(self, files: dict[str, str], tests: list[str], nonce: str) -> tuple[dict[str, str], list[str]]:
        """The run's files and test paths with our canary added: a test in the
        framework's own style that must fail and be reported as failed."""
        raise NotImplementedError

    def canary_name(self, nonce: str) -> str:
        return f"{CANARY}_{nonce}"

    def cases(self, result: JobResult) -> list[Case] | None:
        """The test cases the framework reported, or None when it wrote no readable report."""
        raise NotImplementedError

    def counted(self, case: Case) -> bool:
        """Whether a reported case is one of those count() counts (Go's subtests are not)."""
        return True

    def build_error(self, result: JobResult) -> tuple[Status, str] | None:
        """(status, first error) when the tests did not build or load (a compile or
        syntax error in the answer), else None."""
        return None

    def output(self, result: JobResult) -> str:
        """The test command's output as a person would read it."""
        return (result.stdout + ("\n" if result.stdout and result.stderr else "") + result.stderr).strip("\n")

    # a line that starts a test's failure report in the output, and the summary line that counts failures
    failure_start: ClassVar[re.Pattern[str] | None] = None
    failed_count: ClassVar[re.Pattern[str] | None] = None

    def without_canary(self, text: str, nonce: str) -> str:
        """The output as it would read without our canary (what feedback shows the
        model): its failure report and its lines gone, one failure fewer counted."""
        lines = text.split("\n")
        kept: list[str] = []
        skipping = False
        for line in lines:
            starts = self.failure_start is not None and self.failure_start.match(line) is not None
            if starts:
                skipping = nonce in line
            elif skipping and self.failure_end(line):
                skipping = False
            if not skipping and nonce not in line:
                kept.append(line)
        text = "\n".join(kept)
        if self.failed_count is not None:
            text = self.failed_count.sub(lambda m: m.group(1) + str(int(m.group(2)) - 1) + m.group(3), text, count=1)
        return text

    def failure_end(self, line: str) -> bool:
        """Where a failure report ends (besides the start of the next one)."""
        return False


def appended(files: dict[str, str], paths: list[str], text: str) -> dict[str, str]:
    """The files with `text` (a canary test) appended to each of `paths`: the same file, so the
    same module or translation unit as the exercise's tests there, its line numbers unchanged."""
    files = dict(files)
    for path in paths:
        files[path] = files[path].rstrip("\n") + "\n\n" + text
    return files


def c_like_code(text: str) -> str:
    """C, C++, Java, JavaScript or Rust source without its comments (a commented-out test is none)."""
    return re.sub(r"/\*.*?\*/|//[^\n]*", "", text, flags=re.S)


def junit_cases(xml_text: str) -> list[Case] | None:
    """<testcase> elements of a JUnit XML report (pytest, JUnit's console
    launcher, Catch2): a failure, error or skipped child makes it not passed."""
    try:
        root = ElementTree.fromstring(xml_text)
    except (ElementTree.ParseError, DefusedXmlException):
        return None
    cases = []
    for case in root.iter("testcase"):
        name = ".".join(filter(None, (case.get("classname"), case.get("name"))))
        bad = next((child for child in case if child.tag in ("failure", "error")), None)
        skipped = any(child.tag == "skipped" for child in case)
        message = None
        if bad is not None:
            message = (bad.get("message") or "") + ("\n" + bad.text if bad.text else "")
        cases.append(Case(name=name, passed=bad is None and not skipped, message=message and message.strip()[:4000],
                          skipped=skipped))
    return cases
