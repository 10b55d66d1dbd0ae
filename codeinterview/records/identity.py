"""Run identity: which run a record belongs to, so records of different runs
are never mistaken for each other.

A stage's *config* is what makes its records comparable: for prepare the
template, languages and suite hashes; for interview the executor, the full
model id, the parameter set and its values (and a feedback loop's policy and
grader); for evaluate the grading config and sandbox image. A run is one
invocation writing one output file:

    run  = "<config fingerprint>.<instance>"

The instance is drawn when the file is created and taken back from the file
on resume, so a resumed run stays one run, and two runs of the same config
(two samplings at temperature 1) stay two. A resume whose config differs is
refused, naming what differs. Each record also keeps its lineage,

    runs = {"prepare": ..., "interview": ..., "eval": ...}

and its key is (run, the upstream run it came from, slot), so one eval file
may grade several models' answers and none is taken for another. Records
written before run ids existed (older versions, can-ai-code) get ids derived
from the provenance fields they carry.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from ..errors import UserError

FINGERPRINT_CHARS = 8
STAGES = ("prepare", "interview", "eval")
# What older records carry that tells their runs apart.
LEGACY_IDENTITY = {
    "prepare": ("suite", "suite_hash", "template"),
    "interview": ("executor", "model", "params_name", "params", "feedback", "runtime"),  # runtime: can-ai-code
    "eval": ("grading",),
}


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
    derived: dict[str, str] = {}
    earlier = ""  # each stage's id covers the stages before it: one model under two templates is two runs
    for stage in STAGES:
        present = {k: record[k] for k in LEGACY_IDENTITY[stage] if k in record}
        if present:
            derived[stage] = earlier = "legacy-" + fingerprint([present, earlier])
    return derived


def upstream_run(record: dict[str, Any], stage: str) -> str:
    """The run of the last stage before `stage` that the record went through."""
    runs = lineage(record)
    before = STAGES[:STAGES.index(stage)]
    return next((runs[s] for s in reversed(before) if s in runs), "")


def record_run(record: dict[str, Any]) -> str:
    """The run a record belongs to (its own stage's)."""
    if isinstance(record.get("run"), str):
        return record["run"]
    runs = lineage(record)
    return runs[max(runs, key=STAGES.index)] if runs else ""


@dataclass
class RunIdentity:
    """One stage's config; `config` maps record field -> value, the fields the
    stage writes into every record (so a differing record can say what differs).
    `instance` is set by the RecordWriter: new, or the resumed file's."""

    stage: str
    config: dict[str, Any]
    instance: str | None = None

    @cached_property
    def fingerprint(self) -> str:  # (the config is not changed after the run starts)
        return fingerprint([self.stage, _normal(self.config)])

    @property
    def id(self) -> str:
        if self.instance is None:
            raise RuntimeError("the run has no instance yet: open its RecordWriter first")
        return f"{self.fingerprint}.{self.instance}"

    def start(self, existing: dict[str, Any] | None = None) -> None:
        """Take the instance of the resumed file's first record, or draw one."""
        if self.instance is None:
            theirs = record_run(existing).split(".") if existing else []
            self.instance = theirs[1] if len(theirs) == 2 else secrets.token_hex(3)

    def key_of(self, upstream: dict[str, Any], slot: str) -> str:
        """The key of the record this run makes from the input record `upstream`."""
        return f"{self.id}|{upstream_run(upstream, self.stage)}|{slot}"

    def stamp(self, record: dict[str, Any], upstream: dict[str, Any]) -> dict[str, Any]:
        """`record` with this run's id and lineage set (from its `upstream` input record)."""
        runs = {s: r for s, r in lineage(upstream).items()
                if STAGES.index(s) < STAGES.index(self.stage)}
        return {**record, "run": self.id, "runs": {**runs, self.stage: self.id}}

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
