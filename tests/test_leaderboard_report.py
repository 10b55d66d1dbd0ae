"""The leaderboard's new columns, on crafted eval files: per-suite scores with
intervals, rows grouped by prompt kind (chat / completion / fim), model
metadata from models.yaml (found in the working folder or named with
--models), each model's best row, reference metrics beside the pass rates,
and the --conversations hook."""

from __future__ import annotations

import csv
import subprocess
import sys
import types

import pytest

from helpers import REPO, write_records
from report_files import MODELS_YAML, crafted, feedback_record, record

from codeinterview.errors import UserError
from codeinterview.report import main

pytestmark = pytest.mark.fast  # no Docker engine, no server, no model


def report(tmp, *args) -> subprocess.CompletedProcess:
    """report.py run from `tmp` (where a models.yaml may lie)."""
    return subprocess.run([sys.executable, str(REPO / "report.py"), *map(str, args), "--output-dir", "out"],
                          cwd=tmp, capture_output=True, text=True, check=True)


def test_per_suite_kinds_metadata_and_best_rows(tmp_path):
    path = crafted(tmp_path)
    (tmp_path / "models.yaml").write_text(MODELS_YAML)
    proc = report(tmp_path, path)
    assert "model metadata: models.yaml (2 models)" in proc.stderr  # it says which file it read
    table = list(csv.DictReader((tmp_path / "out" / "leaderboard.csv").open()))
    rows = {(r["model"], r["template"]): r for r in table}
    # grouped by prompt kind: chat rows first, then completion, then fim
    assert [r["kind"] for r in table] == ["chat", "chat", "completion", "fim"]
    assert [(r["model"], r["template"]) for r in table][:2] == [("acme-7b-q4", "chat-simple"), ("other-13b", "chat-simple")]
    acme = rows[("acme-7b-q4", "chat-simple")]
    assert (acme["name"], acme["size"], acme["quantisation"], acme["licence"], acme["tags"]) == \
        ("Acme 7B", "7B", "Q4_K_M", "apache-2.0", "instruct,small")
    other = rows[("other-13b", "chat-simple")]
    assert (other["name"], other["size"], other["tags"]) == ("other-13b", "13B", "base")
    assert rows[("fim-model", "fim-plain")]["size"] == ""  # not in models.yaml: empty, not guessed
    # per suite: other-13b passes all of s1 and nothing of s2, with intervals
    assert float(other["suite:s1_score_pct"]) == 100.0 and float(other["suite:s2_score_pct"]) == 0.0
    assert float(acme["suite:s1_score_low"]) <= float(acme["suite:s1_score_pct"]) <= float(acme["suite:s1_score_high"])
    assert float(acme["score_low"]) < float(acme["score_pct"]) < float(acme["score_high"])
    assert {r["interval"] for r in table} == {"95% interval: percentile bootstrap over questions (1000 resamples, seed 0)"}
    # each model's best row: acme's chat template beats its completion one
    assert {(r["model"], r["template"]) for r in table if r["best"] == "True"} == {
        ("acme-7b-q4", "chat-simple"), ("other-13b", "chat-simple"), ("fim-model", "fim-plain")}
    md = (tmp_path / "out" / "leaderboard.md").read_text()
    best = md.split("## Best result per model", 1)[1]
    assert best.count("acme-7b-q4") == 1 and "completion" not in best
    header = md.splitlines()[2]
    for column in ("kind", "name", "size", "quant", "licence", "tags", "s1", "s2", "python", "javascript",
                   "overall (checks pooled)"):
        assert f" {column} " in header, column
    assert "every check of the row pooled" in md and "seed 0" in md  # the weighting and the method, stated
    assert "| s1 " in proc.stdout.replace("│", "|") and "Acme 7B" in proc.stdout


def test_models_flag_and_bad_models_file(tmp_path):
    path = crafted(tmp_path)
    proc = report(tmp_path, path)
    assert "model metadata: none (no ./models.yaml" in proc.stderr
    assert "size" not in next(csv.reader((tmp_path / "out" / "leaderboard.csv").open()))
    elsewhere = tmp_path / "meta.yaml"
    elsewhere.write_text(MODELS_YAML)
    assert f"model metadata: {elsewhere} (2 models)" in report(tmp_path, path, "--models", elsewhere).stderr
    elsewhere.write_text("models:\n  - id: x\n    sise: 7B\n")
    bad = subprocess.run([sys.executable, str(REPO / "report.py"), str(path), "--models", str(elsewhere),
                          "--output-dir", "out"], cwd=tmp_path, capture_output=True, text=True)
    assert bad.returncode == 2 and f"{elsewhere}: entry 1: unknown field(s) sise" in bad.stderr
    assert "Traceback" not in bad.stderr


