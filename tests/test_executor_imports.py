"""Importing the package or the registry loads no model backend."""

import subprocess
import sys

import pytest

pytestmark = pytest.mark.fast  # no Docker engine, no server, no model

BACKENDS = ("openai", "langchain", "langchain_core", "langchain_openai", "torch", "transformers", "llama_cpp")


def test_registry_import_loads_no_backend():
    code = ("import sys, codeinterview, codeinterview.executors, codeinterview.executors.retry; "
            f"print(sorted(m for m in sys.modules if m.split('.')[0] in {BACKENDS!r}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_each_backend_loads_only_when_asked():
    code = ("import sys; from codeinterview.executors import EXECUTORS; "
            "EXECUTORS.get('openai')('m', {}, base_url='http://127.0.0.1:9/v1'); "
            "print('openai' in sys.modules, 'torch' in sys.modules, 'llama_cpp' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["True", "False", "False"]
