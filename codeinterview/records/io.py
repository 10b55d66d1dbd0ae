"""Streaming ndjson(.gz) records: reading, appending, resuming.

Every stage appends one JSON object per line and flushes it, so a killed run
loses at most the line being written. Re-opening an output repairs a torn last
line, refuses records of another run, and remembers the keys already done (as
hashes, see keys.KeySet), so a restarted stage skips them. Files are read a
line at a time: memory does not grow with the number of records. A path
ending in `.gz` is read and written gzip-compressed.
"""

from __future__ import annotations

import gzip
import json
import logging
import os
import zlib
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any, Callable, Iterator, cast

from .. import __version__
from ..errors import UserError
from .values import to_json_line
from .identity import STAGES, RunIdentity, record_stage, upstream_run
from .keys import KeySet, record_key
from .schema import EVAL_FIELDS, INTERVIEW_FIELDS, LEGACY_EVAL_FIELDS, RUN_FIELDS

log = logging.getLogger(__name__)

# What a stage drops from an input record before doing its work: its own
# fields and later stages' (so an eval file re-graded is graded afresh, and
# re-asked is asked afresh), and the run ids, which it sets anew.
OWNED = {
    "interview": INTERVIEW_FIELDS + EVAL_FIELDS + LEGACY_EVAL_FIELDS + RUN_FIELDS,
    "eval": EVAL_FIELDS + LEGACY_EVAL_FIELDS + RUN_FIELDS,
}


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def provenance() -> dict[str, Any]:
    return {"harness_version": __version__}


def strip_fields(record: dict[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k not in fields}


def input_for(stage: str, record: dict[str, Any]) -> dict[str, Any]:
    """An input record with what `stage` (and later stages) wrote dropped."""
    return strip_fields(record, OWNED[stage])


def open_binary(path: Path) -> IO[bytes]:
    return gzip.open(path, "rb") if path.suffix == ".gz" else path.open("rb")  # type: ignore[return-value]


def count_lines(path: str | Path) -> int | None:
    """Lines in a file (for a progress bar's total): a quick pass over its bytes."""
    try:
        with open_binary(Path(path)) as handle:
            return sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))
    except (OSError, EOFError, gzip.BadGzipFile, zlib.error):
        return None


def open_text(path: str | Path, mode: str = "r", gz: bool | None = None) -> IO[str]:
    """A text handle on an ndjson file; `.gz` files (or gz=True) are (de)compressed on the fly."""
    path = Path(path)
    if path.suffix == ".gz" if gz is None else gz:
        return cast(IO[str], gzip.open(path, mode.replace("t", "") + "t", encoding="utf-8", newline="\n"))
    return path.open(mode, encoding="utf-8", newline="\n")


def _lines(path: Path, cut: list[bool] | None = None) -> Iterator[tuple[int, bytes]]:
    """(line number, raw line) of a file; a gzip stream cut short by a kill
    ends the lines instead of raising (the torn part is what a kill loses),
    and sets cut[0]."""
    with open_binary(path) as handle:
        number = 0
        try:
            for number, raw in enumerate(handle, start=1):
                yield number, raw
        except EOFError:  # the stream stops mid-member: what a kill leaves
            log.warning("%s: compressed stream ends early after line %d (a killed run?)", path, number)
            if cut is not None:
                cut[0] = True
        except (gzip.BadGzipFile, zlib.error) as exc:  # not a cut: never read past it, nor rewrite it
            raise UserError(f"{path}: after line {number}: not valid gzip data ({exc}); "
                            "is it really a .gz file?") from None


def read_records(path: str | Path, accept: tuple[str, ...] = STAGES) -> Iterator[dict[str, Any]]:
    """Yield the records of an ndjson file, checking each line and its stage.

    A torn last line (a kill mid-write) is skipped with a warning; any other
    malformed line is a user error naming file and line.
    """
    path = Path(path)
    if not path.is_file():
        raise UserError(f"{path}: no such file")
    for number, raw in _lines(path):
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


