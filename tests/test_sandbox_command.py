"""`codeinterview sandbox` (python -m codeinterview.sandbox) exits as the stages
do: 3 with one line on stderr when the Docker engine is down, 2 for a usage
mistake; `tag` needs no engine."""

import os
import subprocess
import sys

import pytest

from helpers import REPO

pytestmark = pytest.mark.fast  # no Docker engine, no server, no model

NO_DOCKER = "unix:///nonexistent/codeinterview-test/docker.sock"


def sandbox(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "codeinterview", "sandbox", *args], cwd=REPO,
                          env={**os.environ, "DOCKER_HOST": NO_DOCKER}, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("args", [("build",), ("build", "--all"), ("clean",)])
def test_docker_down_exits_3_with_one_line(args):
    proc = sandbox(*args)
    assert proc.returncode == 3, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("sandbox unavailable: Docker engine not reachable"), proc.stderr
    assert proc.stdout == ""


def test_tag_needs_no_engine_and_a_usage_mistake_exits_2():
    tag = sandbox("tag")
    assert tag.returncode == 0 and tag.stdout.startswith("codeinterview-sandbox:"), tag.stderr
    wrong = sandbox("build", "--family", "no-such-family")
    assert wrong.returncode == 2 and "invalid choice" in wrong.stderr
