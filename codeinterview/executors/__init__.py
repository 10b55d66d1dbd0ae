"""Executor registry: backends by name (--executor), imported only when used.

Each entry maps the name to "module:Class" and the pip extra that provides
its optional dependencies. Importing codeinterview never imports a backend;
`EXECUTORS.get(name)` imports its module, and a backend imports its SDK
inside `with EXECUTORS.requires(self.name):`, so a missing package is one
line saying which `pip install 'codeinterview[EXTRA]'` brings it (exit 2).
Each backend declares the options it takes as a dataclass (`Executor.Options`).
"""

from __future__ import annotations

from ..registry import Registry
from .base import Answer, Executor, NoOptions, Request

EXECUTORS: Registry[type[Executor]] = Registry("executor", __name__, flag="--executor")
EXECUTORS.add("reference", ".reference:ReferenceExecutor",
              summary="answers with the question's reference solution (self-test, demo)")
EXECUTORS.add("replay", ".replay:ReplayExecutor",
              summary="answers from an earlier interview or eval file (--replay FILE)")
EXECUTORS.add("openai", ".openai_chat:OpenAIExecutor", extra="openai",
              summary="any OpenAI-compatible server (OpenAI, vLLM, Ollama, llama.cpp, LM Studio, TGI)")
EXECUTORS.add("langchain", ".langchain_chat:LangChainExecutor", extra="langchain",
              summary="any LangChain chat model, e.g. openai:gpt-4o-mini")
EXECUTORS.add("transformers", ".hf_transformers:TransformersExecutor", extra="transformers",
              summary="a local Hugging Face model directory or id")
EXECUTORS.add("llamacpp", ".llamacpp:LlamaCppExecutor", extra="llamacpp",
              summary="a local GGUF file through llama-cpp-python, in-process")
EXECUTORS.add("feedback", ".feedback:FeedbackExecutor",
              summary="wraps another executor and feeds sandbox errors back (--inner)")

__all__ = ["Answer", "EXECUTORS", "Executor", "NoOptions", "Request"]
