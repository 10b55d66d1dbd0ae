"""llamacpp executor: the tiny GGUF in-process through llama-cpp-python."""

import threading

import pytest

from fixtures_models import EXPECTED

from codeinterview.errors import UserError
from codeinterview.executors import EXECUTORS
from codeinterview.executors.base import Request

LlamaCppExecutor = EXECUTORS.get("llamacpp")
CHAT = [{"role": "user", "content": "Write f."}]


@pytest.fixture(scope="module")
def executor(tiny_gguf):
    params = {"temperature": 0, "max_tokens": 6, "repetition_penalty": 1.0, "top_k": 1, "seed": 5}
    with LlamaCppExecutor(str(tiny_gguf), params, concurrency=4, context_size=512, gpu_layers=0) as ex:
        yield ex


def test_chat_and_text(executor):
    chat = executor.ask(Request("c", CHAT))
    text = executor.ask(Request("t", "print(x):"))
    for answer in (chat, text):
        assert (answer.text, answer.finish_reason, answer.completion_tokens) == (EXPECTED[:6], "length", 6)
        assert answer.params_sent == {"temperature": 0, "max_tokens": 6, "repeat_penalty": 1.0,
                                      "top_k": 1, "seed": 5}
        assert answer.latency_s > 0
    # the chat template wraps the message, so the chat prompt is longer than its text
    assert chat.prompt_tokens > len("Write f.") + 10
    assert text.prompt_tokens == len("print(x):") + 1   # bytes + BOS
    assert executor.describe() == {"executor": "llamacpp", "model": executor.model,
                                   "context_size": 512, "gpu_layers": 0}


def test_concurrent_run_is_serialized(executor):
    assert executor.concurrency == 1
    seen = []
    original = executor.llm.create_completion

    def spy(**kwargs):
        seen.append(executor.lock.locked())
        return original(**kwargs)

    executor.llm.create_completion = spy
    try:
        threads = [threading.Thread(target=executor.ask, args=(Request(f"k{i}", "x = "),)) for i in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        del executor.llm.create_completion
    assert seen == [True] * 4


def test_stop_sequence_and_natural_end(tiny_gguf):
    with LlamaCppExecutor(str(tiny_gguf), {"temperature": 0.8, "stop": ["5"]}, context_size=256) as ex:
        stopped = ex.ask(Request("s", CHAT))
    assert (stopped.text, stopped.finish_reason) == ("1234", "stop")
    assert stopped.params_sent == {"temperature": 0.8, "stop": ["5"], "max_tokens": None}
    with LlamaCppExecutor(str(tiny_gguf), {"temperature": 0}, context_size=256) as ex:
        full = ex.ask(Request("f", "text prompt"))
    assert (full.text, full.finish_reason, full.completion_tokens) == (EXPECTED, "stop", 9)


def test_refusals(tiny_gguf, tmp_path):
    with pytest.raises(UserError, match="does not exist"):
        LlamaCppExecutor(str(tmp_path / "missing.gguf"), {})
    with pytest.raises(UserError, match=r"parameter\(s\) n;"):
        LlamaCppExecutor(str(tiny_gguf), {"n": 2})
    bad = tmp_path / "bad.gguf"
    bad.write_bytes(b"not a gguf file")
    with pytest.raises(UserError, match="could not load"):
        LlamaCppExecutor(str(bad), {})
