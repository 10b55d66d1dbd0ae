"""The executor interface every model backend implements.

An executor turns prompts into answers. The interview stage hands it
`Request`s and writes one record per `Answer`; it never needs to know which
backend it talks to. Backends override `ask` (one prompt, one answer) and get
concurrency from `run`; a backend that batches (transformers) overrides `run`.
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass, field, fields
from typing import Any, ClassVar, Iterable, Iterator, Mapping

from ..errors import UserError

# field(metadata=NOT_A_FLAG): an option given in code only, never by an interview.py flag
NOT_A_FLAG = {"flag": False}


def flag_of(option: str) -> str:
    """The interview.py flag of an option: gpu_layers -> --gpu-layers."""
    return "--" + option.replace("_", "-")


@dataclass(frozen=True)
class NoOptions:
    """The options of a backend that takes none."""


@dataclass
class Request:
    """One prompt to answer once.

    `prompt` is either a list of chat messages ({"role", "content"}) or a
    single text prompt (completion-style templates). `record` is the full
    input record, for executors that need more than the prompt (reference,
    replay, feedback).
    """

    key: str
    prompt: list[dict[str, str]] | str
    sample: int = 0
    record: dict[str, Any] = field(default_factory=dict)

    @property
    def is_chat(self) -> bool:
        return not isinstance(self.prompt, str)


@dataclass
class Answer:
    """What a backend returned for one request, and what it reported."""

    key: str
    text: str
    finish_reason: str | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    latency_s: float | None = None
    reasoning: str | None = None
    retries: int = 0
    params_sent: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    def to_fields(self) -> dict[str, Any]:
        """The fields an interview record gains from this answer."""
        fields = {
            "answer": self.text,
            "finish_reason": self.finish_reason,
            "usage": {"prompt_tokens": self.prompt_tokens,
                      "completion_tokens": self.completion_tokens},
            "latency_s": self.latency_s,
            "reasoning": self.reasoning,
            "retries": self.retries,
            "params_sent": self.params_sent,
        }
        fields.update(self.extra)
        return fields


class Executor(ABC):
    """Base class for backends.

    Class attributes a backend sets:
      name              the registry name (--executor)
      supported_params  canonical parameter names it can honour; any other
                        key in the chosen parameter set is refused (or, with
                        lenient=True, dropped with a warning and recorded)
      needs_model       whether --model is required
      grades_answers    whether it grades answers itself (feedback): interview.py
                        then hands it the grading config as `grading`
      Options           a dataclass of the options it takes, each field an
                        interview.py flag of the same name (gpu_layers:
                        --gpu-layers) unless its metadata is NOT_A_FLAG; the
                        field's default is the option's one default. The
                        constructor takes them as keywords; `self.options`
                        holds them. Any other option is a UserError.
    """

    name = "base"
    supported_params: frozenset[str] = frozenset()
    needs_model = True
    grades_answers = False
    Options: ClassVar[type] = NoOptions
    options: Any

    def __init__(self, model: str | None = None, params: dict[str, Any] | None = None,
                 concurrency: int = 1, lenient: bool = False, **options: Any):
        if self.needs_model and not model:
            raise UserError(f"executor '{self.name}' needs --model")
        if int(concurrency) < 1:
            raise UserError(f"--concurrency {concurrency}: must be at least 1")
        self.model = model
        self.concurrency = int(concurrency)
        self.options = self.make_options(options)
        self.params, self.dropped_params = self.check_params(params or {}, lenient)

    @classmethod
    def option_names(cls, given: Mapping[str, Any], *, flags_only: bool = False) -> list[str]:
        """The options it takes, given these (a wrapper takes those of what it wraps too);
        with flags_only, those an interview.py flag sets."""
        return [f.name for f in fields(cls.Options) if not flags_only or f.metadata.get("flag", True)]

    @classmethod
    def check_options(cls, given: Mapping[str, Any]) -> None:
        """Refuse an option this backend does not take, naming the ones it does."""
        takes = cls.option_names(given)
        unknown = [name for name in given if name not in takes]
        if unknown:
            listing = ", ".join(flag_of(name) for name in cls.option_names(given, flags_only=True))
            raise UserError(f"{', '.join(flag_of(name) for name in unknown)}: executor '{cls.name}' does not "
                            f"take {'this option' if len(unknown) == 1 else 'these options'}; its options: "
                            f"{listing or 'none'}")

    @classmethod
    def make_options(cls, given: Mapping[str, Any]) -> Any:
        """Its Options from the given ones (checked); a wrapper's own only."""
        cls.check_options(given)
        own = {f.name for f in fields(cls.Options)}
        return cls.Options(**{k: v for k, v in given.items() if k in own})

    def check_params(self, params: dict[str, Any], lenient: bool) -> tuple[dict, list[str]]:
        """Refuse (or, leniently, drop and report) parameters we cannot honour."""
        unsupported = sorted(k for k in params if k not in self.supported_params)
        if unsupported and not lenient:
            raise UserError(
                f"executor '{self.name}' cannot honour parameter(s) {', '.join(unsupported)}; "
                f"remove them from the parameter set or pass --lenient-params to drop them "
                f"with a warning (supported: {', '.join(sorted(self.supported_params)) or 'none'})")
        if unsupported:
            import logging
            logging.getLogger(__name__).warning(
                "executor '%s' drops unsupported parameter(s): %s", self.name, ", ".join(unsupported))
        kept = {k: v for k, v in params.items() if k not in unsupported}
        return kept, unsupported

    def describe(self) -> dict[str, Any]:
        """Provenance written into every record."""
        return {"executor": self.name, "model": self.model or self.name}

    @abstractmethod
    def ask(self, request: Request) -> Answer:
        """Answer one request (blocking). May raise on unrecoverable errors."""

    def run(self, requests: Iterable[Request]) -> Iterator[Answer]:
        """Answer many requests, yielding each answer as soon as it is ready.

        Runs `ask` on up to `concurrency` threads; order of answers is not
        guaranteed. Keeps at most 2x concurrency requests in flight so a huge
        input is not materialised at once.
        """
        requests = iter(requests)
        if self.concurrency == 1:
            for request in requests:
                yield self.ask_timed(request)
            return
        with ThreadPoolExecutor(self.concurrency, thread_name_prefix=self.name) as pool:
            pending = set()
            for request in requests:
                pending.add(pool.submit(self.ask_timed, request))
                if len(pending) >= 2 * self.concurrency:
                    done, pending = wait(pending, return_when=FIRST_COMPLETED)
                    for future in done:
                        yield future.result()
            for future in wait(pending).done:
                yield future.result()

    def ask_timed(self, request: Request) -> Answer:
        """`ask`, with `latency_s` filled in from the wall time of the call when the
        backend did not measure it itself (what `run` and the feedback loop use)."""
        start = time.monotonic()
        answer = self.ask(request)
        if answer.latency_s is None:
            answer.latency_s = round(time.monotonic() - start, 4)
        return answer

    def close(self) -> None:
        """Release resources (servers, models). Safe to call twice."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
