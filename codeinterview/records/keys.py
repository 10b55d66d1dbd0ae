"""Record keys, and a set of them that stays small at a million records."""

from __future__ import annotations

import hashlib
from typing import Any

import numpy as np

from .identity import record_run, record_stage, upstream_run


def slot_key(record: dict[str, Any]) -> str:
    """What was asked, whatever the run: suite / question / language / sample."""
    return "/".join(str(record.get(k, "")) for k in ("suite", "name", "language")) + \
        f"/{record.get('sample', 0)}"


def record_key(record: dict[str, Any], upstream: str | None = None) -> str:
    """A record's identity: its run, the run of the input it was made from,
    its slot. Two models' answers to one question, graded in one run, differ in
    the second part, so one file can hold both."""
    if upstream is None:
        upstream = upstream_run(record, record_stage(record) or "prepare")
    return f"{record_run(record)}|{upstream}|{slot_key(record)}"


class KeySet:
    """The keys a stage has seen, kept as 64-bit hashes in a sorted array
    (8 bytes a key, not a Python string each: a million keys is 8 MB).

    Two distinct keys share a hash with odds of about n^2 / 2^65 (3e-8 at a
    million records), the price of memory that does not grow with the run.
    """

    MERGE_EVERY = 1 << 16

    def __init__(self) -> None:
        self._sorted = np.empty(0, dtype=np.uint64)
        self._recent: set[int] = set()

    @staticmethod
    def _hash(key: str) -> int:
        return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "little")

    def add(self, key: str) -> None:
        self._recent.add(self._hash(key))
        if len(self._recent) >= self.MERGE_EVERY:
            self._merge()

    def __contains__(self, key: object) -> bool:
        value = self._hash(str(key))
        if value in self._recent:
            return True
        at = int(np.searchsorted(self._sorted, np.uint64(value)))
        return at < len(self._sorted) and int(self._sorted[at]) == value

    def __len__(self) -> int:
        self._merge()
        return len(self._sorted)

    def _merge(self) -> None:
        """Fold the recent hashes into the sorted array: one new array (np.insert),
        where np.union1d would hold three or four copies at once."""
        if self._recent:
            fresh = np.fromiter(self._recent, dtype=np.uint64, count=len(self._recent))
            fresh.sort()
            at = np.searchsorted(self._sorted, fresh)
            known = at < len(self._sorted)
            known[known] = self._sorted[at[known]] == fresh[known]
            self._sorted = np.insert(self._sorted, at[~known], fresh[~known])
            self._recent.clear()
