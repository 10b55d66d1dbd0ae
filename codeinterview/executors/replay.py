"""The replay executor: answers from an earlier interview or eval file.

For re-grading old answers with a newer grader, mixing runs, and tests. An
answer is matched by record key (suite/name/language/sample), falling back to
name/language/sample and then name/language, so files written by can-ai-code
(which carry no suite or sample) replay too.
"""

from __future__ import annotations

from typing import Any

from ..errors import UserError
from ..params import CANONICAL
from ..records import read_records, record_key
from .base import Answer, Executor, Request

CARRIED = ("finish_reason", "latency_s", "reasoning", "params_sent")


class ReplayExecutor(Executor):
    name = "replay"
    supported_params = frozenset(CANONICAL)
    needs_model = False

    def __init__(self, model: str | None = None, replay: list[str] | str | None = None, **kwargs: Any):
        super().__init__(model=model, **kwargs)
        paths = [replay] if isinstance(replay, str) else list(replay or [])
        if not paths:
            raise UserError("executor 'replay' needs --replay FILE (an interview or eval file)")
        self.by_key: dict[tuple, dict[str, Any]] = {}
        for path in paths:
            for record in read_records(path, accept=("interview", "eval")):
                for key in self._keys(record):
                    self.by_key.setdefault(key, record)
        self.sources = paths

    @staticmethod
    def _keys(record: dict[str, Any]) -> list[tuple]:
        name, language, sample = record.get("name"), record.get("language"), record.get("sample", 0)
        return [("key", record_key(record)), ("nls", name, language, sample), ("nl", name, language)]

    def ask(self, request: Request) -> Answer:
        for key in self._keys({**request.record, "sample": request.sample}):
            source = self.by_key.get(key)
            if source is not None:
                break
        else:
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
