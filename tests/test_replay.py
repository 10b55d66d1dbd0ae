"""The replay executor: which earlier answer each request gets, from plain and
gzipped files, and the error when there is none. No sandbox, no server."""

import gzip
import json

import pytest

from codeinterview.errors import UserError
from codeinterview.executors.base import Request
from codeinterview.executors.replay import ReplayExecutor


def answer(answer, name="add", suite="s", language="python", sample=0, stage="interview", **extra):
    record = {"stage": stage, "suite": suite, "name": name, "language": language, "sample": sample,
              "prompt": "p", "answer": answer, "model": "m1", "executor": "reference", **extra}
    if sample is None:  # can-ai-code files carry no sample
        del record["sample"]
    return record


def write(path, rows):
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "wt", encoding="utf-8") as handle:
        handle.writelines(json.dumps(row) + "\n" for row in rows)
    return path


def ask(executor, name="add", suite="s", language="python", sample=0):
    record = {"stage": "prepare", "suite": suite, "name": name, "language": language, "prompt": "p"}
    return executor.ask(Request(key=f"{suite}/{name}/{language}/{sample}", prompt="p",
                                sample=sample, record=record)).text


def test_matches_slot_then_name_language_sample_then_name_language(tmp_path):
    source = write(tmp_path / "a.ndjson", [
        answer("other suite, sample 1", suite="t", sample=1),
        answer("slot 1", sample=1),
        answer("other suite, sample 2", suite="t", sample=2),
        answer("other suite, sample 0", suite="t", sample=0),
    ])
    with ReplayExecutor(replay=str(source)) as executor:
        assert ask(executor, sample=1) == "slot 1"  # the slot wins over the earlier record
        assert ask(executor, sample=2) == "other suite, sample 2"  # name/language/sample
        assert ask(executor, sample=7) == "other suite, sample 1"  # name/language: the first
        assert ask(executor, sample=0) == "other suite, sample 0"


def test_first_file_and_first_record_win(tmp_path):
    first = write(tmp_path / "first.ndjson", [answer("first"), answer("first again")])
    second = write(tmp_path / "second.ndjson", [answer("second"), answer("second's js", language="javascript")])
    with ReplayExecutor(replay=[str(first), str(second)]) as executor:
        assert ask(executor) == "first"
        assert ask(executor, language="javascript") == "second's js"


def test_can_ai_code_records_without_suite_or_sample_replay(tmp_path):
    source = write(tmp_path / "old.ndjson", [{"name": "add", "language": "python", "answer": "old"}])
    with ReplayExecutor(replay=str(source)) as executor:
        assert ask(executor, sample=3) == "old"


def test_gzipped_source_and_eval_records(tmp_path):
    source = write(tmp_path / "e.ndjson.gz", [
        answer(f"answer {i}", stage="eval", sample=i, status="pass", checks=[], finish_reason="stop",
               usage={"prompt_tokens": 3, "completion_tokens": 4}, params_name="greedy")
        for i in range(3)])
    with ReplayExecutor(replay=str(source)) as executor:
        got = executor.ask(Request(key="k", prompt="p", sample=2,
                                   record={"suite": "s", "name": "add", "language": "python"}))
    assert got.text == "answer 2" and got.finish_reason == "stop"
    assert (got.prompt_tokens, got.completion_tokens) == (3, 4)
    assert got.extra == {"replayed_from": {"model": "m1", "executor": "reference"},
                         "model": "m1", "params_name": "greedy"}


def test_a_missing_answer_names_the_request_and_the_files(tmp_path):
    source = write(tmp_path / "a.ndjson", [answer("x")])
    with ReplayExecutor(replay=str(source)) as executor, \
            pytest.raises(UserError, match=r"replay: no answer for s/sub/python/0 in .*a\.ndjson"):
        ask(executor, name="sub")


def test_no_replay_file_and_a_wrong_stage_are_user_errors(tmp_path):
    with pytest.raises(UserError, match="needs --replay FILE"):
        ReplayExecutor()
    prompts = write(tmp_path / "p.ndjson", [{"stage": "prepare", "name": "add", "prompt": "p"}])
    with pytest.raises(UserError, match="this is a prepare record"):
        ReplayExecutor(replay=str(prompts))