def resume_lines(path: Path, take: Callable[[int, bytes], bool]) -> None:
    """Read an existing ndjson(.gz) file before appending to it: `take(number, line)`
    sees each whole, non-blank line and returns False for one to drop (to be done
    again). The one torn-line repair of every appending writer (RecordWriter, the
    feedback journal): a torn last line (no newline: a kill mid-write) is cut off;
    a gzip stream cut short, a torn gzip file, or a file with lines dropped is
    rewritten, atomically, with the whole lines kept."""
    good_end, torn, cut = 0, False, [False]
    dropped: set[int] = set()
    for number, line in _lines(path, cut):
        if not line.endswith(b"\n"):  # a last piece without a newline: torn by a kill
            if line.strip():
                log.warning("%s:%d: repairing a torn last line left by a killed run", path, number)
                torn = True
            break
        if line.strip() and not take(number, line):
            dropped.add(number)
        good_end += len(line)
    if dropped or cut[0] or (torn and path.suffix == ".gz"):  # (a gzip file is rewritten, not truncated)
        _rewrite_kept(path, dropped)
    elif torn:
        with path.open("r+b") as handle:
            handle.truncate(good_end)


def _rewrite_kept(path: Path, dropped: set[int]) -> None:
    """Rewrite the file with only its whole lines not `dropped`, atomically."""
    tmp = path.with_name(path.name + ".tmp")
    with open_text(tmp, "w", gz=path.suffix == ".gz") as out:
        for number, line in _lines(path):
            if line.endswith(b"\n") and line.strip() and number not in dropped:
                out.write(line.decode("utf-8"))
    os.replace(tmp, path)


class RecordWriter:
    """Append-only ndjson(.gz) output that resumes where a previous run stopped.

    `run`: the identity of the run writing; an existing record of another run
    is refused (one clear error) instead of being taken as done. `redo` picks
    existing records to drop and do again (infrastructure errors); every other
    existing record counts as done.
    """

    def __init__(self, path: str | Path, stage: str, redo: Callable[[dict], bool] | None = None,
                 run: RunIdentity | None = None):
        self.path = Path(path)
        self.stage = stage
        self.redo = redo
        self.run = run
        self.gzip = self.path.suffix == ".gz"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.done = KeySet()
        self.resumed = 0
        # upstream run -> what its first record here says of it (template, suite_hash)
        self.upstreams: dict[str, dict[str, Any]] = {}
        if self.path.exists():
            self._repair_and_scan()
        if self.run is not None:
            self.run.start()  # a new file: a new instance (a resumed one took the file's)
        self._handle = open_text(self.path, "a")

    def _repair_and_scan(self) -> None:
        def take(number: int, line: bytes) -> bool:
            try:
                record = json.loads(line)
            except (json.JSONDecodeError, UnicodeDecodeError):
                raise UserError(f"{self.path}:{number}: existing output has a malformed line; "
                                "fix or remove the file before resuming") from None
            if record_stage(record) != self.stage:
                raise UserError(f"{self.path}:{number}: existing output is not a {self.stage} "
                                "file; choose another --output")
            if self.run is not None:
                self.run.refuse_foreign(record, f"{self.path}:{number}")
                self.run.start(record)
            upstream = upstream_run(record, self.stage)
            if upstream not in self.upstreams:
                self.upstreams[upstream] = {k: record.get(k) for k in ("template", "suite_hash")}
            if self.redo and self.redo(record):
                return False
            self.done.add(record_key(record, upstream))
            self.resumed += 1
            return True

        resume_lines(self.path, take)

    def write(self, record: dict[str, Any]) -> bool:
        """Append one record (unless its key is already done); True if written."""
        key = record_key(record)
        if key in self.done:
            return False  # never duplicate a record
        self._handle.write(to_json_line(record) + "\n")
        self._handle.flush()  # (for gzip a sync flush: what was written reads back after a kill)
        self.done.add(key)
        return True

    def close(self) -> None:
        if not self._handle.closed:
            self._handle.flush()
            if not self.gzip:
                os.fsync(self._handle.fileno())
            self._handle.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
