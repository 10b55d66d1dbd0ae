"""Any LangChain chat model, chosen as "provider:model" (init_chat_model).

Parameter mapping (canonical -> chat model constructor argument), by provider:
  every provider  temperature, max_tokens (LangChain's standard parameters);
                  stop is passed to invoke(), which every chat model accepts
  openai          also top_p, seed, presence_penalty, frequency_penalty;
                  top_k, min_p, repetition_penalty via extra_body, for
                  OpenAI-compatible servers (vLLM, llama.cpp) as in the openai executor.
                  ChatOpenAI sends max_tokens as max_completion_tokens, which
                  llama.cpp servers ignore; with --base-url it goes in extra_body
                  as max_tokens instead (what every compatible server reads)
  anthropic       also top_p, top_k
Anything else is refused. `params_sent` holds the arguments exactly as given
to LangChain (extra_body nested, stop included).

Options (LangChainOptions): --base-url, --api-key-env (the key is passed as
api_key), --timeout, --max-retries; the provider's own retries are turned off
and ours used (Answer.retries).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from ..errors import UserError
from . import EXECUTORS
from .retry import refused_answer, timed_call_with_retries
from .base import NOT_A_FLAG, Answer, Executor, Request

STANDARD = {"temperature": "temperature", "max_tokens": "max_tokens", "stop": "stop"}
PROVIDER_PARAMS: dict[str, dict[str, str]] = {
    "openai": {"top_p": "top_p", "seed": "seed", "presence_penalty": "presence_penalty",
               "frequency_penalty": "frequency_penalty",
               "top_k": "extra_body", "min_p": "extra_body", "repetition_penalty": "extra_body"},
    "anthropic": {"top_p": "top_p", "top_k": "top_k"},
}


@dataclass(frozen=True)
class LangChainOptions:
    base_url: str | None = None      # the provider's server (an OpenAI-compatible one for openai:)
    api_key_env: str | None = None   # None: the provider's own variable
    timeout: float | None = None     # seconds per request; None: the provider's default
    max_retries: int = 5             # on 429/5xx/timeouts
    backoff_s: float = field(default=1.0, metadata=NOT_A_FLAG)  # the first retry's wait


class LangChainExecutor(Executor):
    name = "langchain"
    supported_params = frozenset(STANDARD) | frozenset().union(*PROVIDER_PARAMS.values())
    Options = LangChainOptions
    options: LangChainOptions

    def __init__(self, model=None, params=None, concurrency=1, lenient=False, **options: Any):
        if not model or ":" not in model:
            raise UserError(f"executor 'langchain' needs --model provider:model (e.g. openai:gpt-4o-mini), "
                            f"got {model!r}")
        self.provider = model.split(":", 1)[0]
        self.mapping = {**STANDARD, **PROVIDER_PARAMS.get(self.provider, {})}
        # instance attribute: what this provider can honour, checked by the base class
        self.supported_params = frozenset(self.mapping)
        super().__init__(model, params, concurrency, lenient, **options)
        base_url, api_key_env, timeout = self.options.base_url, self.options.api_key_env, self.options.timeout
        with EXECUTORS.requires(self.name):
            from langchain.chat_models import init_chat_model

        kwargs: dict[str, Any] = {}
        for key, value in self.params.items():
            target = self.mapping[key]
            if key == "max_tokens" and self.provider == "openai" and base_url:
                target = "extra_body"
            if target == "extra_body":
                kwargs.setdefault("extra_body", {})[key] = value
            elif target != "stop":
                kwargs[target] = value
        self.stop = self.params.get("stop")
        self.params_sent = {**kwargs, **({"stop": self.stop} if self.stop else {})}

        self.base_url = base_url
        connection: dict[str, Any] = {"max_retries": 0}
        if base_url:
            connection["base_url"] = base_url
        if api_key_env:
            if not os.environ.get(api_key_env):
                raise UserError(f"--api-key-env {api_key_env}: environment variable is not set")
            connection["api_key"] = os.environ[api_key_env]
        elif self.provider == "openai" and base_url and not os.environ.get("OPENAI_API_KEY"):
            connection["api_key"] = "not-needed"   # local OpenAI-compatible server
        if timeout is not None:
            connection["timeout"] = float(timeout)
        self.max_retries = int(self.options.max_retries)
        self.backoff_s = self.options.backoff_s
        try:
            self.chat_model = init_chat_model(model, **kwargs, **connection)
        except ImportError as exc:
            raise UserError(f"langchain provider '{self.provider}' needs its integration package: {exc}") from exc
        except ValueError as exc:
            raise UserError(f"langchain cannot make a chat model from '{model}': {exc}") from exc

    def describe(self) -> dict[str, Any]:
        described = super().describe()
        if self.base_url:
            described["base_url"] = self.base_url
        return described

    def ask(self, request: Request) -> Answer:
        messages = request.prompt if request.is_chat else [{"role": "user", "content": request.prompt}]
        try:
            message, retries, latency = timed_call_with_retries(
                lambda: self.chat_model.invoke(messages, stop=self.stop), self.max_retries, self.backoff_s)
        except Exception as exc:
            return refused_answer(exc, f"langchain model '{self.model}'", request.key, self.params_sent)
        usage = getattr(message, "usage_metadata", None) or {}
        meta = getattr(message, "response_metadata", None) or {}
        return Answer(
            key=request.key, text=_text(message.content),
            finish_reason=meta.get("finish_reason") or meta.get("stop_reason") or meta.get("done_reason"),
            prompt_tokens=usage.get("input_tokens"), completion_tokens=usage.get("output_tokens"),
            latency_s=latency, reasoning=_reasoning(message), retries=retries,
            params_sent=self.params_sent)


def _text(content) -> str:
    """Message content is a string or a list of blocks; keep the text blocks."""
    if isinstance(content, str):
        return content
    return "".join(b if isinstance(b, str) else b.get("text", "") for b in content
                   if isinstance(b, str) or b.get("type") == "text")


def _reasoning(message) -> str | None:
    extra = getattr(message, "additional_kwargs", None) or {}
    if extra.get("reasoning_content"):
        return extra["reasoning_content"]
    content = message.content
    if isinstance(content, list):  # Anthropic "thinking" / standard "reasoning" blocks
        parts = [b.get("thinking") or b.get("reasoning") or "" for b in content
                 if isinstance(b, dict) and b.get("type") in ("thinking", "reasoning")]
        return "".join(parts) or None
    return None
