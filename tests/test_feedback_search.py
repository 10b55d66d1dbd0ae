"""Search over attempts (--search tree) against a scripted model behind a real
OpenAI-compatible HTTP server on 127.0.0.1, graded in the real Docker sandbox.

The model's greedy first answer handles positive numbers only and it repeats
that answer whatever it is told (a dead end). Sampled hotter it sometimes
answers `return x` instead, which it repairs once shown `got 5`."""

import json
import os
import signal
import subprocess
import sys

import pytest
import yaml

from codeinterview.errors import UserError
from codeinterview.executors.base import Request
from codeinterview.leaderboard.budget import BudgetCurve, BudgetCurves
from codeinterview.feedback.tree import Tree
from codeinterview.templates import load_template, template_variables
from feedback_suite import executor as suite_executor
from helpers import REPO, output_path, records, stage
from scripted_server import ScriptedModel, Step

import openai  # noqa: E402,F401  - the loop talks to the server through the openai executor: required, never skipped

SIGN = {"Signature": "sign(x)", "Input": "a number", "Output": "1 if positive, -1 if negative",
        "Checks": {"pos": {"assert": "f.call(5)", "eq": 1}, "neg": {"assert": "f.call(-3)", "eq": -1}}}
HALF = "def sign(x):\n    return 1"                       # passes 1 of 2: the dead end
MEH = "def sign(x):\n    return x"                        # passes 0 of 2, but repairable
RIGHT = "def sign(x):\n    return 1 if x > 0 else -1"
BUDGET = 10


def script():
    return {("sign", "python"): [Step([HALF, MEH], "got 5"), Step(RIGHT)]}


@pytest.fixture()
def model():
    with ScriptedModel(script()) as server:
        yield server


def request():
    variables = template_variables(SIGN, "Sign", "t", "python", "sign", ["x"])
    prompt, prefix = load_template("chat-simple").render(variables)
    record = {"suite": "t", "name": "Sign", "language": "python", "sample": 0, "question": SIGN,
              "prompt": prompt, "code_prefix": prefix}
    return Request("t/Sign/python/0", prompt, 0, record)


def executor(server, **options):
    return suite_executor(server, **{"max_attempts": BUDGET, **options})


def test_linear_repairs_the_dead_end_forever_tree_leaves_it_and_passes(model):
    with executor(model) as ex:
        linear = ex.ask(request()).extra["attempts"]
    assert [a["code"].strip() for a in linear] == [HALF] * BUDGET and linear[-1]["status"] == "fail"

    model.requests.clear()
    with executor(model, search="tree", n_candidates=2) as ex:
        answer = ex.ask(request())
    nodes = {a["attempt"]: a for a in answer.extra["attempts"]}
    kept = [n for n in nodes.values() if n.get("kept")]
    assert len(kept) == 1 and kept[0]["status"] == "pass" and answer.text == kept[0]["answer"]
    assert len(nodes) < BUDGET                                # passed before the budget ran out
    # the pass descends from the repairable answer, not from the dead end it tried first
    path, node = [], kept[0]["attempt"]
    while node:
        path.append(nodes[node]["code"].strip())
        node = nodes[node]["parent"]
    assert path[::-1] == [MEH, RIGHT]
    half = next(n for n in nodes.values() if n["code"].strip() == HALF and "duplicate_of" not in n)
    children = [n for n in nodes.values() if n["parent"] == half["attempt"]]
    assert children and all("duplicate_of" in c for c in children)   # expanded, found nothing new: left
    # every node is one model call, and the tree is in the record
    assert len(model.requests) == len(nodes)
    for n in nodes.values():
        assert {"attempt", "parent", "answer", "code", "score", "status", "verdict", "usage"} <= set(n)
    assert answer.completion_tokens == sum(n["usage"]["completion_tokens"] for n in nodes.values())
    assert ex.describe()["feedback"]["search"] == "tree"


