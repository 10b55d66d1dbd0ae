"""can-ai-code's own files, used as they are: its prompt templates (prompts/*.txt,
prompts/*.json) and parameter files (params/*.json) load by path, and its eval
files, named eval_<interview>_<languages>_<template>_<templateout>_<params>_<model>_<timestamp>,
reach the leaderboard under their template and parameters.

The fixtures in tests/data/upstream/ have the shapes of upstream's files
(the-crypt-keeper/can-ai-code: prompts/chat-simple.txt, prompts/chat.json,
params/starchat.json, params/greedy-hf.json, params/beams.json)."""

from __future__ import annotations

import csv
import json
import time
from pathlib import Path

import pytest
import yaml

from codeinterview.errors import UserError
from codeinterview.params import load_params
from codeinterview.records.canaicode import as_ours, name_fields
from codeinterview.templates import load_template, template_variables
from benchmark_files import dataset_file
from helpers import REPO, output_path, records, stage, write_records
from local_server import LocalJSONServer

UPSTREAM = REPO / "tests" / "data" / "upstream"
TEXT, CHAT = UPSTREAM / "prompts" / "simple.txt", UPSTREAM / "prompts" / "chat-system.json"
PRECISE = UPSTREAM / "params" / "llama-precise.json"
# llama-precise.json in the canonical vocabulary: $note skipped, upstream names renamed
PRECISE_CANONICAL = {"temperature": 0.7, "repetition_penalty": 1.176, "top_k": 40, "top_p": 0.1,
                     "max_tokens": 512, "repeat_last_n": 256, "mirostat": 2, "mirostat_tau": 5,
                     "mirostat_eta": 0.1}
QUESTION = {"Add": {
    "Signature": "add(a, b)", "Input": "with two integers a and b", "Output": "their sum",
    "Reference": {"python": "def add(a, b):\n    return a + b"},
    "Checks": {"small": {"assert": "f.call(1, 2)", "eq": 3}}}}


def variables(**fields):
    question = {"Signature": "add(a, b)", "Input": "with two integers", "Output": "their sum", **fields}
    return template_variables(question, "Add", "suite", "python", "add", ["a", "b"])


# --- templates ---

@pytest.mark.fast
def test_a_txt_template_is_one_string_rendered_as_upstream_renders_it():
    template = load_template(str(TEXT))
    assert (template.name, template.kind) == ("simple", "text")
    prompt, prefix = template.render(variables())
    # an absent Fact prints as nothing (not "None"); the file's trailing newline is dropped
    assert prompt == ("Write a python function add(a, b) with two integers that returns their sum. "
                      "Fact or not: []")
    assert prefix is None
    assert "Keep in mind: it is small." in template.render(variables(Fact="it is small"))[0]


@pytest.mark.fast
def test_a_json_template_is_a_chat_of_jinja_messages():
    template = load_template(str(CHAT))
    assert (template.name, template.kind) == ("chat-system", "chat")
    prompt, _ = template.render(variables())
    assert prompt == [
        {"role": "system", "content": "You are an expert python programmer."},
        {"role": "user", "content": "Write a python function add(a, b) with two integers that returns their sum"}]


@pytest.mark.fast
@pytest.mark.parametrize("name, text, message", [
    # upstream's output templates (--templateout) see the answer: not a prompt template
    ("out.txt", "{{Answer}}", r"out.txt: text uses unknown variable\(s\) Answer"),
    ("bad.json", '[{"role": "user", "content": "x"},]', r"bad.json:1:\d+: not valid JSON"),
    ("roles.json", '[{"role": "narrator", "content": "x"}]', r"roles.json: messages\[0\] needs role"),
    ("missing.txt", None, r"template '.*missing.txt' not found"),
])
def test_a_broken_upstream_template_is_named(tmp_path, name, text, message):
    if text is not None:
        (tmp_path / name).write_text(text)
    with pytest.raises(UserError, match=message):
        load_template(str(tmp_path / name))


# --- parameter files ---

@pytest.mark.fast
def test_an_upstream_parameter_file_maps_to_the_canonical_vocabulary():
    assert load_params(str(PRECISE)) == ("llama-precise", PRECISE_CANONICAL)
    # do_sample false is greedy decoding; max_tokens and max_new_tokens agreeing is one setting
    assert load_params(str(UPSTREAM / "params" / "greedy-hf.json")) == \
        ("greedy-hf", {"temperature": 0.0, "max_tokens": 1024})


@pytest.mark.fast
@pytest.mark.parametrize("content, message", [
    ('{"beams": 2, "beam_length": 16, "top_k": 1}', r"parameter\(s\) beams, beam_length have no equivalent"),
    ('{"do_sample": true}', r"parameter\(s\) do_sample have no equivalent"),
    ('{"max_tokens": 100, "max_new_tokens": 200}', r"two names for 'max_tokens' with different values"),
    ('{"do_sample": false, "temperature": 0.7}', r"two names for 'temperature'"),
    ('{"top_k": 1.5}', r"parameter 'top_k' must be int"),
    ('[1, 2]', r"must be a JSON object"),
])
def test_what_an_upstream_parameter_file_cannot_mean_here_is_refused_by_name(tmp_path, content, message):
    path = tmp_path / "p.json"
    path.write_text(content)
    with pytest.raises(UserError, match=message):
        load_params(str(path))


