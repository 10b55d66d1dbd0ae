"""The replay executor: answers from an earlier interview or eval file.

For re-grading old answers with a newer grader, mixing runs, and tests. An
answer is matched by slot (suite/name/language/sample), falling back to
name/language/sample and then name/language, so files written by can-ai-code
(which carry no suite or sample) replay too. The first file, and within it the
first record, holding a key wins.

The replay files are read once, as a stream, into a temporary on-disk SQLite
index holding only what an answer needs, so memory stays flat however many
records the files hold (a million-record file would take gigabytes as dicts).
"""

from __future__ import annotations

import json
import sqlite3
import threading
from dataclasses import dataclass
from typing import Any

from ..errors import UserError
from ..params import CANONICAL
from ..records import read_records, slot_key
from .base import Answer, Executor, Request

CARRIED = ("finish_reason", "latency_s", "reasoning", "params_sent")
# What `ask` reads from a source record; only these are kept in the index.
KEPT = ("answer", "usage", "model", "executor", "params_name") + CARRIED
# SQLite's page cache for the index; pages past it spill to its temporary file.
CACHE_KIB = 32 * 1024


@dataclass(frozen=True)
class ReplayOptions:
    replay: list[str] | str | None = None   # the interview or eval file(s) to take answers from


class ReplayExecutor(Executor):
    name = "replay"
    supported_params = frozenset(CANONICAL)
    needs_model = False
    Options = ReplayOptions
    options: ReplayOptions

    def __init__(self, model: str | None = None, **kwargs: Any):
        super().__init__(model=model, **kwargs)
        replay = self.options.replay
        paths = [replay] if isinstance(replay, str) else list(replay or [])
        if not paths:
            raise UserError("executor 'replay' needs --replay FILE (an interview or eval file)")
        self.sources = paths
        self._lock = threading.Lock()  # ask() runs on up to `concurrency` threads
        # "" is a private temporary database on disk, deleted when closed.
        self._db = sqlite3.connect("", check_same_thread=False, isolation_level=None)
        try:
            self._index(paths)
        except BaseException:
            self._db.close()
            raise

    def _index(self, paths: list[str]) -> None:
        db = self._db
        db.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
        db.execute("PRAGMA journal_mode = OFF")  # a scratch index: nothing to roll back
        db.execute("PRAGMA synchronous = OFF")
        db.execute("CREATE TABLE source (id INTEGER PRIMARY KEY, fields TEXT NOT NULL)")
        db.execute("CREATE TABLE lookup (key TEXT PRIMARY KEY, source INTEGER NOT NULL) WITHOUT ROWID")
        db.execute("BEGIN")
        for path in paths:
            for record in read_records(path, accept=("interview", "eval")):
                fields = json.dumps({k: record[k] for k in KEPT if k in record})
                source = db.execute("INSERT INTO source (fields) VALUES (?)", (fields,)).lastrowid
                # OR IGNORE: a key already held by an earlier record keeps it (first wins).
                slot, nls, nl = self._keys(record)
                db.execute("INSERT OR IGNORE INTO lookup VALUES (?, ?), (?, ?), (?, ?)",
                           (slot, source, nls, source, nl, source))
        db.execute("COMMIT")

    @staticmethod
    def _keys(record: dict[str, Any]) -> list[str]:
        """The lookup keys of a record, most specific first (repr keeps 1 and "1" apart)."""
        name, language, sample = record.get("name"), record.get("language"), record.get("sample", 0)
        return [repr(("slot", slot_key(record))), repr(("nls", name, language, sample)),
                repr(("nl", name, language))]

    def _find(self, record: dict[str, Any]) -> dict[str, Any] | None:
        with self._lock:
            for key in self._keys(record):
                row = self._db.execute("SELECT fields FROM source WHERE id = "
                                       "(SELECT source FROM lookup WHERE key = ?)", (key,)).fetchone()
                if row is not None:
                    return json.loads(row[0])
        return None

    def ask(self, request: Request) -> Answer:
        source = self._find({**request.record, "sample": request.sample})
        if source is None:
            raise UserError(f"replay: no answer for {request.key} in {', '.join(self.sources)}")
        usage = source.get("usage") or {}
        extra = {"replayed_from": {"model": source.get("model"), "executor": source.get("executor")}}
        if self.model is None and source.get("model"):
            extra["model"] = source["model"]  # keep the original model's name on the leaderboard
        if source.get("params_name"):
            extra["params_name"] = source["params_name"]
        return Answer(key=request.key, text=source.get("answer") or "",
                      prompt_tokens=usage.get("prompt_tokens"),
                      completion_tokens=usage.get("completion_tokens"),
                      extra=extra, **{k: source[k] for k in CARRIED if source.get(k) is not None})

    def close(self) -> None:
        self._db.close()  # closing twice is harmless
