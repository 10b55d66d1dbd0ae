"""transformers executor: a tiny random Llama saved locally, offline."""

import os

import pytest

os.environ["HF_HUB_OFFLINE"] = "1"   # everything is local; never reach the hub
from fixtures_models import EXPECTED, save_tiny_hf_model

from codeinterview.errors import UserError
from codeinterview.executors import EXECUTORS
from codeinterview.executors.base import Request

TransformersExecutor = EXECUTORS.get("transformers")
CHAT = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Write f."}]


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    return str(save_tiny_hf_model(tmp_path_factory.mktemp("hf") / "tiny"))


def test_batched_chat_and_text(model_dir):
    # prompts of different lengths in one batch: left padding must not leak into answers
    requests = [Request("c0", CHAT), Request("t0", "x"), Request("t1", "a much longer text prompt:"),
                Request("c1", [{"role": "user", "content": "hi"}]), Request("t2", "y=")]
    with TransformersExecutor(model_dir, {"temperature": 0, "max_tokens": 5}, batch_size=2) as ex:
        answers = list(ex.run(requests))
        assert ex.describe() == {"executor": "transformers", "model": model_dir, "device": "cpu",
                                 "dtype": "float32"}
    assert [a.key for a in answers] == [r.key for r in requests]
    for a in answers:
        assert (a.text, a.finish_reason, a.completion_tokens) == (EXPECTED[:5], "length", 5)
        assert a.params_sent == {"max_new_tokens": 5, "do_sample": False}
    by_key = {a.key: a for a in answers}
    assert by_key["t0"].prompt_tokens == 1          # one byte, no padding counted
    assert by_key["t1"].prompt_tokens == len("a much longer text prompt:")
    assert by_key["c0"].prompt_tokens == len("<|system|>\nBe brief.\n<|user|>\nWrite f.\n<|assistant|>\n")


def test_sampling_stop_strings_and_end_of_sequence(model_dir):
    params = {"temperature": 0.7, "top_p": 0.95, "top_k": 50, "seed": 3, "max_tokens": 30, "stop": ["67"]}
    with TransformersExecutor(model_dir, params, batch_size=4, device="cpu", dtype="float32") as ex:
        stopped = list(ex.run([Request("a", CHAT), Request("b", "short")]))
    for a in stopped:
        assert (a.text, a.finish_reason) == ("12345", "stop")
        assert a.completion_tokens == 7                  # the stop string's tokens were generated
        assert a.params_sent == {"max_new_tokens": 30, "do_sample": True, "temperature": 0.7, "top_p": 0.95,
                                 "top_k": 50, "stop_strings": ["67"], "seed": 3}
    with TransformersExecutor(model_dir, {"temperature": 0, "max_tokens": 30}) as ex:
        # one row ends early (prompt ends in "7") while the other runs on: padding is not text
        full, early = ex.run([Request("a", "print:"), Request("b", "x=7")])
    assert (full.text, full.finish_reason, full.completion_tokens) == (EXPECTED, "stop", 9)
    assert (early.text, early.finish_reason, early.completion_tokens) == ("89", "stop", 2)


def test_refusals(model_dir, tmp_path):
    with pytest.raises(UserError, match=r"parameter\(s\) frequency_penalty, presence_penalty"):
        TransformersExecutor(model_dir, {"presence_penalty": 0.1, "frequency_penalty": 0.1})
    with pytest.raises(UserError, match="--dtype"):
        TransformersExecutor(model_dir, {}, dtype="float8")
    with pytest.raises(UserError, match="could not load"):
        TransformersExecutor(str(tmp_path / "nowhere"), {})