# --- prepare and interview ---

@pytest.fixture
def suite(tmp_path):
    path = tmp_path / "upstream-suite.yaml"
    path.write_text(yaml.safe_dump(QUESTION))
    return path


def prepare(suite, tmp_path, template):
    return output_path(stage("prepare.py", "--interview", suite, "--languages", "python",
                             "--template", template, "--output", tmp_path / f"prepare-{template.stem}.ndjson"))


@pytest.mark.fast
def test_upstream_files_prepare_and_interview_with_the_reference_executor(suite, tmp_path):
    prepared = prepare(suite, tmp_path, TEXT)
    [prompt] = records(prepared)
    assert prompt["template"] == "simple"
    assert prompt["prompt"] == ("Write a python function add(a, b) with two integers a and b that returns "
                                "their sum. Fact or not: []")
    answered = output_path(stage("interview.py", "--input", prepared, "--params", PRECISE,
                                 "--output", tmp_path / "interview.ndjson"))
    [answer] = records(answered)
    assert answer["params_name"] == "llama-precise" and answer["params"] == PRECISE_CANONICAL
    assert "return a + b" in answer["answer"]


@pytest.mark.fast
def test_an_upstream_parameter_file_that_cannot_be_honoured_stops_the_interview(suite, tmp_path):
    prepared = prepare(suite, tmp_path, TEXT)
    proc = stage("interview.py", "--input", prepared, "--params", UPSTREAM / "params" / "beams.json",
                 "--output", tmp_path / "interview.ndjson", check=False)
    assert proc.returncode == 2
    assert "beams, beam_length have no equivalent here" in proc.stderr


class RecordingServer(LocalJSONServer):
    """An OpenAI-compatible server that keeps every request body it was sent."""

    def __init__(self):
        super().__init__()
        self.bodies: list[tuple[str, dict]] = []

    def _handle(self, handler, body):
        self.bodies.append((handler.path, body))
        code = "```python\ndef add(a, b):\n    return a + b\n```"
        usage = {"prompt_tokens": 5, "completion_tokens": 9, "total_tokens": 14}
        if handler.path.endswith("/chat/completions"):
            choice = {"index": 0, "message": {"role": "assistant", "content": code}, "finish_reason": "stop"}
            kind = "chat.completion"
        else:
            choice = {"index": 0, "text": code, "finish_reason": "stop", "logprobs": None}
            kind = "text_completion"
        self.send_json(handler, 200, {"id": "c", "object": kind, "created": int(time.time()),
                                      "model": body["model"], "choices": [choice], "usage": usage})


@pytest.mark.parametrize("template, endpoint", [(TEXT, "/v1/completions"), (CHAT, "/v1/chat/completions")])
def test_upstream_files_interview_a_real_server_with_the_mapped_parameters(suite, tmp_path, template, endpoint):
    prepared = prepare(suite, tmp_path, template)
    with RecordingServer() as server:
        answered = output_path(stage(
            "interview.py", "--input", prepared, "--executor", "openai", "--model", "local-model",
            "--base-url", server.base_url, "--params", PRECISE, "--output", tmp_path / "interview.ndjson"))
    [(path, body)] = server.bodies
    assert path == endpoint
    sent = {k: v for k, v in body.items() if k not in ("model", "prompt", "messages")}
    assert sent == PRECISE_CANONICAL  # upstream's max_new_tokens went as max_tokens; its $note stayed home
    assert body.get("prompt", body.get("messages")) == records(prepared)[0]["prompt"]
    [answer] = records(answered)
    assert answer["params_sent"] == PRECISE_CANONICAL and answer["params_name"] == "llama-precise"


# --- the report reads upstream's eval files ---

def upstream_eval(name: str, passing: bool) -> dict:
    """An eval record as can-ai-code writes it: flat question fields, no template,
    parameter set or suite, an upper-case status."""
    return {"Signature": "add(a, b)", "Input": "two integers", "Output": "their sum", "name": name,
            "language": "python", "prompt": "Write ...", "answer": "...", "params": {},
            "model": "org/coder-7b", "runtime": "vllm", "code": "def add(a, b): ...",
            "checks": [{"assert": "f.call(1, 2)", "eq": 3, "got": 3 if passing else 4, "status": int(passing)}],
            "status": "PASS" if passing else "FAIL", "passed": int(passing), "total": 1}


