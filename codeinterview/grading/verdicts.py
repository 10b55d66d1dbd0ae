"""Verdict reuse: an answer whose program and checks are identical to one already
graded in this run takes that verdict instead of a second sandbox run.

Many samples of a greedy (or low-temperature) run are the same text, and MultiPL-E
caches the same way. The key is a sha256 over everything that decides a verdict:
language, job kind, the code (for programs: the text before the per-run random
token goes in), the test program, the checks (expression, operator, expected
value, tolerance, weight...), the limits and timeout actually applied, and the
scoring mode. One cache lives for one evaluate run (or one feedback executor).

Bounded (LRU, by entries and by stored characters), so memory stays flat however
many records a run grades. Two threads grading the same answer at once: the second
waits for the first's verdict instead of running it too. A sandbox_error is never
kept: it says nothing about the answer.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import threading
from collections import OrderedDict
from typing import Any, Callable

from ..records.schema import Status

MAX_ENTRIES = 20_000
MAX_CHARS = 256 << 20   # stored text, all entries together (program outputs are up to 256 KiB a stream)

# What an eval record takes from a verdict (never the code: the key holds it already).
KEPT = ("status", "checks", "passed", "total", "score", "error", "function", "stdout", "stderr",
        "sandbox", "timing", "tests")


def verdict_key(*parts: Any) -> str:
    """sha256 of the parts; dataclasses (Limits, Check) as their fields, other
    values JSON can't carry (tuples stay lists, sets...) as their repr."""
    def plain(value: Any) -> Any:
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            return {"__type__": type(value).__name__, **dataclasses.asdict(value)}
        if isinstance(value, (set, frozenset)):
            return {"__set__": sorted(map(repr, value))}
        return repr(value)
    text = json.dumps(parts, sort_keys=True, default=plain, ensure_ascii=True)
    return hashlib.sha256(text.encode()).hexdigest()


def _size(fields: dict[str, Any]) -> int:
    return len(json.dumps(fields, default=repr))


class VerdictCache:
    """Thread-safe and bounded; `grade(key, compute)` runs compute() at most once
    per key while the verdict stays cached."""

    def __init__(self, max_entries: int = MAX_ENTRIES, max_chars: int = MAX_CHARS):
        if max_entries < 1:
            raise ValueError("a verdict cache holds at least one entry")
        self.max_entries, self.max_chars = max_entries, max_chars
        self._entries: OrderedDict[str, tuple[dict[str, Any], int]] = OrderedDict()
        self._running: dict[str, threading.Event] = {}
        self._chars = 0
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def grade(self, key: str, compute: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        """The eval fields for `key`: reused (a copy, its sandbox dict saying
        reused: true) or computed now (reused: false)."""
        while True:
            with self._lock:
                entry = self._entries.get(key)
                if entry is not None:
                    self._entries.move_to_end(key)
                    self.hits += 1
                    return _marked(entry[0], reused=True)
                running = self._running.get(key)
                if running is None:
                    self._running[key] = threading.Event()
                    break
            running.wait()  # then take its verdict, or run it ourselves if it kept none
        fields: dict[str, Any] | None = None
        try:
            fields = compute()
        finally:
            with self._lock:
                self.misses += 1
                if fields is not None and fields.get("status") != Status.SANDBOX_ERROR:
                    self._store(key, {k: fields[k] for k in KEPT if k in fields})
                self._running.pop(key).set()
        return _marked(fields, reused=False)

    def _store(self, key: str, kept: dict[str, Any]) -> None:
        size = _size(kept)
        if size > self.max_chars:
            return
        self._entries[key] = (kept, size)
        self._chars += size
        while len(self._entries) > self.max_entries or self._chars > self.max_chars:
            _, (_, dropped) = self._entries.popitem(last=False)
            self._chars -= dropped


def _marked(fields: dict[str, Any], reused: bool) -> dict[str, Any]:
    # A fresh top level each time: callers add fields (attempts_graded, error) to what they get.
    return {**fields, "sandbox": {**(fields.get("sandbox") or {}), "reused": reused}}
