"""evaluate.py --ray and interview.py --ray on a real Ray cluster: a head and
two worker nodes, each its own `ray start`, inside a network + PID + UTS
namespace of this test's own (`unshare -n -p -f --mount-proc -u`, `lo` up):
Ray binds loopback only, every Ray process ends with the namespace, and nothing
needs `ray stop`. Docker is reached through its unix socket.

The head node has no Docker: it is started with DOCKER_HOST pointing at a
socket that does not exist, so its grader's engine check fails for real; it
must report itself and take no work. tests/ray_cluster.py starts the cluster,
tests/ray_scenarios.py runs the scenarios in it (one cluster for all: starting
one takes ~25 s on 2 cores), each leaving a JSON result checked here.
"""

from __future__ import annotations

import json
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from codeinterview.sandbox.docker_backend import remove_stray_containers
from fixtures_models import EXPECTED, write_tiny_gguf
from helpers import REPO, output_path, records, stage

SLEEP_S = 0.2   # each answer sleeps this long in the sandbox, so a kill lands mid-run


def slow_answers(interview: Path, out: Path) -> Path:
    """The reference answers made distinct (no verdict reuse) and slow."""
    rows = []
    for row in records(interview):
        head = f"```python\nimport time as _t; _t.sleep({SLEEP_S})  # sample {row['sample']}\n"
        row["answer"] = row["answer"].replace("```python\n", head, 1)
        rows.append(row)
    out.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return out


def remove_containers(hostname: str) -> None:
    """The namespace's sandbox containers (a killed node's grader never closed its own)."""
    remove_stray_containers(host=hostname)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory, sandbox_image) -> Path:
    work = tmp_path_factory.mktemp("ray")
    prompts = output_path(stage("prepare.py", "--interview", "junior-dev", "--languages", "python",
                                "--output", work / "prompts.ndjson"))
    answers = output_path(stage("interview.py", "--input", prompts, "--executor", "reference", "--samples", "4",
                                "--output", work / "reference.ndjson"))
    slow_answers(answers, work / "answers.ndjson")
    write_tiny_gguf(work / "tiny.gguf")
    hostname = f"ci-ray-{secrets.token_hex(3)}"
    try:
        proc = subprocess.run(["unshare", "-n", "-p", "-f", "--mount-proc", "-u", sys.executable,
                               str(REPO / "tests" / "ray_cluster.py"), str(work), hostname, "--",
                               sys.executable, str(REPO / "tests" / "ray_scenarios.py"), str(work)],
                              cwd=REPO, capture_output=True, text=True, timeout=540)
    finally:
        remove_containers(hostname)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return work


def result(work: Path, name: str) -> dict:
    path = work / f"{name}.json"
    assert path.exists(), f"scenario {name} left no result"
    found = json.loads(path.read_text())
    assert "error" not in found, found["error"]
    return found


def per_node(stderr: str) -> dict[str, str]:
    """The run summary's 'graded per node' lines: resource tag -> what it says."""
    block = stderr.split("graded per node:\n", 1)[1]
    return {m.group(1): m.group(2) for m in re.finditer(r"^  \S+ \S+ \[(ci_\w+)\]: (.*)$", block, re.M)}


def graded(n: str) -> int:
    return int(n.split()[0]) if n[0].isdigit() else 0


def assert_each_once(work: Path, out: str) -> list[dict]:
    rows = records(Path(out))
    keys = [(r["name"], r["sample"]) for r in rows]
    wanted = {(r["name"], r["sample"]) for r in records(work / "answers.ndjson")}
    assert len(keys) == len(set(keys)), "a record was written twice"
    assert set(keys) == wanted, f"missing: {sorted(wanted - set(keys))[:5]}"
    assert {r["status"] for r in rows} == {"pass"}
    return rows


def test_a_run_spreads_over_both_workers_and_the_node_without_docker_takes_none(cluster):
    run = result(cluster, "spread")
    assert run["rc"] == 0, run["stderr"][-2000:]
    rows = assert_each_once(cluster, run["output"])
    nodes = per_node(run["stderr"])
    assert graded(nodes["ci_a"]) > 0 and graded(nodes["ci_b"]) > 0
    assert graded(nodes["ci_a"]) + graded(nodes["ci_b"]) == len(rows)
    assert nodes["ci_head"].startswith("none (no working sandbox: SandboxUnavailable: Docker engine not reachable")
    assert "[ci_head]: no working sandbox, it takes no work" in run["stderr"]


