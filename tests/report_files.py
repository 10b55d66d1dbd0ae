"""Eval files and pages the report tests share: crafted eval records (metadata,
prompt kinds, two suites; three runs that exactly three questions separate),
the stub answer of a replayed wrong run, and a reader of the HTML pages."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

from helpers import write_records

# --- crafted eval files (no sandbox): model metadata, two templates of one model, a FIM row, two suites ---

MODELS_YAML = """models:
  - id: acme-7b-*            # a glob: every quantisation of it
    alias: Acme 7B
    size: 7B
    quantisation: Q4_K_M
    licence: apache-2.0
    url: https://example.org/acme
    tags: [instruct, small]
  - id: other-13b
    size: 13B
    licence: llama2
    tags: [base]
"""
PROMPTS = {"chat-simple": [{"role": "user", "content": "write it"}], "completion": "def f(x):\n"}


def record(model: str, template: str, suite: str, name: str, language: str, passed: int, metrics=None, **extra):
    return {"stage": "eval", "suite": suite, "name": name, "language": language, "sample": 0, "model": model,
            "template": template, "params_name": "greedy", "prompt": PROMPTS.get(template, "<fim>"),
            "status": "pass" if passed == 2 else "fail", "passed": passed, "total": 2,
            "checks": [{"name": "c0", "passed": passed >= 1}, {"name": "c1", "passed": passed == 2}],
            **({"reference_metrics": metrics} if metrics is not None else {}), **extra}


def crafted(tmp):
    """acme-7b-q4 asked with two templates (chat better), other-13b by chat, a FIM model; two suites."""
    rows = []
    for i in range(6):
        for suite, language in (("s1", "python"), ("s2", "javascript")):
            rows.append(record("acme-7b-q4", "chat-simple", suite, f"Q{i}", language, 2 if i < 5 else 0))
            rows.append(record("acme-7b-q4", "completion", suite, f"Q{i}", language, 2 if i < 2 else 1))
            rows.append(record("other-13b", "chat-simple", suite, f"Q{i}", language, 2 if suite == "s1" else 0))
            rows.append(record("fim-model", "fim-plain", suite, f"Q{i}", language, 1, code_suffix="\n"))
    return write_records(tmp / "eval.ndjson", rows)


def feedback_record(name: str, statuses: list[str], policy: dict, tokens: int = 10) -> dict:
    """An eval record of a feedback run: its attempts graded afresh, each one model call."""
    attempts = [{"status": s, "usage": {"prompt_tokens": tokens, "completion_tokens": tokens}} for s in statuses]
    final = statuses[-1]
    return {**record("m", "chat-simple", "s1", name, "python", 2 if final == "pass" else 0),
            "feedback": policy, "attempts": attempts, "attempts_graded": attempts}


# --- three runs of an N-way compare ---

# per run, per question: the status and which of the checks c0, c1 passed
RUNS = {
    "a": {"Q0": ("pass", 1, 1), "Q1": ("pass", 1, 1), "Q2": ("fail", 1, 0), "Q3": ("fail", 0, 0),
          "Q4": ("sandbox_error", 0, 0), "R0": ("pass", 1, 1)},
    "b": {"Q0": ("pass", 1, 1), "Q1": ("fail", 1, 0), "Q2": ("fail", 1, 0), "Q3": ("fail", 1, 0),
          "Q4": ("pass", 1, 1), "R0": ("pass", 1, 1)},
    "c": {"Q0": ("pass", 1, 1), "Q1": ("pass", 1, 1), "Q2": ("fail", 1, 0), "Q3": ("fail", 0, 0),
          "Q4": ("fail", 0, 0)},  # R0 not asked
}
SEPARATING = {"Q1": ["c1"], "Q3": ["c0"], "Q4": ["c0", "c1"]}  # Q4: a sandbox error in a is no result


def eval_record(model: str, name: str, status: str, c0: int, c1: int) -> dict:
    checks = [{"name": "c0", "passed": bool(c0), "expected": 1, "got": 1 if c0 else 0},
              {"name": "c1", "passed": bool(c1), "expected": 2, "got": 2 if c1 else 0}]
    return {"stage": "eval", "suite": "s2" if name.startswith("R") else "s1", "name": name, "language": "python",
            "sample": 0, "model": model, "template": "chat-simple", "params_name": "greedy", "status": status,
            "passed": 0 if status == "sandbox_error" else c0 + c1, "total": 2, "checks": checks}


def run_files(tmp, split_b: bool = False) -> list:
    files = []
    for run, answers in RUNS.items():
        rows = [eval_record(f"model-{run}", name, *outcome) for name, outcome in answers.items()]
        if split_b and run == "b":  # one group of two files
            files.append([write_records(tmp / "b1.ndjson", rows[:3]), write_records(tmp / "b2.ndjson", rows[3:])])
        else:
            files.append(write_records(tmp / f"{run}.ndjson", rows))
    return files


# --- a replayed wrong answer: the right name, the wrong arity and result ---

def stub(language: str, function: str) -> str:
    if language == "python":
        return f"```python\ndef {function}(*args):\n    return None\n```"
    return f"```javascript\nfunction {function}() {{\n  return null;\n}}\n```"


# --- reading a page of the site back ---

class Page(HTMLParser):
    """The tables (attributes, header cells, rows of cell texts and attributes)
    and the elements with attributes of one HTML page."""

    def __init__(self, text: str):
        super().__init__()
        self.tables, self.elements, self._cell, self._thead = [], [], None, False
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.elements.append((tag, attrs))
        self._thead = self._thead or tag == "thead"
        if tag == "table":
            self.tables.append({"attrs": attrs, "headers": [], "rows": []})
        elif tag == "tr" and self.tables:
            self.tables[-1]["rows"].append({"attrs": attrs, "cells": [], "sort": []})
        elif tag in ("td", "th") and self.tables:
            self._cell = [tag, attrs, ""]

    def handle_data(self, data):
        if self._cell is not None:
            self._cell[2] += data

    def handle_endtag(self, tag):
        self._thead = self._thead and tag != "thead"
        if tag in ("td", "th") and self._cell is not None:
            kind, attrs, text = self._cell
            row = self.tables[-1]["rows"][-1]
            if self._thead:
                self.tables[-1]["headers"].append(text.strip())
            else:
                row["cells"].append(text.strip())
                row["sort"].append(attrs.get("data-sort"))
            self._cell = None


def read_page(path: Path) -> Page:
    return Page(path.read_text())
