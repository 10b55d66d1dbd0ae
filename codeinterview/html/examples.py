"""The answers the question pages show: a bounded sample, spooled to disk.

A question page shows, per language and leaderboard row, one answer of each
run (its lowest sample number), for at most RUNS_SHOWN runs. Each answer is
reduced to what the page shows, its values already rendered and cut, and
written to a temporary file: memory holds only where each answer lies, so it
grows with questions x rows, not with records or samples.
"""

from __future__ import annotations

import json
import tempfile
from typing import Any

from ..leaderboard.tally import Row, row_key

RUNS_SHOWN = 5       # answers per question, language and row: one per run, the first runs
VALUE_CHARS = 2000   # an expected/got value shown in full up to this length
QUESTION_FIELDS = ("Signature", "Input", "Output", "Fact", "Description")

Column = tuple[str, Any, Any, Row]  # (suite, name, language, row)


def show(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=repr)  # JSON: the string "1" is not the number 1
    return text if len(text) <= VALUE_CHARS else text[:VALUE_CHARS] + f"... ({len(text) - VALUE_CHARS} more)"


def error_text(error: Any) -> str | None:
    """The sandbox's error: a string, or {type, message}."""
    if isinstance(error, dict):
        return ": ".join(str(error[k]) for k in ("type", "message") if error.get(k))
    return error


def answer_view(record: dict[str, Any], run: str) -> dict[str, Any]:
    """The fields a question page shows, with defaults for records that lack some."""
    checks = [{"name": c.get("name"), "assert": c.get("assert") or "", "expected": show(c.get("expected")),
               "got": show(c.get("got")), "passed": bool(c.get("passed")), "weight": c.get("weight", 1),
               "visible": c.get("visible", True), "error": error_text(c.get("error"))}
              for c in record.get("checks") or []]
    attempts = [{"status": a.get("status"), "passed": a.get("passed"), "total": a.get("total")}
                for a in record.get("attempts_graded") or []]
    return {"status": record.get("status"), "passed": record.get("passed"), "total": record.get("total"),
            "sample": record.get("sample", 0), "latency_s": record.get("latency_s"),
            "error": error_text(record.get("error")), "code": record.get("code") or record.get("answer") or "(no code)",
            "checks": checks, "stdout": record.get("stdout") or "", "stderr": record.get("stderr") or "",
            "attempts": attempts, "run": run}


def _sample(record: dict[str, Any]) -> int:
    sample = record.get("sample", 0)
    return sample if isinstance(sample, int) else 0


class Examples:
    """Offered every record as it streams past; keeps the few the pages show."""

    def __init__(self) -> None:
        self._spool = tempfile.TemporaryFile()  # lives as long as the report; deleted on close
        self._kept: dict[Column, dict[str, tuple[int, int, int]]] = {}  # column -> run -> (sample, offset, size)
        self.questions: dict[tuple[str, Any], dict[str, Any]] = {}  # (suite, name) -> the fields shown

    def offer(self, record: dict[str, Any], run: str) -> None:
        suite, name = record.get("suite") or "?", record.get("name")
        if (suite, name) not in self.questions:
            question = record.get("question")
            question = question if isinstance(question, dict) else {}
            self.questions[(suite, name)] = {k: question[k] for k in QUESTION_FIELDS if question.get(k)}
        kept = self._kept.setdefault((suite, name, record.get("language"), row_key(record)), {})
        sample, have = _sample(record), kept.get(run)
        if (have is None and len(kept) >= RUNS_SHOWN) or (have is not None and have[0] <= sample):
            return
        data = json.dumps(answer_view(record, run)).encode()  # ASCII: any string survives, lone surrogates too
        offset = self._spool.seek(0, 2)
        self._spool.write(data)
        kept[run] = (sample, offset, len(data))  # an answer replaced by a lower sample stays unread

    def answers(self, column: Column) -> list[dict[str, Any]]:
        """The kept answers of one page column, by run."""
        views = []
        for _run, (_, offset, size) in sorted(self._kept.get(column, {}).items()):
            self._spool.seek(offset)
            views.append(json.loads(self._spool.read(size)))
        return views

    def close(self) -> None:
        self._spool.close()
