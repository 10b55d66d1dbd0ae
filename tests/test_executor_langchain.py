"""langchain executor (init_chat_model, openai provider) against a real
llama-cpp-python server, and retries through LangChain."""


import pytest

from fixtures_models import EXPECTED, FakeOpenAIServer

from codeinterview.errors import UserError
from codeinterview.executors import EXECUTORS
from codeinterview.executors.base import Request

LangChainExecutor = EXECUTORS.get("langchain")
CHAT = [{"role": "system", "content": "You write Python."}, {"role": "user", "content": "Write f."}]


def test_chat_on_llama_cpp_server(llama_server):
    params = {"temperature": 0, "max_tokens": 4, "seed": 3, "top_k": 1}
    with LangChainExecutor("openai:tiny", params, base_url=llama_server) as ex:
        answer = ex.ask(Request("k", CHAT))
    assert (answer.text, answer.finish_reason) == (EXPECTED[:4], "length")
    assert answer.completion_tokens == 4 and answer.prompt_tokens > 10
    # with --base-url, max_tokens rides in extra_body (ChatOpenAI would rename it)
    assert answer.params_sent == {"temperature": 0, "seed": 3, "extra_body": {"max_tokens": 4, "top_k": 1}}
    assert answer.retries == 0 and answer.latency_s > 0
    assert ex.describe()["base_url"] == llama_server


def test_text_prompt_as_one_human_message_with_stop(llama_server):
    params = {"temperature": 0, "max_tokens": 30, "stop": ["7"]}
    with LangChainExecutor("openai:tiny", params, base_url=llama_server, concurrency=3) as ex:
        answers = list(ex.run(Request(f"k{i}", f"def f{i}():") for i in range(5)))
    assert sorted(a.key for a in answers) == [f"k{i}" for i in range(5)]
    for a in answers:
        assert (a.text, a.finish_reason) == ("123456", "stop")
        assert a.params_sent["stop"] == ["7"]


def test_text_prompt_is_sent_as_a_user_message():
    with FakeOpenAIServer() as fake, LangChainExecutor("openai:m", {"max_tokens": 7},
                                                      base_url=fake.base_url) as ex:
        answer = ex.ask(Request("k", "plain prompt"))
    assert fake.attempts[0][2]["max_tokens"] == 7
    assert fake.attempts[0][2]["messages"] == [{"role": "user", "content": "plain prompt"}]
    assert "max_completion_tokens" not in fake.attempts[0][2]
    assert answer.text == "echo: plain prompt"


def test_unmappable_parameters_are_refused_by_name():
    with pytest.raises(UserError, match=r"repetition_penalty, seed"):
        LangChainExecutor("anthropic:claude-x", {"temperature": 0, "seed": 1, "repetition_penalty": 1.1})
    with pytest.raises(UserError, match="provider:model"):
        LangChainExecutor("gpt-4o", {})


def test_retries_through_langchain():
    with FakeOpenAIServer() as fake, LangChainExecutor("openai:m", {"max_tokens": 8}, base_url=fake.base_url,
                                                      backoff_s=0.01, timeout=2) as ex:
        answer = ex.ask(Request("k", [{"role": "user", "content": "faults:500,drop ok"}]))
    assert answer.text == "echo: faults:500,drop ok"
    assert answer.retries == 2 and len(fake.attempts) == 3


def test_client_errors_through_langchain():
    with FakeOpenAIServer() as fake, LangChainExecutor("openai:m", {}, base_url=fake.base_url,
                                                      backoff_s=0.01) as ex:
        bad = ex.ask(Request("k", "faults:422 x"))
        assert (bad.finish_reason, bad.text) == ("error", "")
        assert bad.extra["answer_error"].startswith("HTTP 422")
        with pytest.raises(UserError, match="HTTP 401"):
            ex.ask(Request("k2", "faults:401 x"))
    assert len(fake.attempts) == 2
