import sys
from pathlib import Path

import pytest

# tests import their helper modules (helpers, conftest_sandbox, fixtures_models) directly
sys.path.insert(0, str(Path(__file__).resolve().parent))

# fixtures for every test module: the sandbox (sandbox_image, pool, solo_pool,
# host_secret) and the tiny models (tiny_gguf, llama_server)
pytest_plugins = ["conftest_sandbox", "fixtures_models"]

# The fast tier (`pytest -m fast`) needs no Docker engine, no server, no model.
SLOW_FIXTURES = {"sandbox_image", "pool", "solo_pool", "tiny_gguf", "llama_server"}
NO_DOCKER = "unix:///nonexistent/codeinterview-fast-tier/docker.sock"


def pytest_runtest_setup(item):
    """Before any fixture is built: a fast test may not ask for the sandbox or a model."""
    wanted = SLOW_FIXTURES.intersection(getattr(item, "fixturenames", ()))
    if wanted and item.get_closest_marker("fast"):
        pytest.fail(f"marked fast but uses {', '.join(sorted(wanted))}: drop the fast marker", pytrace=False)


@pytest.fixture(autouse=True)
def _fast_tests_reach_no_docker(request, monkeypatch):
    """A fast test (and any stage script it runs) sees a Docker engine that does not exist."""
    if request.node.get_closest_marker("fast"):
        monkeypatch.setenv("DOCKER_HOST", NO_DOCKER)


def pytest_report_header(config):
    from dataset_sample import full

    return "dataset tier: " + ("every task (CODEINTERVIEW_FULL_DATASETS=1)" if full()
                               else "a fixed sample per dataset (scripts/test.sh --full for every task)")


@pytest.fixture(autouse=True)
def _report_prints_every_column(monkeypatch):
    """report.py fits its terminal tables to COLUMNS: the scripts a test runs print every column unless
    it sets COLUMNS. readline (pytest loads it) puts COLUMNS=80 into the process environment behind
    os.environ's back; setting and deleting it through os.environ unsets it there too."""
    monkeypatch.setenv("COLUMNS", "")
    monkeypatch.delenv("COLUMNS")
