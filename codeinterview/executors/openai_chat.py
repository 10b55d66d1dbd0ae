"""Any OpenAI-compatible server through the `openai` package.

Works with OpenAI itself and with vLLM, llama.cpp / llama-cpp-python servers,
Ollama, LM Studio, TGI. Message prompts go to /chat/completions, text prompts
to /completions.

Parameter mapping (canonical -> request body):
  temperature, top_p, max_tokens, seed, stop, presence_penalty,
  frequency_penalty      sent as the OpenAI fields of the same name, except
                         that max_tokens goes as max_completion_tokens to
                         api.openai.com (its reasoning models refuse max_tokens;
                         compatible servers mostly read only max_tokens)
  top_k, min_p, repetition_penalty
                         not OpenAI fields: sent as extra body fields of the
                         same name, which vLLM, llama.cpp's llama-server and
                         llama-cpp-python's server accept (OpenAI itself
                         rejects them; leave them out of the set for OpenAI)
  typical_p, repeat_last_n, mirostat, mirostat_tau, mirostat_eta
                         llama.cpp samplers: extra body fields of the same
                         name, which llama.cpp's llama-server reads (other
                         servers ignore or reject them; use them with llama-server)
`params_sent` is exactly the body fields sent besides model and prompt.

Connection: the API key is read from OPENAI_API_KEY (or the variable named by
--api-key-env), the URL from --base-url or OPENAI_BASE_URL. A local server
needs no key; a placeholder is sent. Retries are ours (see retry.py), the
client's own are disabled so Answer.retries counts every one.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from ..errors import UserError
from . import EXECUTORS
from .retry import refused_answer, timed_call_with_retries
from .base import NOT_A_FLAG, Answer, Executor, Request

if TYPE_CHECKING:
    from openai.types import Completion
    from openai.types.chat import ChatCompletion, ChatCompletionMessageParam

NATIVE = ("temperature", "top_p", "max_tokens", "seed", "stop", "presence_penalty", "frequency_penalty")
EXTRA_BODY = ("top_k", "min_p", "repetition_penalty",
              "typical_p", "repeat_last_n", "mirostat", "mirostat_tau", "mirostat_eta")
PLACEHOLDER_KEY = "not-needed"   # local servers ignore the key but the client requires one


@dataclass(frozen=True)
class OpenAIOptions:
    base_url: str | None = None      # None: $OPENAI_BASE_URL, else api.openai.com
    api_key_env: str | None = None   # None: OPENAI_API_KEY (and none needed with --base-url)
    timeout: float = 600.0           # seconds per request
    max_retries: int = 5             # on 429/5xx/timeouts
    backoff_s: float = field(default=1.0, metadata=NOT_A_FLAG)  # the first retry's wait


class OpenAIExecutor(Executor):
    name = "openai"
    supported_params = frozenset(NATIVE + EXTRA_BODY)
    Options = OpenAIOptions
    options: OpenAIOptions

    def __init__(self, model=None, params=None, concurrency=1, lenient=False, **options: Any):
        super().__init__(model, params, concurrency, lenient, **options)
        with EXECUTORS.requires(self.name):
            import openai

        base_url, api_key_env = self.options.base_url, self.options.api_key_env
        self.base_url = base_url or os.environ.get("OPENAI_BASE_URL") or None
        key_var = api_key_env or "OPENAI_API_KEY"
        api_key = os.environ.get(key_var)
        if not api_key:
            if api_key_env:
                raise UserError(f"--api-key-env {api_key_env}: environment variable is not set")
            if not self.base_url:
                raise UserError("executor 'openai' needs OPENAI_API_KEY, or --base-url for a local server")
            api_key = PLACEHOLDER_KEY
        self.timeout = float(self.options.timeout)
        self.max_retries = int(self.options.max_retries)
        self.backoff_s = self.options.backoff_s
        self.client = openai.OpenAI(api_key=api_key, base_url=self.base_url,
                                    timeout=self.timeout, max_retries=0)
        self.native = {k: v for k, v in self.params.items() if k in NATIVE}
        if "max_tokens" in self.native and "api.openai.com" in str(self.client.base_url):
            self.native["max_completion_tokens"] = self.native.pop("max_tokens")
        self.extra_body = {k: v for k, v in self.params.items() if k in EXTRA_BODY}

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "base_url": self.base_url or "https://api.openai.com/v1"}

    def ask(self, request: Request) -> Answer:
        kwargs: dict[str, Any] = {"model": self.model, **self.native}
        if self.extra_body:
            kwargs["extra_body"] = self.extra_body

        def create() -> ChatCompletion | Completion:
            if isinstance(request.prompt, str):
                return self.client.completions.create(prompt=request.prompt, **kwargs)
            # our messages are plain {"role", "content"} dicts; openai types them as per-role TypedDicts
            messages = cast("list[ChatCompletionMessageParam]", request.prompt)
            return self.client.chat.completions.create(messages=messages, **kwargs)

        try:
            response, retries, latency = timed_call_with_retries(create, self.max_retries, self.backoff_s)
        except Exception as exc:
            return refused_answer(exc, f"openai server at {self.base_url or 'api.openai.com'} "
                                       f"(model '{self.model}')",
                                  request.key, {**self.native, **self.extra_body})
        return self._answer(request, response, retries, latency)

    def _answer(self, request: Request, response, retries: int, latency: float) -> Answer:
        if not response.choices:
            raise RuntimeError(f"server returned no choices for {request.key}")
        choice = response.choices[0]
        reasoning = None
        if request.is_chat:
            message = choice.message
            text = message.content or ""
            # not an OpenAI field: vLLM / llama.cpp / DeepSeek send one of these
            for name in ("reasoning_content", "reasoning"):
                value = getattr(message, name, None)
                if isinstance(value, str) and value:
                    reasoning = value
                    break
        else:
            text = choice.text or ""
        usage = response.usage
        return Answer(
            key=request.key, text=text, finish_reason=choice.finish_reason,
            prompt_tokens=getattr(usage, "prompt_tokens", None),
            completion_tokens=getattr(usage, "completion_tokens", None),
            latency_s=latency, reasoning=reasoning, retries=retries,
            params_sent={**self.native, **self.extra_body})

    def close(self) -> None:
        self.client.close()
