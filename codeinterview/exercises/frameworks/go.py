"""Go exercises: `go test` in module mode, offline, with `-json` events (aider
runs `go test ./...`; benchmark/benchmark.py, run_unit_tests).

Count: the top-level `func TestXxx(t *testing.T)` functions of the test files;
each must be reported (pass or fail) on its own, so a run that stops early
(an answer calling os.Exit) falls short. Subtests (t.Run over a table) are
reported too and become checks, but only the top-level ones are counted:
Go's tables are data, not declarations. Canary: a test function of ours in a
file of its own, in the exercise's package (so in the same test binary).
"""

from __future__ import annotations

import json
import re

from ...records.schema import Status
from ...sandbox.types import JobResult
from . import Case, Framework

TEST_FUNC = re.compile(r"^func (Test\w*)\s*\(\s*\w+\s+\*testing\.T\s*\)", re.M)
PACKAGE = re.compile(r"^package\s+(\w+)", re.M)
BUILD_ERROR = re.compile(r"^(?:\./)?[\w./-]+\.go:\d+(?::\d+)?: .*$", re.M)


class GoTest(Framework):
    name = "go"
    display = "go test"

    def count(self, tests: dict[str, str]) -> int:
        return sum(len(TEST_FUNC.findall(text)) for text in tests.values() if _builds(text))

    def with_canary(self, files, tests, nonce):
        package = next((m.group(1) for text in files.values() if (m := PACKAGE.search(text))), "main")
        name = f"codeinterview_canary_{nonce}_test.go"
        files = {**files, name: (f"package {package}\n\nimport \"testing\"\n\n"
                                 f"func Test_{self.canary_name(nonce)}(t *testing.T) {{\n"
                                 f"\tt.Fatal(\"codeinterview canary {nonce}: must fail\")\n}}\n")}
        return files, [*tests, name]

    def _events(self, result: JobResult) -> list[dict]:
        events = []
        for line in result.stdout.split("\n"):
            if line.startswith("{"):
                try:
                    event = json.loads(line)
                except ValueError:
                    continue
                if isinstance(event, dict):
                    events.append(event)
        return events

    def cases(self, result: JobResult) -> list[Case] | None:
        output: dict[str, list[str]] = {}
        ended: dict[str, str] = {}
        for event in self._events(result):
            test = event.get("Test")
            if not isinstance(test, str):
                continue
            if event.get("Action") == "output":
                output.setdefault(test, []).append(str(event.get("Output", "")))
            elif event.get("Action") in ("pass", "fail", "skip"):
                ended[test] = event["Action"]
        if not ended:
            return None
        # the top-level tests first (the counted ones), then their subtests, each in the order run
        order = sorted(ended, key=lambda test: "/" in test)
        return [Case(name=test, passed=ended[test] == "pass", skipped=ended[test] == "skip",
                     message=None if ended[test] == "pass" else "".join(output.get(test, []))[-4000:])
                for test in order]

    def counted(self, case: Case) -> bool:
        return "/" not in case.name

    def build_error(self, result: JobResult) -> tuple[Status, str] | None:
        if any(e.get("Test") for e in self._events(result)):
            return None
        match = BUILD_ERROR.search(result.stderr + "\n" + self.output(result))
        return (Status.COMPILE_ERROR, match.group(0)) if match else None

    def output(self, result: JobResult) -> str:
        """What `go test` without -json prints: the events' own output lines."""
        events = self._events(result)
        text = "".join(str(e.get("Output", "")) for e in events if e.get("Action") == "output")
        if not events:
            text = result.stdout
        return (text + ("\n" if text and result.stderr else "") + result.stderr).strip("\n")


def _builds(text: str) -> bool:
    """Whether a file's `//go:build` line holds with no build tags set (robot-simulator's steps)."""
    match = re.match(r"\s*//go:build\s+(.*)", text)
    if not match:
        return True
    expression = match.group(1).replace("&&", " and ").replace("||", " or ").replace("!", " not ")
    if not re.fullmatch(r"[\w\s()]*", expression):
        return True
    words = {w: False for w in re.findall(r"\b(?!and\b|or\b|not\b)[A-Za-z_]\w*", expression)}
    try:
        return bool(eval(expression, {"__builtins__": {}}, words))  # noqa: S307 (words only, no calls)
    except SyntaxError:
        return True


FRAMEWORK = GoTest()
