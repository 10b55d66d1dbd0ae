"""A local Hugging Face model (directory or hub id) through transformers.

Message prompts are rendered with the tokenizer's chat template, text
prompts are tokenized as they are. Requests are generated in batches of
--batch-size (left padding, so every row's continuation starts at the same
column).

Parameter mapping (canonical -> generate() argument):
  temperature 0       do_sample=False (greedy); temperature > 0 samples
  temperature, top_p, top_k, min_p, repetition_penalty   same names
  max_tokens          max_new_tokens (default 1024 when absent)
  seed                torch.manual_seed(seed) before each batch, so results
                      depend on how requests were batched
  stop                stop_strings (generation halts per row) and the text is
                      cut before the first stop string
presence_penalty and frequency_penalty have no transformers equivalent and
are refused. Parameters absent from the set keep the model's
generation_config. `params_sent` is the generate() arguments we set.

Options (TransformersOptions, with their defaults): --device, --dtype
(float32/float16/bfloat16/auto), --batch-size.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Iterable, Iterator, cast

from ..errors import UserError
from . import EXECUTORS
from .base import Answer, Executor, Request

DEFAULT_MAX_NEW_TOKENS = 1024
DTYPES = ("float32", "float16", "bfloat16", "auto")


@dataclass(frozen=True)
class TransformersOptions:
    device: str | None = None   # None: cuda if available, else mps, else cpu
    dtype: str | None = None    # None: bfloat16 on cuda if supported, else float16 on cuda, float32 elsewhere
    batch_size: int = 8         # prompts per generate() call


class TransformersExecutor(Executor):
    name = "transformers"
    supported_params = frozenset({"temperature", "top_p", "top_k", "min_p", "max_tokens", "seed", "stop",
                                  "repetition_penalty"})

    Options = TransformersOptions
    options: TransformersOptions

    def __init__(self, model=None, params=None, concurrency=1, lenient=False, **options: Any):
        super().__init__(model, params, concurrency, lenient, **options)
        with EXECUTORS.requires(self.name):
            import torch
            from transformers import AutoModelForCausalLM, AutoTokenizer

        self.torch = torch
        self.device = self.options.device or ("cuda" if torch.cuda.is_available()
                                              else "mps" if torch.backends.mps.is_available() else "cpu")
        self.dtype = self.options.dtype or self._default_dtype()
        if self.dtype not in DTYPES:
            raise UserError(f"--dtype {self.dtype}: choose one of {', '.join(DTYPES)}")
        if int(self.options.batch_size) < 1:
            raise UserError(f"--batch-size {self.options.batch_size}: must be at least 1")
        self.batch_size = int(self.options.batch_size)
        assert self.model is not None  # needs_model: Executor.__init__ refused a missing --model
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(self.model)
            torch_dtype = self.dtype if self.dtype == "auto" else getattr(torch, self.dtype)
            lm = AutoModelForCausalLM.from_pretrained(self.model, dtype=torch_dtype)
            # transformers wraps PreTrainedModel.to with @wraps(nn.Module.to), whose type keeps the unbound self
            self.lm = lm.to(self.device).eval()  # type: ignore[arg-type, unused-ignore]
        except OSError as exc:  # missing directory / unknown id / offline without a cache
            raise UserError(f"transformers could not load '{self.model}': {exc}") from exc
        self.tokenizer.padding_side = "left"
        if self.tokenizer.pad_token is None:
            self.tokenizer.pad_token = self.tokenizer.eos_token
        self.generate_kwargs = self._map_params()
        self.seed = self.params.get("seed")
        self.stop = list(self.params.get("stop") or [])
        eos = self.lm.generation_config.eos_token_id
        if eos is None:
            eos = self.tokenizer.eos_token_id
        self.end_ids = set(eos if isinstance(eos, list) else [eos]) - {None}

    def _default_dtype(self) -> str:
        if self.device.startswith("cuda"):
            return "bfloat16" if self.torch.cuda.is_bf16_supported() else "float16"
        return "float32"

    def _map_params(self) -> dict[str, Any]:
        p = self.params
        kwargs: dict[str, Any] = {"max_new_tokens": p.get("max_tokens", DEFAULT_MAX_NEW_TOKENS)}
        if "temperature" in p:
            kwargs["do_sample"] = p["temperature"] > 0
            if p["temperature"] > 0:
                kwargs["temperature"] = p["temperature"]
        for key in ("top_p", "top_k", "min_p", "repetition_penalty"):
            if key in p:
                kwargs[key] = p[key]
        if p.get("stop"):
            kwargs["stop_strings"] = list(p["stop"])
        return kwargs

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "device": self.device, "dtype": self.dtype}

    def ask(self, request: Request) -> Answer:
        return self._generate([request])[0]

    def run(self, requests: Iterable[Request]) -> Iterator[Answer]:
        batch: list[Request] = []
        for request in requests:
            batch.append(request)
            if len(batch) == self.batch_size:
                yield from self._generate(batch)
                batch = []
        if batch:
            yield from self._generate(batch)

    def _render(self, request: Request) -> list[int]:
        if isinstance(request.prompt, str):
            return self.tokenizer(request.prompt)["input_ids"]
        if not self.tokenizer.chat_template:
            raise UserError(f"model '{self.model}' has no chat template; use a completion prompt template")
        text = self.tokenizer.apply_chat_template(request.prompt, add_generation_prompt=True, tokenize=False)
        # the template already holds any BOS token
        return self.tokenizer(text, add_special_tokens=False)["input_ids"]

    def _generate(self, batch: list[Request]) -> list[Answer]:
        torch = self.torch
        encoded = self.tokenizer.pad({"input_ids": [self._render(r) for r in batch]},
                                     padding=True, return_tensors="pt").to(self.lm.device)
        width = encoded["input_ids"].shape[1]
        start = time.monotonic()
        with torch.inference_mode():
            if self.seed is not None:
                torch.manual_seed(self.seed)
            output = self.lm.generate(**encoded, **self.generate_kwargs, tokenizer=self.tokenizer,
                                      pad_token_id=self.tokenizer.pad_token_id)
        latency = round(time.monotonic() - start, 4)
        answers = []
        for i, request in enumerate(batch):
            tokens = output[i, width:].tolist()
            text, finish, count = self._finish(tokens)
            answers.append(Answer(key=request.key, text=text, finish_reason=finish,
                                  prompt_tokens=int(encoded["attention_mask"][i].sum()),
                                  completion_tokens=count, latency_s=latency,
                                  params_sent=dict(self.generate_kwargs, **({"seed": self.seed}
                                                                            if self.seed is not None else {}))))
        return answers

    def _finish(self, tokens: list[int]) -> tuple[str, str, int]:
        """(text, finish reason, completion tokens) of one generated row.

        A row ends at an end-of-sequence token (not counted, as servers do) or,
        when it finished before the rest of the batch, at the padding after it.
        """
        count, ended = len(tokens), False
        for j, tok in enumerate(tokens):
            if tok in self.end_ids or tok == self.tokenizer.pad_token_id:
                count, ended = j, True
                break
        # one row of ids decodes to one str (decode is typed str | list[str] for batches)
        text = cast(str, self.tokenizer.decode(tokens[:count], skip_special_tokens=True))
        cuts = [text.find(s) for s in self.stop if s in text]
        if cuts:
            return text[:min(cuts)], "stop", count
        return text, "stop" if ended else "length", count
