"""The feedback loop's journal: finished attempts, one JSON line each, appended
and flushed as they happen, beside the output (OUTPUT.attempts.ndjson).

The main output only holds finished questions, so a killed run restarts each
unfinished question after its last journaled attempt instead of asking the
model again. Lines carry the run's fingerprint (executor, model, params,
feedback policy); lines of another run are ignored. A torn last line is
repaired as every output's is (records.io.resume_lines).
"""

from __future__ import annotations

import json
import logging
import threading
from pathlib import Path
from typing import Any

from ..errors import UserError
from ..records.io import resume_lines
from ..records.values import to_json_line

log = logging.getLogger(__name__)


def slot(key: str) -> str:
    """The request key without its run id: a run killed before its first
    record was written resumes as a new instance, with the same fingerprint."""
    return key.split("|", 1)[-1]


class Journal:
    """Finished attempts per question (by slot), read back on resume."""

    def __init__(self, path: Path, fingerprint: str, fresh: bool):
        self.path = path
        self.fingerprint = fingerprint
        self._lock = threading.Lock()
        self._attempts: dict[str, list[dict[str, Any]]] = {}
        if fresh and path.exists():
            path.unlink()  # a journal without its output belongs to an earlier, discarded run
        if path.exists():
            self._load()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._handle = self.path.open("a", encoding="utf-8")

    def _load(self) -> None:
        ignored = 0

        def take(number: int, line: bytes) -> bool:
            nonlocal ignored
            try:
                entry = json.loads(line)
            except (json.JSONDecodeError, UnicodeDecodeError):
                raise UserError(f"{self.path}:{number}: malformed journal line; remove the file to start "
                                "the unfinished questions afresh") from None
            if entry.get("fingerprint") != self.fingerprint:
                ignored += 1
                return True
            done = self._attempts.setdefault(entry["key"], [])
            if "amend" in entry:  # a review given after its attempt was journaled
                if 0 < entry["amend"] <= len(done):
                    done[entry["amend"] - 1] = {**done[entry["amend"] - 1], **entry["fields"]}
            elif entry["attempt"]["attempt"] == len(done) + 1:
                done.append(entry["attempt"])
            return True

        resume_lines(self.path, take)
        if ignored:
            log.warning("%s: ignoring %d attempts journaled by a different run", self.path, ignored)

    def done(self, key: str) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._attempts.get(slot(key), []))

    def append(self, key: str, attempt: dict[str, Any]) -> None:
        self._write({"key": slot(key), "fingerprint": self.fingerprint, "attempt": attempt})

    def amend(self, key: str, number: int, fields: dict[str, Any]) -> None:
        """Fields added to attempt `number` after it was journaled (a review)."""
        self._write({"key": slot(key), "fingerprint": self.fingerprint, "amend": number, "fields": fields})

    def _write(self, entry: dict[str, Any]) -> None:
        line = to_json_line(entry)
        with self._lock:
            self._handle.write(line + "\n")
            self._handle.flush()

    def close(self) -> None:
        with self._lock:
            if not self._handle.closed:
                self._handle.close()
