"""openai executor against a real llama-cpp-python server, and against a
fault-injecting HTTP server for retries."""

import time

import pytest

from fixtures_models import EXPECTED, FakeOpenAIServer

from codeinterview.errors import UserError
from codeinterview.executors import EXECUTORS
from codeinterview.executors.retry import RetriesExhausted
from codeinterview.executors.base import Request

OpenAIExecutor = EXECUTORS.get("openai")
CHAT = [{"role": "system", "content": "You write Python."}, {"role": "user", "content": "Write f."}]


def test_chat_completion_on_llama_cpp_server(llama_server):
    params = {"temperature": 0, "max_tokens": 5, "top_k": 1, "seed": 7}
    with OpenAIExecutor("tiny", params, base_url=llama_server) as ex:
        answer = ex.ask(Request("k1", CHAT))
    assert answer.text == EXPECTED[:5]
    assert answer.finish_reason == "length"
    assert answer.completion_tokens == 5
    assert answer.prompt_tokens > 10   # template + messages, byte tokens
    assert answer.retries == 0 and answer.latency_s > 0
    assert answer.params_sent == params
    fields = answer.to_fields()
    assert fields["usage"] == {"prompt_tokens": answer.prompt_tokens, "completion_tokens": 5}


def test_text_completion_with_stop_on_llama_cpp_server(llama_server):
    params = {"temperature": 0.7, "max_tokens": 20, "stop": ["6"], "repetition_penalty": 1.0}
    with OpenAIExecutor("tiny", params, base_url=llama_server, concurrency=3) as ex:
        answers = list(ex.run(Request(f"k{i}", f"def f{i}():") for i in range(6)))
    assert sorted(a.key for a in answers) == [f"k{i}" for i in range(6)]
    for a in answers:
        assert (a.text, a.finish_reason) == ("12345", "stop")
        assert a.params_sent == params


def test_runs_to_the_natural_end(llama_server):
    with OpenAIExecutor("tiny", {"temperature": 0, "max_tokens": 50}, base_url=llama_server) as ex:
        answer = ex.ask(Request("k", CHAT))
    assert (answer.text, answer.finish_reason, answer.completion_tokens) == (EXPECTED, "stop", 9)


def test_unsupported_parameter_is_refused_by_name():
    with pytest.raises(UserError, match=r"parameter\(s\) n;"):
        OpenAIExecutor("tiny", {"temperature": 0, "n": 3}, base_url="http://127.0.0.1:9/v1")
    lenient = OpenAIExecutor("tiny", {"temperature": 0, "n": 3}, lenient=True, base_url="http://127.0.0.1:9/v1")
    assert lenient.params == {"temperature": 0} and lenient.dropped_params == ["n"]


def test_api_key_sources(monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    with pytest.raises(UserError, match="OPENAI_API_KEY"):
        OpenAIExecutor("gpt-x", {})
    with pytest.raises(UserError, match="MY_KEY"):
        OpenAIExecutor("gpt-x", {}, api_key_env="MY_KEY", base_url="http://127.0.0.1:9/v1")
    monkeypatch.setenv("MY_KEY", "sk-secret")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    ex = OpenAIExecutor("gpt-x", {}, api_key_env="MY_KEY")
    assert ex.client.api_key == "sk-secret"
    assert ex.describe() == {"executor": "openai", "model": "gpt-x", "base_url": "http://127.0.0.1:9/v1"}
    assert "sk-secret" not in repr(ex.describe())


def test_body_fields_and_reasoning_reach_the_wire():
    params = {"temperature": 0.2, "top_p": 0.9, "max_tokens": 64, "seed": 1, "stop": ["\n\n"],
              "presence_penalty": 0.1, "frequency_penalty": 0.2, "top_k": 40, "min_p": 0.05,
              "repetition_penalty": 1.1}
    with FakeOpenAIServer(reasoning="thinking hard") as fake, \
            OpenAIExecutor("m", params, base_url=fake.base_url) as ex:
        chat = ex.ask(Request("c", CHAT))
        text = ex.ask(Request("t", "plain prompt"))
    bodies = [a[2] for a in fake.attempts]
    for body in bodies:
        sent = {k: v for k, v in body.items() if k not in ("model", "messages", "prompt")}
        assert sent == params          # extra_body fields sit at the top level of the JSON
    assert "messages" in bodies[0] and bodies[1]["prompt"] == "plain prompt"
    assert chat.text == "echo: Write f." and chat.reasoning == "thinking hard"
    assert text.text == "echo: plain prompt" and text.reasoning is None
    assert chat.params_sent == params


def test_faults_are_retried_and_counted():
    # (prompt faults, expected retries); each prompt appears twice to check no duplication
    plan = {"ok": 0, "faults:500": 1, "faults:drop": 1, "faults:hang": 1, "faults:429": 1,
            "faults:500,502,503": 3, "faults:drop,500": 2, "faults:429date": 1}
    prompts = [f"{p} #{i}" for p in plan for i in range(2)]
    with FakeOpenAIServer(hang_s=3) as fake, \
            OpenAIExecutor("m", {"max_tokens": 8}, base_url=fake.base_url, concurrency=6,
                           timeout=0.5, max_retries=4, backoff_s=0.01) as ex:
        start = time.monotonic()
        answers = list(ex.run(Request(p, [{"role": "user", "content": p}]) for p in prompts))
        wall = time.monotonic() - start
    assert sorted(a.key for a in answers) == sorted(prompts)
    for a in answers:
        assert a.text == f"echo: {a.key}"
        assert a.retries == plan[a.key.split()[0]], a.key
        assert len(fake.attempts_for(a.key)) == a.retries + 1
    # Retry-After was honoured: the retry came at least ~1 s after the 429
    for p in ("faults:429 #0", "faults:429date #1"):
        first, second = (t for _, t, _ in fake.attempts_for(p))
        assert second - first >= 0.9, p
    assert wall < 10


def test_persistent_failure_gives_up_with_count():
    with FakeOpenAIServer() as fake, OpenAIExecutor("m", {}, base_url=fake.base_url,
                                                   max_retries=2, backoff_s=0.01) as ex:
        with pytest.raises(RetriesExhausted, match="after 2 retries") as info:
            ex.ask(Request("k", "faults:500,500,500,500 x"))
    assert info.value.retries == 2
    assert len(fake.attempts) == 3


def test_client_errors_are_not_retried():
    with FakeOpenAIServer() as fake, OpenAIExecutor("m", {"temperature": 0}, base_url=fake.base_url,
                                                   backoff_s=0.01) as ex:
        bad = ex.ask(Request("k", "faults:400 too long"))
        assert (bad.text, bad.finish_reason) == ("", "error")
        assert "400" in bad.to_fields()["answer_error"]
        with pytest.raises(UserError, match="HTTP 401"):
            ex.ask(Request("k2", "faults:401 x"))
    assert len(fake.attempts) == 2


def test_max_tokens_field_depends_on_the_server(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    assert OpenAIExecutor("gpt-x", {"max_tokens": 9}).native == {"max_completion_tokens": 9}
    assert OpenAIExecutor("m", {"max_tokens": 9}, base_url="http://127.0.0.1:9/v1").native == {"max_tokens": 9}
