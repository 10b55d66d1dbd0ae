"""Rust exercises: `cargo test` over the integration tests (tests/*.rs), offline,
against Debian's crates, with `-- --include-ignored` as aider runs it
(benchmark.py, run_unit_tests). Report: libtest's own lines on stdout
(`test NAME ... ok|FAILED|ignored`).

Count: the #[test] functions of the test files but those behind a cargo
feature no build turns on (`#[cfg(feature = ...)]` on the function or on its
module). Canary: a #[test] of ours appended to the first test file (the same
test binary as the exercise's tests there).
"""

from __future__ import annotations

import re

from ...records.schema import Status
from ...sandbox.types import JobResult
from . import Case, Framework, appended, c_like_code

TEST_ATTR = re.compile(r"#\[test\]")
FEATURE_GATE = re.compile(r"#\[cfg\(\s*feature\s*=")
RESULT = re.compile(r"^test (\S+) \.\.\. (ok|FAILED|ignored)\b", re.M)
COMPILE_ERROR = re.compile(r"^error(?:\[E\d+\])?: .*(?:\n.*-->.*)?", re.M)
FAILURE_OUTPUT = re.compile(r"^---- (\S+) stdout ----$")


class CargoTest(Framework):
    name = "rust"
    display = "cargo test"

    def count(self, tests: dict[str, str]) -> int:
        return sum(len(TEST_ATTR.findall(_without_gated(c_like_code(text)))) for text in tests.values())

    def with_canary(self, files, tests, nonce):
        return appended(files, tests[:1], f"#[test]\nfn {self.canary_name(nonce)}() {{\n"
                        f"    assert_eq!(\"codeinterview canary {nonce}\", \"must fail\");\n}}\n"), list(tests)

    def build_error(self, result: JobResult) -> tuple[Status, str] | None:
        """cargo's first compile error, when the tests did not build (no test ran)."""
        if RESULT.search(result.stdout) or "could not compile" not in result.stderr:
            return None
        match = COMPILE_ERROR.search(result.stderr)
        return Status.COMPILE_ERROR, (match.group(0) if match else "the tests did not build")

    def cases(self, result: JobResult) -> list[Case] | None:
        results: dict[str, str] = {}  # name -> outcome
        messages: dict[str, list[str]] = {}
        collecting = None
        # the run builds the integration tests alone (`--test '*'`): every result line on stdout is
        # one of tests/*.rs, never a unit test or doc-test of the answer's own crate
        for line in result.stdout.split("\n"):
            found = RESULT.match(line)
            if found:
                results[found.group(1)] = found.group(2)
                continue
            start = FAILURE_OUTPUT.match(line)
            if start:
                collecting = start.group(1)
                messages[collecting] = []
            elif collecting is not None:
                if line.startswith("failures:") or line.startswith("test result:"):
                    collecting = None
                else:
                    messages[collecting].append(line)
        if not results:
            return None
        return [Case(name=name, passed=outcome == "ok", skipped=outcome == "ignored",
                     message=None if outcome == "ok" else "\n".join(messages.get(name, [])).strip()[:4000] or None)
                for name, outcome in results.items()]



def _without_gated(code: str) -> str:
    """The code without the items a `#[cfg(feature = ...)]` gates (a function, or a module's block)."""
    while True:
        gate = FEATURE_GATE.search(code)
        if gate is None:
            return code
        brace = code.find("{", gate.end())
        semicolon = code.find(";", gate.end())
        if brace < 0 or 0 <= semicolon < brace and "mod" in code[gate.end():semicolon]:
            code = code[:gate.start()] + code[gate.end():]
            continue
        depth, end = 0, brace
        for end in range(brace, len(code)):
            depth += {"{": 1, "}": -1}.get(code[end], 0)
            if depth == 0:
                break
        code = _item_start(code, gate.start()) + code[end + 1:]


def _item_start(code: str, at: int) -> str:
    """The code before the item whose attribute starts at `at`, its other attributes (#[test]) left out too."""
    head = code[:at]
    while True:
        stripped = head.rstrip()
        match = re.search(r"#\[[^\[\]]*\]$", stripped)
        if match is None:
            return head
        head = stripped[:match.start()]


FRAMEWORK = CargoTest()
