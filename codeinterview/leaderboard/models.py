"""Model metadata (models.yaml): what the leaderboard shows beside a model.

    models:
      - id: qwen2.5-coder-7b-instruct-q4_k_m     # the model as records name it, or a glob (qwen2.5-coder-7b-*)
        alias: Qwen2.5 Coder 7B Instruct          # shown instead of the id
        size: 7B
        quantisation: Q4_K_M
        licence: apache-2.0
        url: https://huggingface.co/Qwen/Qwen2.5-Coder-7B-Instruct-GGUF
        tags: [instruct, qwen]

Only `id` is required. A record's model matches the first entry whose id
equals it, then the first whose id is a glob matching it, then the first whose
alias equals it. This module parses what YAML gave; reading the file is the
report's.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from fnmatch import fnmatchcase
from typing import Any

from ..errors import UserError

FIELDS = ("alias", "size", "quantisation", "licence", "url")


@dataclass(frozen=True, slots=True)
class ModelInfo:
    id: str
    alias: str | None = None
    size: str | None = None
    quantisation: str | None = None
    licence: str | None = None
    url: str | None = None
    tags: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return self.alias or self.id


class Catalog:
    """The entries of one models.yaml, and the lookup of a record's model."""

    def __init__(self, entries: list[ModelInfo], source: str = "models.yaml") -> None:
        self.entries, self.source = entries, source

    def find(self, model: str) -> ModelInfo | None:
        for matches in (lambda e: e.id == model, lambda e: fnmatchcase(model, e.id),
                        lambda e: e.alias == model):
            hit = next((e for e in self.entries if matches(e)), None)
            if hit is not None:
                return hit
        return None


def _text(value: Any, where: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return str(value)
    raise UserError(f"{where}: expected a text or a number, got {type(value).__name__}")


def parse(data: Any, source: str) -> Catalog:
    """A models.yaml's content -> Catalog; UserError naming the file, entry and field otherwise."""
    entries = data.get("models") if isinstance(data, dict) else data
    if not isinstance(entries, list):
        raise UserError(f"{source}: expected 'models:' with a list of entries (each with an 'id'); "
                        "see codeinterview/leaderboard/models.py")
    known = {f.name for f in fields(ModelInfo)}
    out = []
    for i, entry in enumerate(entries, start=1):
        where = f"{source}: entry {i}"
        if not isinstance(entry, dict):
            raise UserError(f"{where}: expected a mapping with an 'id', got {type(entry).__name__}")
        unknown = sorted(set(entry) - known)
        if unknown:
            raise UserError(f"{where}: unknown field(s) {', '.join(map(str, unknown))}; "
                            f"known: {', '.join(sorted(known))}")
        model_id = _text(entry.get("id"), f"{where}, field 'id'")
        if not model_id:
            raise UserError(f"{where}: 'id' is missing (the model as the eval records name it)")
        tags = entry.get("tags") or []
        if isinstance(tags, str):
            tags = [tags]
        if not isinstance(tags, list):
            raise UserError(f"{where}, field 'tags': expected a list of words")
        texts = {f: _text(entry.get(f), f"{where}, field '{f}'") for f in FIELDS}
        out.append(ModelInfo(model_id, **texts, tags=tuple(str(t) for t in tags)))
    return Catalog(out, source)
