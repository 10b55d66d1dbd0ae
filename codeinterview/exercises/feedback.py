"""Aider's second try, for exercises: the test command's output, cleaned as
aider cleans it, followed by aider's own words (Aider-AI/aider
benchmark/benchmark.py, run_test_real's loop and cleanup_test_output;
benchmark/prompts.py, test_failures). The message template is
prompts/feedback-exercise.yaml.
"""

from __future__ import annotations

import re
from typing import Any

from ..questions import Question
from ..records.schema import Status

MAX_ATTEMPTS = 2          # aider --tries 2: the feedback executor's default for exercises
OUTPUT_CHARS = 20_000     # aider sends the whole output; this bounds a runaway one
TIMING = re.compile(r"\bin \d+\.\d+s\b")     # cleanup_test_output: "in 0.12s" (pytest, cargo)
WORK_DIR = re.compile(r"/work/job-\d+")      # the sandbox's work dir: the exercise's folder name instead
TIMED_OUT = "Tests timed out!"


def test_output(graded: dict[str, Any], question: Question) -> str:
    """What aider sends back after a failed run: the output with timings and the
    work directory's path removed; "Tests timed out!" for a run over its limit."""
    if graded.get("status") == Status.TIMEOUT:
        return TIMED_OUT
    text = graded.get("stdout") or ""
    if not text.strip() or graded.get("status") in (Status.NO_CODE,):
        text = "\n".join(filter(None, (text, graded.get("error") or "")))
    folder = str(question.fields.get("TaskId") or question.name).rsplit("/", 1)[-1]
    text = WORK_DIR.sub(folder, TIMING.sub("", text))
    if len(text) > OUTPUT_CHARS:
        text = text[:OUTPUT_CHARS // 2] + "\n[...]\n" + text[-OUTPUT_CHARS // 2:]
    return text