def test_reference_metrics_are_shown_beside_the_pass_rates(tmp_path):
    metrics = [{"levenshtein": 0.5, "bleu": 0.25, "sequence_ratio": 0.75, "identifier_share": 1.0},
               {"levenshtein": 1.0, "bleu": 0.75, "sequence_ratio": 0.25, "identifier_share": 0.5}, None]
    rows = [record("m", "chat-simple", "s1", f"Q{i}", "python", 2 if i else 0, metrics[i]) for i in range(3)]
    rows.append(record("plain", "chat-simple", "s1", "Q9", "python", 2))
    with_metrics = write_records(tmp_path / "m.ndjson", rows)
    report(tmp_path, with_metrics, "--compare", write_records(tmp_path / "p.ndjson", rows[:3]))
    table = {r["model"]: r for r in csv.DictReader((tmp_path / "out" / "leaderboard.csv").open())}
    # the mean over the records that have them (the third has none)
    assert float(table["m"]["levenshtein_mean"]) == 0.75 and float(table["m"]["bleu_mean"]) == 0.5
    assert float(table["m"]["sequence_ratio_mean"]) == 0.5 and float(table["m"]["identifier_share_mean"]) == 0.75
    assert table["plain"]["levenshtein_mean"] == ""
    assert (table["m"]["passed"], table["m"]["answers_passed"]) == ("8", "4")  # two files pooled; pass/fail as crafted
    header = (tmp_path / "out" / "leaderboard.md").read_text().splitlines()[2]
    assert header.index("pass@1") < header.index("levenshtein") < header.index("runs")
    assert " BLEU " in header and " identifier share " in header
    groups = (tmp_path / "out" / "compare.md").read_text().split("## Groups", 1)[1].split("##", 1)[0]
    assert "0.750" in groups and "levenshtein" in groups
    assert "levenshtein" not in report(tmp_path, write_records(tmp_path / "none.ndjson", rows[3:])).stdout


def test_conversations_hook(tmp_path, monkeypatch, capsys):
    path = crafted(tmp_path)
    seen = []

    def write_conversations(paths, out_dir):  # stands in for the module another stage adds
        out_dir.mkdir(parents=True, exist_ok=True)
        seen.append((paths, out_dir))
        (out_dir / "one.md").write_text("conversation")
        return 1

    monkeypatch.setitem(sys.modules, "codeinterview.conversations",
                        types.SimpleNamespace(write_conversations=write_conversations))
    main([str(path), "--output-dir", str(tmp_path / "out"), "--conversations", str(tmp_path / "conv")])
    assert seen == [([path], tmp_path / "conv")] and (tmp_path / "conv" / "one.md").exists()
    assert "wrote 1 conversation file(s)" in capsys.readouterr().err
    monkeypatch.setitem(sys.modules, "codeinterview.conversations", None)  # as if not installed
    with pytest.raises(UserError, match="--conversations: this install has no codeinterview.conversations"):
        main([str(path), "--output-dir", str(tmp_path / "out"), "--conversations", str(tmp_path / "conv")])


def test_the_example_models_file_parses_and_the_leaderboard_imports_no_renderer():
    """models.example.yaml is a valid models.yaml; codeinterview.leaderboard imports
    no stage, renderer or CLI (renderers import it, never the reverse)."""
    import ast

    import yaml

    from codeinterview.leaderboard.models import parse

    catalog = parse(yaml.safe_load((REPO / "models.example.yaml").read_text()), "models.example.yaml")
    assert catalog.find("deepseek-coder-6.7b-q8_0").name == "DeepSeek Coder 6.7B"
    assert catalog.find("unknown") is None
    for path in (REPO / "codeinterview" / "leaderboard").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level:
                assert node.module is None or node.module.split(".")[0] not in (
                    "report", "compare", "html", "cli", "cli_main"), (path.name, node.module)


def test_feedback_rows_are_labelled_by_their_loop_and_compared_per_model_call(tmp_path):
    linear = {"max_attempts": 3, "reveal": "visible", "n_candidates": 1}
    tree = {**linear, "max_attempts": 4, "search": "tree", "n_candidates": 2,
            "feedback_model": {"executor": "openai", "model": "fixer"}, "review": {"with_verdict": False}}
    rows = [feedback_record("Q0", ["fail", "pass"], linear), feedback_record("Q1", ["fail", "fail", "fail"], linear),
            feedback_record("Q0", ["pass"], tree), feedback_record("Q1", ["fail", "fail", "fail", "pass"], tree)]
    path = write_records(tmp_path / "eval.ndjson", rows)
    proc = report(tmp_path, path)
    assert "m +feedback(3, visible)" in proc.stdout
    assert "m +feedback(4, visible, tree x2, repairs by fixer, reviewed)" in proc.stdout
    assert "Pass rate per model call spent" in proc.stdout
    with (tmp_path / "out" / "budget.csv").open() as handle:
        budget = {(r["model"], int(r["calls"])): (int(r["passed"]), float(r["tokens_per_answer"]))
                  for r in csv.DictReader(handle)}
    # linear: Q0 passed at call 2, Q1 never (3 calls); 20 tokens a call
    assert [budget["m +feedback(3, visible)", b] for b in (1, 2, 3)] == [(0, 20.0), (1, 40.0), (1, 50.0)]
    tree_row = "m +feedback(4, visible, tree x2, repairs by fixer, reviewed)"
    assert [budget[tree_row, b] for b in (1, 2, 3, 4)] == [(1, 20.0), (1, 30.0), (1, 40.0), (2, 50.0)]
    assert "## Pass rate per model call spent" in (tmp_path / "out" / "leaderboard.md").read_text()


def test_a_run_without_feedback_writes_no_budget(tmp_path):
    report(tmp_path, crafted(tmp_path))
    assert not (tmp_path / "out" / "budget.csv").exists()
