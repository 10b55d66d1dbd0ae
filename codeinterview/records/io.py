"""ndjson records: reading, appending, resuming, and the fields each stage owns.

Every stage appends one JSON object per line and flushes it, so a killed run
loses at most the line being written. Re-opening an output repairs a torn last
line and reports the keys already done, so a restarted stage skips them.
"""

from __future__ import annotations

import gzip
import io
import json
import logging
import os
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterator

from .. import __version__
from ..errors import UserError
from ..values import to_json_line

log = logging.getLogger(__name__)

STAGES = ("prepare", "interview", "eval")
# Fields written by each stage. A later stage re-run on a file drops its own
# (stale) fields before doing its work, so an eval file re-graded is graded
# afresh and an eval file re-asked is asked afresh.
INTERVIEW_FIELDS = ("answer", "finish_reason", "usage", "latency_s", "reasoning", "retries",
                    "params_sent", "params_dropped", "executor", "model", "params", "params_name",
                    "interviewed_at", "attempts", "feedback", "base_url", "replayed_from", "answer_error")
EVAL_FIELDS = ("code", "checks", "status", "passed", "total", "score", "function", "stdout",
               "stderr", "error", "evaluated_at", "sandbox", "grader", "attempts_graded")


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def slot_key(record: dict[str, Any]) -> str:
    """What was asked, whatever the run: suite / question / language / sample."""
    return "/".join(str(record.get(k, "")) for k in ("suite", "name", "language")) + \
        f"/{record.get('sample', 0)}"


def record_key(record: dict[str, Any]) -> str:
    """The stable key of a record (for now its slot; the run joins it)."""
    return slot_key(record)


def _open_binary(path: Path):
    return gzip.open(path, "rb") if path.suffix == ".gz" else path.open("rb")


def open_text(path: str | Path, mode: str = "r"):
    """A text handle on an ndjson file; `.gz` files are (de)compressed on the fly."""
    path = Path(path)
    if path.suffix == ".gz":
        return io.TextIOWrapper(gzip.open(path, mode.replace("t", "") + "b"), encoding="utf-8",
                                newline="\n")
    return path.open(mode, encoding="utf-8", newline="\n")


def record_stage(record: dict[str, Any]) -> str | None:
    """Which stage wrote a record (ours carry 'stage'; can-ai-code's are inferred)."""
    if record.get("stage") in STAGES:
        return record["stage"]
    if "status" in record and "checks" in record:
        return "eval"
    if "answer" in record:
        return "interview"
    if "prompt" in record:
        return "prepare"
    return None


def strip_fields(record: dict[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k not in fields}


def provenance() -> dict[str, Any]:
    return {"harness_version": __version__}


def read_records(path: str | Path, accept: tuple[str, ...] = STAGES) -> Iterator[dict[str, Any]]:
    """Yield the records of an ndjson file, checking each line and its stage.

    A torn last line (a kill mid-write) is skipped with a warning; any other
    malformed line is a user error naming file and line.
    """
    path = Path(path)
    if not path.is_file():
        raise UserError(f"{path}: no such file")
    with _open_binary(path) as handle:  # line by line: memory does not grow with the file
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            try:
                record = json.loads(raw)
            except (json.JSONDecodeError, UnicodeDecodeError) as exc:
                if not raw.endswith(b"\n"):  # the last line, unfinished: torn by a kill
                    log.warning("%s:%d: ignoring a torn last line (a killed run?)", path, number)
                    continue
                raise UserError(f"{path}:{number}: not a JSON object ({exc}); "
                                "is this an ndjson file written by a codeinterview stage?") from None
            if not isinstance(record, dict):
                raise UserError(f"{path}:{number}: expected a JSON object, got {type(record).__name__}")
            stage = record_stage(record)
            if stage not in accept:
                want = " or ".join(accept)
                raise UserError(f"{path}:{number}: this is a {stage or 'unrecognised'} record; "
                                f"this stage reads {want} files")
            yield record


class RecordWriter:
    """Append-only ndjson output that resumes where a previous run stopped."""

    def __init__(self, path: str | Path, stage: str, redo: Callable[[dict], bool] | None = None):
        """`redo` picks existing records to drop and do again (for example
        infrastructure errors); every other existing record counts as done."""
        self.path = Path(path)
        self.stage = stage
        self.redo = redo
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.done: set[str] = set()
        if self.path.exists():
            self._repair_and_scan()
        self._handle = self.path.open("a", encoding="utf-8")

    def _repair_and_scan(self) -> None:
        data = self.path.read_bytes()
        good_end = 0
        kept: list[bytes] = []
        dropped = 0
        for number, line in enumerate(data.split(b"\n"), start=1):
            end = good_end + len(line) + 1
            if end > len(data):  # last piece without a newline
                if line.strip():
                    log.warning("%s:%d: repairing a torn last line left by a killed run",
                                self.path, number)
                break
            if line.strip():
                try:
                    record = json.loads(line)
                except json.JSONDecodeError:
                    raise UserError(f"{self.path}:{number}: existing output has a malformed line; "
                                    "fix or remove the file before resuming") from None
                if record_stage(record) != self.stage:
                    raise UserError(f"{self.path}:{number}: existing output is not a {self.stage} "
                                    "file; choose another --output")
                if self.redo and self.redo(record):
                    dropped += 1
                    good_end = end
                    continue
                self.done.add(record_key(record))
                kept.append(line + b"\n")
            good_end = end
        if dropped:  # records to redo: rewrite the file without them, atomically
            tmp = self.path.with_suffix(self.path.suffix + ".tmp")
            tmp.write_bytes(b"".join(kept))
            os.replace(tmp, self.path)
        elif good_end < len(data):
            with self.path.open("r+b") as handle:
                handle.truncate(good_end)

    def write(self, record: dict[str, Any]) -> None:
        key = record_key(record)
        if key in self.done:
            return  # never duplicate a record
        self._handle.write(to_json_line(record) + "\n")
        self._handle.flush()
        self.done.add(key)

    def close(self) -> None:
        if not self._handle.closed:
            self._handle.flush()
            os.fsync(self._handle.fileno())
            self._handle.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
