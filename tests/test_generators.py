"""Parametric generators (issue 17), without Docker: prepare.py --generate as a
user runs it (determinism, provenance, hidden checks, errors), the grid and knob
syntax, the surfaces' statistics and the epoch proposal."""

from __future__ import annotations

import json
import re

import pytest

from codeinterview import generators, prepare
from codeinterview.cli import run_main
from codeinterview.errors import EXIT_USER_ERROR, UserError
from codeinterview.generators.epochs import epoch_suites, load_epoch, next_values
from codeinterview.generators.grid import generate_question, knob_values, parse_grid
from codeinterview.generators.surfaces import Cell, Surface, wilson
from helpers import output_path, records, stage

pytestmark = pytest.mark.fast


def prepared(tmp_path, name: str, *args: str) -> list[dict]:
    return records(output_path(stage("prepare.py", *args, "--output", tmp_path / f"{name}.ndjson")))


def test_generate_list_names_each_generator_with_its_knobs():
    lines = stage("prepare.py", "--generate", "list").stdout.strip().splitlines()
    assert [line.split()[0] for line in lines] == generators.names()
    for line in lines:
        gen = generators.get(line.split()[0])
        assert len(gen.KNOBS) >= 2
        for knob in gen.KNOBS:
            assert f"{knob.name}={knob.lo}..{knob.hi}" in line and f"{knob.floor}..{knob.limit}" in line


def test_same_seed_and_knobs_give_the_same_questions_byte_for_byte(tmp_path):
    # two processes (each with its own string-hash seed): every generator, its default grid
    specs = [arg for name in generators.names() for arg in ("--generate", name)]
    one = prepared(tmp_path, "one", *specs, "--instances", "2", "--seed", "5", "--languages", "python")
    two = prepared(tmp_path, "two", *specs, "--instances", "2", "--seed", "5", "--languages", "python")
    assert len(one) == 2 * sum(len(list(parse_grid(name).levels())) for name in generators.names())
    same = ("suite", "suite_hash", "name", "language", "question", "prompt")
    assert [json.dumps({k: r[k] for k in same}) for r in one] == [json.dumps({k: r[k] for k in same}) for r in two]
    assert one[0]["run"].split(".")[0] == two[0]["run"].split(".")[0]  # one config: the same run fingerprint


def test_different_seeds_draw_different_instances_of_the_same_difficulty(tmp_path):
    for name in generators.names():
        gen = generators.get(name)
        level = {k.name: k.hi for k in gen.KNOBS}
        a, b = (generate_question(gen, level, seed, 0) for seed in (1, 2))
        assert a["Checks"] != b["Checks"] and a["Signature"] == b["Signature"], name
        assert a["Generator"]["knobs"] == b["Generator"]["knobs"] == level


def test_records_keep_generator_version_seed_and_knobs(tmp_path):
    rows = prepared(tmp_path, "p", "--generate", "graph:nodes=4,closed=0|1", "--instances", "1", "--seed", "9",
                    "--languages", "python")
    assert [r["name"] for r in rows] == ["graph/nodes=4/closed=0/0", "graph/nodes=4/closed=1/0"]
    assert rows[1]["question"]["Generator"] == {"name": "graph", "version": generators.get("graph").VERSION,
                                                "seed": 9, "knobs": {"nodes": 4, "closed": 1}, "instance": 0}
    assert {r["suite"] for r in rows} == {"gen-graph"}
    assert "Generator" not in json.dumps(rows[0]["prompt"]) and "SPEC" not in json.dumps(rows[0]["prompt"])


def test_every_level_of_every_default_grid_has_visible_and_hidden_checks():
    for name in generators.names():
        gen = generators.get(name)
        for level in parse_grid(name).levels():
            checks = generate_question(gen, level, 0, 0)["Checks"].values()
            assert any(c.get("visible") is False for c in checks), (name, level)
            assert any(c.get("visible", True) for c in checks), (name, level)


def test_generate_combines_with_interview(tmp_path):
    rows = prepared(tmp_path, "p", "--interview", "junior-dev", "--generate", "expr:ops=2,depth=0",
                    "--instances", "1", "--languages", "javascript")
    suites = {r["suite"] for r in rows}
    assert suites == {"junior-dev", "gen-expr"}
    assert sum(r["suite"] == "gen-expr" for r in rows) == 1


@pytest.mark.parametrize("spec, says", [
    ("nosuch", "unknown generator 'nosuch'"),
    ("vm:width=3", "vm has no knob 'width'"),
    ("vm:length=9..3", "the range 9..3 is empty"),
    ("vm:depth=0..99", "outside what the generator can draw"),
    ("vm:depth=two", "'two' is not a value"),
])
def test_bad_generate_specs_are_user_errors(spec, says, capsys):
    assert run_main(prepare.main, ["--generate", spec]) == EXIT_USER_ERROR
    error = capsys.readouterr().err
    assert says in error and "--generate" in error, error


def test_nothing_to_ask_is_a_user_error(capsys):
    assert run_main(prepare.main, []) == EXIT_USER_ERROR
    error = capsys.readouterr().err
    assert "--generate" in error and "--interview" in error and "--epoch" in error


def test_knob_values_ranges_steps_and_lists():
    assert knob_values("2..10/4", 0, 20, "x") == (2, 6, 10)
    assert knob_values("5|1|3..4", 0, 20, "x") == (1, 3, 4, 5)
    with pytest.raises(UserError, match="x: 21 is outside"):
        knob_values("21", 0, 20, "x")


