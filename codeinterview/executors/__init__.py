"""Executor registry: backends by name, imported only when used.

Each entry maps the --executor name to "module:Class" and the pip extra that
provides its optional dependencies. Importing codeinterview never imports a
backend; `get_executor` imports one and turns a missing package into an
install hint.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from ..errors import UserError
from .base import Answer, Executor, Request


@dataclass(frozen=True)
class Backend:
    target: str            # "module:Class", relative to this package
    extra: str | None      # pip extra with its dependencies, if any
    summary: str


REGISTRY: dict[str, Backend] = {
    "reference": Backend(".reference:ReferenceExecutor", None,
                         "answers with the question's reference solution (self-test, demo)"),
    "replay": Backend(".replay:ReplayExecutor", None,
                      "answers from an earlier interview or eval file (--replay FILE)"),
    "openai": Backend(".openai_chat:OpenAIExecutor", "openai",
                      "any OpenAI-compatible server (OpenAI, vLLM, Ollama, llama.cpp, LM Studio, TGI)"),
    "langchain": Backend(".langchain_chat:LangChainExecutor", "langchain",
                         "any LangChain chat model, e.g. openai:gpt-4o-mini"),
    "transformers": Backend(".hf_transformers:TransformersExecutor", "transformers",
                            "a local Hugging Face model directory or id"),
    "llamacpp": Backend(".llamacpp:LlamaCppExecutor", "llamacpp",
                        "a local GGUF file through llama-cpp-python, in-process"),
    "feedback": Backend(".feedback:FeedbackExecutor", None,
                        "wraps another executor and feeds sandbox errors back (--inner)"),
}


def get_executor_class(name: str) -> type[Executor]:
    backend = REGISTRY.get(name)
    if backend is None:
        raise UserError(f"unknown executor '{name}'; choose one of: {', '.join(REGISTRY)}")
    module_name, class_name = backend.target.split(":")
    try:
        module = importlib.import_module(module_name, __name__)
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.startswith(__name__):
            raise UserError(f"executor '{name}' is not available in this version") from exc
        hint = f'pip install -e ".[{backend.extra}]"' if backend.extra else "reinstall codeinterview"
        raise UserError(f"executor '{name}' needs the Python package '{exc.name}': {hint}") from exc
    return getattr(module, class_name)


__all__ = ["Answer", "Executor", "Request", "REGISTRY", "get_executor_class"]
