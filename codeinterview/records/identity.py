"""Run identity: which run a record belongs to, so records of different runs
are never mistaken for each other.

A stage's *config* is what makes its records comparable: for prepare the
template, languages and suite hashes; for interview the executor, the full
model id, the parameter set and its values (and a feedback loop's policy and
grader); for evaluate the grading config and sandbox image. Its fingerprint
is the first part of each record's `run` id; the second part is a short hash
of the run the input record came from (the interview run an answer belongs
to, say), so one file may hold several runs (several models' answers graded
in one go) and the record key, run plus slot, never confuses them.

    run  = "<config fingerprint>.<upstream run hash>"   (prepare: no upstream part)
    runs = {"prepare": ..., "interview": ..., "eval": ...}   the whole lineage

Records written before run ids existed (older versions, can-ai-code) get one
derived from the provenance fields they carry.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from ..errors import UserError

FINGERPRINT_CHARS = 8
STAGE_ORDER = ("prepare", "interview", "eval")
# What older records carry that tells their runs apart.
LEGACY_IDENTITY = {
    "prepare": ("suite", "suite_hash", "template"),
    "interview": ("executor", "model", "params_name", "params", "feedback"),
    "eval": ("grading",),
}


def fingerprint(value: Any, chars: int = FINGERPRINT_CHARS) -> str:
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:chars]


def _normal(value: Any) -> Any:
    """As it reads back from a record (tuples become lists, keys strings)."""
    return json.loads(json.dumps(value, default=str))


def lineage(record: dict[str, Any]) -> dict[str, str]:
    """The record's run per stage, earlier stages included; derived from its
    provenance fields when it predates run ids."""
    runs = record.get("runs")
    if isinstance(runs, dict) and all(isinstance(v, str) for v in runs.values()):
        return dict(runs)
    derived = {}
    for stage in STAGE_ORDER:
        present = {k: record[k] for k in LEGACY_IDENTITY[stage] if k in record}
        if present:
            derived[stage] = "legacy-" + fingerprint(present)
    return derived


def upstream_run(record: dict[str, Any], stage: str) -> str:
    """The run of the last stage before `stage` that the record went through."""
    runs = lineage(record)
    before = STAGE_ORDER[:STAGE_ORDER.index(stage)]
    return next((runs[s] for s in reversed(before) if s in runs), "")


def record_run(record: dict[str, Any]) -> str:
    """The run a record belongs to (its own stage's)."""
    if isinstance(record.get("run"), str):
        return record["run"]
    runs = lineage(record)
    return runs[max(runs, key=STAGE_ORDER.index)] if runs else ""


@dataclass(frozen=True)
class RunIdentity:
    """One stage's config; `config` maps record field -> value, the fields the
    stage writes into every record (so a differing record can say what differs)."""

    stage: str
    config: dict[str, Any]

    @property
    def fingerprint(self) -> str:
        return fingerprint([self.stage, _normal(self.config)])

    def run_of(self, record: dict[str, Any]) -> str:
        """The run id this stage gives a record made from the input `record`."""
        upstream = upstream_run(record, self.stage)
        return f"{self.fingerprint}.{fingerprint(upstream, 6)}" if upstream else self.fingerprint

    def stamp(self, record: dict[str, Any], upstream: dict[str, Any]) -> dict[str, Any]:
        """`record` with this run's id and lineage set (from its `upstream` input record)."""
        runs = {s: r for s, r in lineage(upstream).items()
                if STAGE_ORDER.index(s) < STAGE_ORDER.index(self.stage)}
        run = self.run_of(upstream)
        return {**record, "run": run, "runs": {**runs, self.stage: run}}

    def owns(self, record: dict[str, Any]) -> bool:
        return record_run(record).split(".")[0] == self.fingerprint

    def refuse_foreign(self, record: dict[str, Any], where: str) -> None:
        """A UserError when an existing output record belongs to another run."""
        if self.owns(record):
            return
        differs = self.differences(record)
        raise UserError(
            f"{where}: this file holds another run's records (run {record_run(record) or 'unknown'}; "
            f"this run is {self.fingerprint}): {differs or 'it was written by an older version'}; "
            "pass --output NEW.ndjson to write this run elsewhere (or remove the file to start over)")

    def differences(self, record: dict[str, Any]) -> str:
        mine = _flatten(_normal({k: v for k, v in self.config.items() if k in record}))
        theirs = _flatten({k: record[k] for k in self.config if k in record})
        changed = [f"{path} {_show(theirs.get(path))} -> {_show(mine.get(path))}"
                   for path in sorted(set(mine) | set(theirs)) if mine.get(path) != theirs.get(path)]
        return "; ".join(changed) or "its input (suites, template or earlier run) differs"


def _flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """{"a": {"b": 1}} -> {"a.b": 1}: a difference is named by its full path."""
    if not isinstance(value, dict) or not value:
        return {prefix: value}
    flat: dict[str, Any] = {}
    for key, inner in value.items():
        flat.update(_flatten(inner, f"{prefix}.{key}" if prefix else str(key)))
    return flat


def _show(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, default=str)
    return text if len(text) <= 60 else text[:57] + "..."
