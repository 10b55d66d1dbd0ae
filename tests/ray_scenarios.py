"""Scenarios run inside the test's Ray cluster (tests/ray_cluster.py runs this
as its COMMAND); each writes WORKDIR/<scenario>.json for the test to check.

    python tests/ray_scenarios.py WORKDIR

WORKDIR holds the inputs the test made: answers.ndjson (slow, distinct
answers), prompts.ndjson and tiny.gguf.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
ADDRESS = os.environ.get("RAY_ADDRESS", "auto")


def stage(script: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(REPO / script), *args], cwd=REPO, capture_output=True,
                          text=True, timeout=300)


def background(script: str, *args: str, log: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(REPO / script), *args], cwd=REPO,
                            stdout=log.open("w"), stderr=subprocess.STDOUT)


def lines(path: Path) -> int:
    return path.read_text().count("\n") if path.exists() else 0


def wait_for_lines(path: Path, at_least: int, proc: subprocess.Popen, timeout: float = 180) -> int:
    deadline = time.monotonic() + timeout
    while lines(path) < at_least:
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"{path}: {lines(path)} lines, wanted {at_least} (exit {proc.poll()})")
        time.sleep(0.05)
    return lines(path)


def raylet_pid(port: int) -> int:
    """The raylet started with --node_manager_port=PORT (this PID namespace's /proc only)."""
    for proc in Path("/proc").iterdir():
        try:
            argv = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if argv and argv[0].endswith(b"/raylet") and f"--node_manager_port={port}".encode() in argv:
            return int(proc.name)
    raise RuntimeError(f"no raylet with node manager port {port}")


def save(workdir: Path, name: str, **result) -> None:
    (workdir / f"{name}.json").write_text(json.dumps(result))


def spread(workdir: Path) -> None:
    out = workdir / "spread.ndjson"
    proc = stage("evaluate.py", "--input", str(workdir / "answers.ndjson"), "--output", str(out), "--ray", ADDRESS)
    save(workdir, "spread", rc=proc.returncode, stderr=proc.stderr, output=str(out))


def resume(workdir: Path) -> None:
    out = workdir / "resume.ndjson"
    args = ("--input", str(workdir / "answers.ndjson"), "--output", str(out), "--ray", ADDRESS, "--batch-size", "4")
    first = background("evaluate.py", *args, log=workdir / "resume_killed.log")
    seen = wait_for_lines(out, 12, first)
    first.send_signal(signal.SIGKILL)
    first.wait()
    at_kill = lines(out)
    proc = stage("evaluate.py", *args)
    save(workdir, "resume", rc=proc.returncode, stderr=proc.stderr, output=str(out), seen=seen, at_kill=at_kill)


def kill_node(workdir: Path) -> None:
    out = workdir / "kill_node.ndjson"
    log = workdir / "kill_node.log"
    proc = background("evaluate.py", "--input", str(workdir / "answers.ndjson"), "--output", str(out),
                      "--ray", ADDRESS, "--batch-size", "4", log=log)
    seen = wait_for_lines(out, 12, proc)
    os.kill(raylet_pid(6402), signal.SIGKILL)  # worker node ci_b
    rc = proc.wait(timeout=300)
    save(workdir, "kill_node", rc=rc, stderr=log.read_text(), output=str(out), seen=seen)


def interview(workdir: Path) -> None:
    out = workdir / "interview.ndjson"
    proc = stage("interview.py", "--input", str(workdir / "prompts.ndjson"), "--executor", "llamacpp",
                 "--model", str(workdir / "tiny.gguf"), "--params", "greedy", "--samples", "2",
                 "--output", str(out), "--ray", ADDRESS)
    save(workdir, "interview", rc=proc.returncode, stderr=proc.stderr, output=str(out))


SCENARIOS = {"spread": spread, "resume": resume, "interview": interview, "kill_node": kill_node}

if __name__ == "__main__":
    workdir = Path(sys.argv[1])
    for name in sys.argv[2:] or SCENARIOS:  # kill_node last: it leaves one worker node
        began = time.monotonic()
        try:
            SCENARIOS[name](workdir)
        except Exception as exc:  # recorded for the test, and the next scenario still runs
            save(workdir, name, error=f"{type(exc).__name__}: {exc}")
        (workdir / f"{name}.seconds").write_text(f"{time.monotonic() - began:.1f}\n")