def test_candidates_are_distinct_and_repeats_are_asked_again_hotter(model):
    with executor(model, search="tree", n_candidates=2) as ex:
        nodes = ex.ask(request()).extra["attempts"]
    bodies = [json.dumps({k: v for k, v in r.items()}, sort_keys=True) for r in model.requests]
    assert len(set(bodies)) == len(bodies)                    # no request was sent twice
    distinct = [n for n in nodes if "duplicate_of" not in n]
    assert len({n["code"] for n in distinct}) == len(distinct)
    repeats = [n for n in nodes if "duplicate_of" in n]
    assert repeats and all(nodes[n["duplicate_of"] - 1]["code"] == n["code"] for n in repeats)
    assert all(n["feedback"] is None for n in repeats)        # a repeat is never expanded
    # the root's expansion got two different answers by asking again at a higher temperature
    root = [n for n in nodes if n["parent"] == 0]
    assert {n["code"].strip() for n in root if "duplicate_of" not in n} == {HALF, MEH}
    temperatures = [r["temperature"] for r in model.requests]
    assert temperatures[0] == 0 and temperatures == sorted(temperatures) and temperatures[-1] > 0
    seeds = [r["seed"] for r in model.requests[:len(root)]]
    assert len(set(seeds)) == len(seeds)


def test_budget_counts_model_calls(model):
    with executor(model, search="tree", n_candidates=2, max_attempts=4) as ex:
        nodes = ex.ask(request()).extra["attempts"]
    assert len(nodes) == len(model.requests) == 4
    assert [n["code"].strip() for n in nodes] == [HALF, HALF, HALF, MEH]
    assert nodes[0]["feedback"] and nodes[3]["feedback"] is None   # no call is left to use it
    assert nodes[0]["kept"]                                   # the best of what was found


def test_the_repairs_come_from_the_feedback_model(model):
    with ScriptedModel(script()) as repairer:
        with executor(model, search="tree", n_candidates=2, feedback_model="repairer",
                      feedback_base_url=repairer.base_url) as ex:
            nodes = ex.ask(request()).extra["attempts"]
            policy = ex.describe()["feedback"]
        first = [n for n in nodes if n["parent"] == 0]
        assert len(model.requests) == len(first) and {r["model"] for r in model.requests} == {"scripted"}
        assert len(repairer.requests) == len(nodes) - len(first) > 0
        assert {r["model"] for r in repairer.requests} == {"repairer"}
        assert all(len(r["messages"]) > 1 for r in repairer.requests)   # only repairs go there
    assert policy["feedback_model"] == {"executor": "openai", "model": "repairer"}


def test_linear_repairs_come_from_the_feedback_model(model):
    with ScriptedModel(script()) as repairer:
        with executor(model, feedback_model="repairer", feedback_base_url=repairer.base_url,
                      max_attempts=3) as ex:
            ex.ask(request())
        assert len(model.requests) == 1 and len(repairer.requests) == 2


def test_mistakes_are_user_errors(model):
    with pytest.raises(UserError, match="--search depth: choose one of linear, tree"):
        executor(model, search="depth")
    with pytest.raises(UserError, match="only applies to --search tree"):
        executor(model, meta_temperature=0.5)
    with pytest.raises(UserError, match="cannot wrap itself"):
        executor(model, feedback_executor="feedback")
    with pytest.raises(UserError, match="unknown executor 'nope'"):
        executor(model, feedback_executor="nope")


# --- the tree's choices, alone ---

def node(number, parent, score, **more):
    return {"attempt": number, "parent": parent, "status": "pass" if score == 1 else "fail", "score": score,
            "code": f"code {number}", "answer": "", "feedback": ["..."], "finish_reason": "stop", **more}


@pytest.mark.fast
def test_selection_is_best_first_with_ties_to_the_earliest_and_lint_as_tie_breaker():
    tree = Tree()
    assert tree.select() == 0
    for n in (node(1, 0, 0.5), node(2, 0, 0.5, lint=[{"message": "x"}]), node(3, 0, 0.0)):
        tree.add(n)
    assert [tree.select(), tree.select(), tree.select(), tree.select()] == [1, 2, 3, None]
    tree = Tree()
    for n in (node(1, 0, 0.5, lint=[{"message": "x"}]), node(2, 0, 0.5)):
        tree.add(n)
    assert tree.select() == 2
    assert tree.duplicate_of("code 1  \n\n", "") == 1 and tree.duplicate_of("other", "") is None


@pytest.mark.fast
def test_meta_temperature_draws_by_softmax_seeded_by_question_and_step():
    def first_choice(temperature, seed):
        tree = Tree(temperature, seed)
        tree.add(node(1, 0, 0.9))
        tree.add(node(2, 0, 0.1))
        return tree.select()

    assert {first_choice(0.0, f"q{i}") for i in range(50)} == {1}
    hot = [first_choice(0.5, f"q{i}") for i in range(200)]
    assert 0.6 < hot.count(1) / 200 < 0.95                    # e^(0.8/0.5) ~ 5 : 1
    assert hot == [first_choice(0.5, f"q{i}") for i in range(200)]   # a resumed run draws the same


