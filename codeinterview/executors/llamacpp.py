"""A local GGUF model through llama-cpp-python, in-process.

Message prompts use create_chat_completion (the chat template stored in the
GGUF), text prompts create_completion. One Llama object is not thread-safe,
so calls are serialized behind a lock and concurrency is forced to 1 (a
bigger --concurrency would only queue on the lock).

Parameter mapping (canonical -> llama-cpp-python argument): temperature,
top_p, top_k, min_p, max_tokens, seed, stop, presence_penalty,
frequency_penalty by the same name; repetition_penalty -> repeat_penalty.
temperature 0 is greedy decoding. Parameters left out of the set keep
llama-cpp-python's defaults, except max_tokens: its completion default of 16
tokens would truncate code, so an absent max_tokens is sent as None
("until the context is full"), and params_sent says so.

Options (LlamaCppOptions, with their defaults): --context-size (n_ctx),
--gpu-layers (n_gpu_layers; -1 = all layers when the build has a GPU backend,
ignored otherwise).
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from ..errors import UserError
from . import EXECUTORS
from .base import Answer, Executor, Request

if TYPE_CHECKING:
    from llama_cpp import Llama
    from llama_cpp.llama_types import (
        ChatCompletionRequestMessage,
        CreateChatCompletionResponse,
        CreateCompletionResponse,
    )

RENAME = {"repetition_penalty": "repeat_penalty"}


@dataclass(frozen=True)
class LlamaCppOptions:
    context_size: int = 4096   # n_ctx
    gpu_layers: int = -1       # n_gpu_layers; -1: all, when the build has a GPU backend


class LlamaCppExecutor(Executor):
    name = "llamacpp"
    supported_params = frozenset({"temperature", "top_p", "top_k", "min_p", "max_tokens", "seed", "stop",
                                  "presence_penalty", "frequency_penalty", "repetition_penalty"})

    Options = LlamaCppOptions
    options: LlamaCppOptions

    def __init__(self, model=None, params=None, concurrency=1, lenient=False, **options: Any):
        super().__init__(model, params, concurrency, lenient, **options)
        if self.concurrency > 1:
            logging.getLogger(__name__).warning(
                "executor 'llamacpp' runs one request at a time; ignoring --concurrency %d", self.concurrency)
            self.concurrency = 1
        with EXECUTORS.requires(self.name):
            from llama_cpp import Llama

        assert self.model is not None  # needs_model: Executor.__init__ refused a missing --model
        path = Path(self.model).expanduser()
        if not path.is_file():
            raise UserError(f"executor 'llamacpp' needs --model pointing at a .gguf file; {path} does not exist")
        self.context_size = int(self.options.context_size)
        self.gpu_layers = int(self.options.gpu_layers)
        try:
            self.llm: Llama | None = Llama(model_path=str(path), n_ctx=self.context_size, n_gpu_layers=self.gpu_layers,
                             verbose=False)
        except ValueError as exc:  # llama-cpp-python reports a bad file as ValueError
            raise UserError(f"llama.cpp could not load {path}: {exc}") from exc
        self.lock = threading.Lock()
        self.kwargs = {RENAME.get(k, k): v for k, v in self.params.items()}
        self.kwargs.setdefault("max_tokens", None)

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "context_size": self.context_size, "gpu_layers": self.gpu_layers}

    def ask(self, request: Request) -> Answer:
        if self.llm is None:
            raise RuntimeError("executor 'llamacpp' is closed")
        # not streamed (no stream in kwargs), so each call returns one response, not an iterator
        with self.lock:
            start = time.monotonic()
            if isinstance(request.prompt, str):
                completion = cast("CreateCompletionResponse",
                                  self.llm.create_completion(prompt=request.prompt, **self.kwargs))
            else:
                messages = cast("list[ChatCompletionRequestMessage]", request.prompt)
                chat = cast("CreateChatCompletionResponse",
                            self.llm.create_chat_completion(messages=messages, **self.kwargs))
            latency = round(time.monotonic() - start, 4)
        text: str | None
        finish_reason: str | None
        if isinstance(request.prompt, str):
            text, finish_reason = completion["choices"][0]["text"], completion["choices"][0]["finish_reason"]
            usage = completion.get("usage")
        else:
            text, finish_reason = chat["choices"][0]["message"]["content"], chat["choices"][0]["finish_reason"]
            usage = chat.get("usage")
        return Answer(key=request.key, text=text or "", finish_reason=finish_reason,
                      prompt_tokens=usage.get("prompt_tokens") if usage else None,
                      completion_tokens=usage.get("completion_tokens") if usage else None,
                      latency_s=latency, params_sent=dict(self.kwargs))

    def close(self) -> None:
        llm = getattr(self, "llm", None)
        if llm is not None:
            llm.close()
            self.llm = None
