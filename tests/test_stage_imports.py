"""What each stage loads: pandas is the leaderboard's (report), so prepare,
interview and evaluate never import it, not even prepare's run over a bundled
suite and an epoch of generated questions."""

import ast
import subprocess
import sys

import pytest

pytestmark = pytest.mark.fast  # no Docker engine, no server, no model

HEAVY = ("pandas", "nltk")


def loaded(code: str) -> list[str]:
    code += f"\nimport sys; print(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r}))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return ast.literal_eval(out.stdout.strip().splitlines()[-1])


def test_prepare_runs_without_pandas(tmp_path):
    assert loaded("from codeinterview.prepare import main\n"
                  f"main(['--interview', 'junior-dev', '--output', {str(tmp_path / 'a.ndjson')!r}])\n"
                  f"main(['--epoch', 'e1', '--output', {str(tmp_path / 'b.ndjson')!r}])") == []
    assert (tmp_path / "a.ndjson").stat().st_size and (tmp_path / "b.ndjson").stat().st_size


def test_interview_and_evaluate_import_no_pandas():
    assert loaded("import codeinterview.interview, codeinterview.evaluate") == []


def test_the_leaderboard_is_where_pandas_is():
    assert "pandas" in loaded("import codeinterview.report")