@pytest.mark.fast
def test_budget_curve_counts_calls_not_attempts():
    tree_record = {"attempts": [{"status": "fail", "usage": {"prompt_tokens": 10, "completion_tokens": 5}},
                                {"status": "fail", "usage": {"prompt_tokens": 10, "completion_tokens": 5}},
                                {"status": "pass", "usage": {"prompt_tokens": 20, "completion_tokens": 5}}]}
    best_of_two = {"attempts": [{"status": "pass", "usage": {"prompt_tokens": 20, "completion_tokens": 10},
                                 "candidates": [{"usage": {"prompt_tokens": 10, "completion_tokens": 5}},
                                                {"usage": {"prompt_tokens": 10, "completion_tokens": 5}}]}]}
    plain = {"status": "fail", "usage": {"prompt_tokens": 7, "completion_tokens": 3}}
    curve = BudgetCurve()
    for record in (tree_record, best_of_two, plain):
        curve.add(record)
    rows = curve.rows()
    assert [(r["calls"], r["passed"]) for r in rows] == [(1, 0), (2, 1), (3, 2)]
    assert [r["tokens_per_answer"] for r in rows] == [round(t / 3, 1) for t in (15 + 15 + 10, 70, 95)]
    # graded afresh by evaluate: its statuses win
    regraded = {**tree_record, "attempts_graded": [{"status": "fail", "usage": {}}] * 3}
    again = BudgetCurve()
    again.add(regraded)
    assert again.rows()[-1]["passed"] == 0
    merged = BudgetCurve()
    merged.merge(curve)
    merged.merge(again)
    assert merged.answers == 4 and merged.rows()[-1]["passed"] == 2
    by_row = BudgetCurves()
    for row, record in ((("m", "tree"), tree_record), (("m", "linear"), best_of_two), (("m", "linear"), plain)):
        by_row.add(row, record)
    table = by_row.rows(["model", "label"])
    assert [(r["label"], r["calls"], r["passed"], r["answers"]) for r in table] == [
        ("linear", 1, 0, 1), ("linear", 2, 1, 1), ("tree", 1, 0, 1), ("tree", 2, 0, 1), ("tree", 3, 1, 1)]


# --- the stage, as a user runs it: the tree in the record, and resume ---

def interview_args(prepared, output, server):
    return ["--input", prepared, "--output", output, "--executor", "feedback", "--inner", "openai",
            "--model", "scripted", "--base-url", server.base_url, "--params", "greedy",
            "--search", "tree", "--n-candidates", "2", "--max-attempts", str(BUDGET)]


def test_killed_tree_search_resumes_without_asking_again(tmp_path, model):
    suite = tmp_path / "sign.yaml"
    suite.write_text(yaml.safe_dump({"Sign": SIGN}))
    prepared = output_path(stage("prepare.py", "--interview", suite, "--languages", "python",
                                 "--output", tmp_path / "p.ndjson"))
    output = tmp_path / "i.ndjson"
    reached, release = model.gate("sign", "python", 1)   # hold the repair that passes
    proc = subprocess.Popen([sys.executable, str(REPO / "interview.py"),
                             *map(str, interview_args(prepared, output, model))],
                            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    try:
        assert reached.wait(120), proc.stderr.read1().decode() if proc.poll() is not None else "no request"
        os.killpg(proc.pid, signal.SIGKILL)
    finally:
        proc.wait()
    journaled = [json.loads(line)["attempt"] for line in output.with_suffix(".attempts.ndjson").read_text()
                 .splitlines()]
    asked = len(model.requests)
    assert len(journaled) == asked - 1                   # all but the held call
    release.set()
    model.hold.clear()
    (row,) = records(output_path(stage("interview.py", *interview_args(prepared, output, model))))
    assert len(model.requests) == asked + 1              # only the missing call
    assert [{k: v for k, v in a.items() if k != "kept"} for a in row["attempts"][:-1]] == journaled
    assert row["attempts"][-1]["status"] == "pass" and row["attempts"][-1]["kept"]
    assert row["feedback"]["search"] == "tree" and row["feedback"]["n_candidates"] == 2
    assert row["answer"] == row["attempts"][-1]["answer"]