def test_a_worker_node_killed_mid_run_loses_nothing_and_writes_nothing_twice(cluster):
    run = result(cluster, "kill_node")
    assert run["rc"] == 0, run["stderr"][-2000:]
    rows = assert_each_once(cluster, run["output"])
    assert 0 < run["seen"] < len(rows)  # the kill came mid-run
    assert re.search(r"lost \S+ \S+ \[ci_b\] \(\w+\); its unfinished batches go to the other nodes", run["stderr"])
    nodes = per_node(run["stderr"])
    assert nodes["ci_b"].endswith("(lost mid-run)")
    assert re.search(r"\d+ batches were re-sent after their node was lost", run["stderr"])
    assert graded(nodes["ci_a"]) + graded(nodes["ci_b"]) == len(rows)


def test_a_killed_driver_resumes_where_it_stopped(cluster):
    run = result(cluster, "resume")
    assert run["rc"] == 0, run["stderr"][-2000:]
    rows = assert_each_once(cluster, run["output"])
    assert 0 < run["at_kill"] < len(rows)
    resumed = int(re.search(r"resuming: (\d+) records already graded", run["stderr"]).group(1))
    assert resumed >= run["at_kill"]
    assert re.search(rf"^graded {len(rows) - resumed}: pass {len(rows) - resumed}$", run["stderr"], re.M)


def test_interview_spreads_prompts_over_model_replicas(cluster):
    run = result(cluster, "interview")
    assert run["rc"] == 0, run["stderr"][-2000:]
    rows = records(Path(run["output"]))
    prompts = records(cluster / "prompts.ndjson")
    keys = [(r["name"], r["sample"]) for r in rows]
    assert sorted(keys) == sorted((p["name"], s) for p in prompts for s in range(2))
    assert {r["answer"] for r in rows} == {EXPECTED}  # the tiny model's planted answer, from every replica
    assert {r["executor"] for r in rows} == {"llamacpp"}
    answered = re.findall(r"^  \S+ \S+ \[(ci_\w+)\]: (\d+) answers", run["stderr"], re.M)
    assert {tag for tag, n in answered if int(n) > 0} == {"ci_head", "ci_a", "ci_b"}


# --- errors before any cluster: no Docker, no Ray processes ---

@pytest.mark.fast
def test_an_unreachable_cluster_is_one_clear_error(tmp_path):
    answers = tmp_path / "a.ndjson"
    answers.write_text(json.dumps({"stage": "interview", "suite": "s", "name": "q", "language": "python",
                                   "sample": 0, "answer": "x", "question": {"Checks": {}}}) + "\n")
    proc = stage("evaluate.py", "--input", answers, "--output", tmp_path / "e.ndjson", "--ray", "127.0.0.1:1",
                 check=False)
    assert proc.returncode == 2, proc.stderr
    assert "--ray 127.0.0.1:1: no Ray cluster answers there" in proc.stderr
    assert "ray start --head" in proc.stderr


@pytest.mark.fast
def test_a_missing_ray_package_is_one_clear_error(tmp_path):
    code = ("import sys; sys.modules['ray'] = None\n"  # what an install without the extra looks like
            "from codeinterview.distributed.cluster import connect\n"
            "from codeinterview.errors import UserError\n"
            "try:\n    connect('auto')\nexcept UserError as exc:\n    print(exc)\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO)
    assert 'pip install -e ".[ray]"' in proc.stdout, proc.stderr


@pytest.mark.fast
def test_api_backends_are_told_they_need_no_ray(tmp_path):
    prompts = output_path(stage("prepare.py", "--interview", "junior-dev", "--languages", "python",
                                "--output", tmp_path / "p.ndjson"))
    proc = stage("interview.py", "--input", prompts, "--executor", "openai", "--model", "m",
                 "--ray", "127.0.0.1:1", check=False)
    assert proc.returncode == 2, proc.stderr
    assert "executor 'openai' needs no Ray" in proc.stderr
