"""can-ai-code's records read as ours.

Its eval and interview records carry no template, parameter set or suite
(older ones no model), only its file names do:
eval_<interview>_<languages>_<template>_<templateout>_<params>_<model>_<timestamp>.ndjson.
The stages and the report fill what a record lacks from that name, so one
model's prompts and settings stay apart (in the leaderboard and in the run ids
derived for such records), and read its upper-case statuses as our words.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterator

from .io import read_records
from .schema import STATUS_WORDS


def name_fields(path: Path) -> dict[str, str]:
    """What a can-ai-code eval file's name says of its run: its records carry
    no template, parameter set or suite (and old ones no model), only its name
    eval_<interview>_<languages>_<template>_<templateout>_<params>_<model>_<timestamp>.ndjson
    does. {} for any other name."""
    stem = re.sub(r"(\.ndjson|\.jsonl|\.json)?(\.gz)?$", "", path.name)
    parts = stem.split("_")
    if len(parts) < 8 or parts[0] != "eval" or not parts[-1].isdigit():
        return {}
    template, output_template = parts[3], parts[4]  # an output template rewrote the answers
    return {"suite": parts[1], "params_name": parts[5], "model": "_".join(parts[6:-1]),
            "template": template if output_template == "none" else f"{template}+{output_template}"}


def read_as_ours(path: Path, accept: tuple[str, ...]) -> Iterator[dict]:
    """The records of a file, each read as ours (the one way the report and
    --compare read eval files)."""
    from_name = name_fields(path)
    for record in read_records(path, accept=accept):
        yield as_ours(record, from_name)


def as_ours(record: dict, from_name: dict[str, str]) -> dict:
    """A can-ai-code record read as ours: run fields it lacks from its file's
    name (so one model's prompts are not pooled), its upper-case status
    ("PASS", "NO_CODE") as our word."""
    fixed = {key: value for key, value in from_name.items() if not record.get(key)}
    status = record.get("status")
    if isinstance(status, str) and status not in STATUS_WORDS and status.lower() in STATUS_WORDS:
        fixed["status"] = status.lower()
    return {**record, **fixed} if fixed else record