@pytest.mark.fast
def test_an_upstream_file_name_says_what_its_records_do_not():
    name = Path("results/eval_junior-v2_python-javascript_chat-simple_none_greedy-hf_org-coder-7b_1715380897.ndjson")
    fields = name_fields(name)
    assert fields == {"suite": "junior-v2", "template": "chat-simple", "params_name": "greedy-hf",
                      "model": "org-coder-7b"}
    record = as_ours(upstream_eval("Add", True), fields)
    # the record's own model wins over the name's (which had its '/' replaced)
    assert (record["model"], record["template"], record["status"]) == ("org/coder-7b", "chat-simple", "pass")
    assert as_ours({"status": "NO_CODE", "template": "mine"}, fields)["template"] == "mine"
    assert as_ours({"status": "NO_CODE"}, {})["status"] == "no_code"
    # an output template (upstream's --templateout) is part of how the answer was made
    assert name_fields(Path("eval_senior_python_fim-input_fim-output_topk1_m_1700000000.ndjson"))[
        "template"] == "fim-input+fim-output"
    for other in ("eval_junior-dev_ab12cd.ndjson", "interview_a_b_c_none_p_m_1700000000.ndjson"):
        assert name_fields(Path(other)) == {}


@pytest.mark.fast
def test_upstream_eval_files_reach_the_leaderboard_under_their_template_and_parameters(tmp_path):
    stem = "eval_junior-v2_python-javascript_{}_none_{}_org-coder-7b_1715380897.ndjson"
    write_records(tmp_path / stem.format("chat-simple", "greedy-hf"),
                  [upstream_eval("Add", True), upstream_eval("Sub", True)])
    write_records(tmp_path / stem.format("Vicuna-1p1", "precise"),
                  [upstream_eval("Add", True), upstream_eval("Sub", False)])
    stage("report.py", *sorted(tmp_path.glob("eval_*.ndjson")), "--output-dir", tmp_path / "out")
    with open(tmp_path / "out" / "leaderboard.csv") as handle:
        rows = {(r["model"], r["template"], r["params"]): r for r in csv.DictReader(handle)}
    assert set(rows) == {("org/coder-7b", "chat-simple", "greedy-hf"), ("org/coder-7b", "Vicuna-1p1", "precise")}
    simple, vicuna = rows["org/coder-7b", "chat-simple", "greedy-hf"], rows["org/coder-7b", "Vicuna-1p1", "precise"]
    # upper-case PASS counts as a pass
    assert (simple["answers_passed"], simple["answers"], simple["suites"]) == ("2", "2", "junior-v2")
    assert (vicuna["answers_passed"], vicuna["answers"]) == ("1", "2")


def test_regrading_can_ai_code_files_keeps_the_runs_their_names_tell_apart(tmp_path):
    # one model's answers under two templates, in files named as can-ai-code names them
    answers = [r for r in records(REPO / "tests" / "data" / "can-ai-code-junior-v2.answers.ndjson")
               if r["name"] == "GCDZeroShot"]
    graded = []
    for template in ("chat-simple", "chat-outline"):
        source = tmp_path / f"eval_junior-v2_python-javascript_{template}_none_greedy-hf_org-coder-7b_1715380897.ndjson"
        source.write_text("".join(json.dumps(r) + "\n" for r in answers))
        out = tmp_path / f"regraded-{template}.ndjson"
        stage("evaluate.py", "--input", source, "--interview", dataset_file("can-ai-code-junior-v2"), "--output", out)
        graded.append(records(out))
    for template, rows in zip(("chat-simple", "chat-outline"), graded):
        assert {(r["template"], r["params_name"]) for r in rows} == {(template, "greedy-hf")}
    # the two templates' answers are two interview runs, not one
    assert {r["runs"]["interview"] for r in graded[0]}.isdisjoint({r["runs"]["interview"] for r in graded[1]})


@pytest.mark.fast
def test_compare_reads_upstream_eval_files_as_ours(tmp_path):
    stem = "eval_junior-v2_python-javascript_chat-simple_none_{}_org-coder-7b_1715380897.ndjson"
    a = write_records(tmp_path / stem.format("greedy-hf"), [upstream_eval("Add", True), upstream_eval("Sub", True)])
    b = write_records(tmp_path / stem.format("precise"), [upstream_eval("Add", True), upstream_eval("Sub", False)])
    stage("report.py", a, b, "--compare", "--output-dir", tmp_path / "out")
    text = (tmp_path / "out" / "compare.md").read_text()
    cells = [[c.strip() for c in line.strip("|").split("|")] for line in text.splitlines() if line.startswith("|")]
    summary = {row[0]: row[1] for row in cells if len(row) == 2}
    # upper-case PASS reads as pass: A passed both, B broke Sub
    assert (summary["answers passed A"], summary["answers passed B"]) == ("2", "1")
    flips = [row[:7] for row in cells if len(row) > 7 and row[4] in ("fixed", "broke")]
    assert flips == [["junior-v2", "Sub", "python", "0", "broke", "pass", "fail"]]