def test_wilson_interval_and_reach():
    lo, hi = wilson(4, 4)
    assert hi == 1.0 and lo == pytest.approx(4 / (4 + 1.959963984540054 ** 2))
    surface = Surface("g", "row", ("size", "other"))
    for size, passed in ((1, 4), (2, 4), (3, 3), (4, 0)):
        surface.cells[(size, 0)] = Cell(passed, 4, tokens=40)
    reach = surface.reach("size", 0.5)
    # 3/4 clears at 50% (point) and its upper bound does, its lower bound (0.30) does not
    assert (reach.value, reach.low, reach.high) == (3, 2, 3)
    assert surface.cells[(1, 0)].tokens_per_pass == 10 and surface.cells[(4, 0)].tokens_per_pass is None


def test_next_epoch_values_drop_what_every_row_clears_and_add_harder():
    assert next_values([4, 8, 12], {4, 8}, 4, 200) == (12, 16, 20)
    assert next_values([4, 8, 12], set(), 4, 200) == (4, 8, 12)
    assert next_values([4, 8, 12], {4, 8, 12}, 4, 14) == (12,)  # capped by what the generator can draw


# --- the ramp: careless code passes the easiest level and fails a harder one ---

CARELESS = {  # generator: (the easiest level, one slip in its reference, (old text, careless text))
    "vm": ({"length": 8, "depth": 0}, "reads a loop's count again on every pass",
           ("for _ in range(regs[a]):\n                    run(inner)",
            "k = 0\n                while k < regs[a]:\n                    run(inner)\n                    k += 1")),
    "flatten": ({"depth": 3, "width": 1}, "never escapes the separator inside a key",
                ('return k.replace(sep, "\\\\" + sep)', "return k")),
    "expr": ({"ops": 1, "depth": 2}, "takes every operator as left-associative",
             ('op["prec"] if op["assoc"] == "right" else op["prec"] + 1', 'op["prec"] + 1')),
    "intervals": ({"count": 1, "overlap": 2}, "assumes the bookings come sorted", ("spans.sort()", "pass")),
    "rewrite": ({"rules": 1, "length": 15}, "tries the rules from the last one up",
                ('in spec["rules"]:', 'in reversed(spec["rules"]):')),
    "graph": ({"nodes": 2, "closed": 0}, "breaks ties between equally cheap routes by whichever came first",
              ("candidate < best[v]", "candidate[0] < best[v][0]")),
}


def passes(function, question) -> bool:
    """Every check of a generated question (all are f.call(literals)) against a host function."""
    import ast

    for check in question["Checks"].values():
        args = ast.literal_eval("[" + check["assert"][len("f.call("):-1] + "]")
        try:
            got = function(*args)
        except ValueError:
            if not check.get("raises"):
                return False
            continue
        if check.get("raises") or got != check["eq"]:
            return False
    return True


@pytest.mark.parametrize("name", CARELESS)
def test_careless_code_clears_the_easiest_level_and_fails_a_harder_one(name):
    import inspect

    gen = generators.get(name)
    easy, _, (old, new) = CARELESS[name]
    source = inspect.getsource(gen.solve)
    assert old in source
    namespace: dict = {}
    exec(source.replace(old, new), namespace)  # our own careless variant, never a model's code
    careless = namespace["solve"]
    hard = {k.name: k.hi for k in gen.KNOBS}

    def clears(level: dict, seed: int) -> bool:
        question = generate_question(gen, level, seed, 0)
        spec = question_spec(question)
        return passes(lambda *args: careless(spec, *args), question)

    assert all(clears(easy, seed) for seed in range(4)), name
    assert not all(clears(hard, seed) for seed in range(4)), \
        f"{name}: careless code ({CARELESS[name][1]}) passed the hardest default level"


def question_spec(question):
    """The spec a question's Python reference was built with (its SPEC literal)."""
    namespace: dict = {}
    exec(question["Reference"]["python"], namespace)
    return namespace["SPEC"]


def test_a_bundled_epoch_draws_its_grids(tmp_path):
    epoch = load_epoch("e1")
    assert [g.generator for g in epoch.grids] == generators.names()
    suites = epoch_suites("e1")
    assert [s.name for s in suites] == [f"e1-{name}" for name in generators.names()]
    assert all(q.fields["Generator"]["epoch"] == "e1" and q.fields["Generator"]["seed"] == epoch.seed
               for s in suites for q in s.questions)


@pytest.mark.parametrize("text, says", [
    ("seed: 1\ninstances: 1\ngrids: {vm: {length: [4]}}\n", "grids.vm must give values for exactly its knobs"),
    ("seed: 1\ninstances: 1\ngrids: {vm: {length: [4], depth: [99]}}\n", "grids.vm.depth: 99 is outside"),
    ("seed: x\ninstances: 1\ngrids: {vm: {length: [4], depth: [0]}}\n", "'seed' must be an integer"),
    ("seed: 1\ninstances: 1\ngrids: {nope: {}}\n", "unknown generator 'nope'"),
])
def test_a_bad_epoch_file_is_a_user_error_naming_file_and_field(tmp_path, text, says):
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(UserError, match=re.escape(says)) as caught:
        load_epoch(str(path))
    assert str(path) in str(caught.value)
