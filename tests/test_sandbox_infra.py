"""Infrastructure: a container that dies under a job (killed from outside
through the real Docker engine, the one fault an answer cannot cause on
demand) is retried on a fresh one, a failure that persists becomes a
sandbox_error, never the answer's fault; `clean` removes old images."""

import io
import subprocess
import sys
import threading
import time

import docker
import pytest

from codeinterview.grading.answer import grade_answer
from codeinterview.questions import question_from_fields
from codeinterview.sandbox import Limits, SandboxUnavailable, open_sandbox
from codeinterview.sandbox.docker_backend import OWNER_LABEL, owned
from codeinterview.sandbox.native_root import FILLER_LABEL
from conftest_sandbox import job

SLOW = "import time\ndef f(x):\n    time.sleep(2)\n    return x * 2\n"
LIMITS = Limits(timeout_s=20.0, check_timeout_s=10.0, memory_mb=192)


class Killer(threading.Thread):
    """Kills the first `times` sandbox containers of this test process that
    appear after it starts, each 0.5 s into its life (mid-job). Only its own:
    another run's containers on the same engine are neither killed nor counted."""

    def __init__(self, times: int):
        super().__init__(daemon=True)
        self.client = docker.from_env()
        self.before = self._ids()
        self.times, self.killed, self.stop = times, [], threading.Event()

    def _ids(self):
        # sandbox workers only: not the containers that fill the image's volumes
        mine = f"{OWNER_LABEL}={owned()[OWNER_LABEL]}"
        return {c["Id"] for c in self.client.api.containers(filters={"label": mine})
                if FILLER_LABEL not in (c.get("Labels") or {})}

    def run(self):
        while len(self.killed) < self.times and not self.stop.is_set():
            fresh = self._ids() - self.before - set(self.killed)
            for cid in fresh:
                time.sleep(0.5)
                try:
                    self.client.containers.get(cid).kill()
                except docker.errors.APIError:
                    pass
                self.killed.append(cid)
            time.sleep(0.05)

    def finish(self):
        """Wait until the killer has recorded its kills (the pool can see a
        container die before the kill call returns here), then stop it."""
        self.join(timeout=15)
        self.stop.set()


def test_a_container_killed_mid_job_is_replaced_and_the_job_retried(sandbox_image):
    killer = Killer(times=1)
    with open_sandbox(workers=1, image=sandbox_image) as sb:
        killer.start()
        result = sb.run(job("python", SLOW, [("v", "f.call(21)")], limits=LIMITS))
        killer.finish()
        assert len(killer.killed) == 1
        assert result.status == "ok" and result.checks[0].value == 42, result
        # the pool goes on with a fresh container
        assert sb.run(job("python", "def f(x):\n    return x\n", [("v", "f.call(7)")])).checks[0].value == 7


def test_a_failure_that_persists_is_a_sandbox_error(sandbox_image):
    killer = Killer(times=2)
    with open_sandbox(workers=1, image=sandbox_image) as sb:
        killer.start()
        with pytest.raises(SandboxUnavailable, match="died twice"):
            sb.run(job("python", SLOW, [("v", "f.call(21)")], limits=LIMITS))
        killer.finish()
        assert len(killer.killed) == 2

        # through the grader: recorded as sandbox_error (retried on the next run), not a failure of the answer
        question = question_from_fields("Double", {
            "Signature": "f(x)", "Input": "x", "Output": "2x",
            "Checks": {"v": {"assert": "f.call(21)", "eq": 42}}}, "infra", "test")
        killer = Killer(times=2)
        killer.start()
        graded = grade_answer(sb, question, "python", f"```python\n{SLOW}```", None, LIMITS)
        killer.finish()
        assert graded["status"] == "sandbox_error" and graded["passed"] == 0
        assert "died twice" in graded["error"]


def test_clean_removes_images_of_earlier_sandbox_versions(sandbox_image):
    client = docker.from_env()
    repo = sandbox_image.split(":")[0]
    old, in_use = f"{repo}:0ld0ld0ld0ld", f"{repo}:0ld1n0use000"
    # two "earlier versions": distinct images (a label on top of the current one)
    for tag in (old, in_use):
        dockerfile = io.BytesIO(f"FROM {sandbox_image}\nLABEL codeinterview.test={tag[-12:]}\n".encode())
        client.images.build(fileobj=dockerfile, tag=tag, pull=False, rm=True)
    user = client.containers.create(in_use, command=["true"])
    try:
        done = subprocess.run([sys.executable, "-m", "codeinterview.sandbox", "clean"],
                              capture_output=True, text=True, check=True)
        tags = {t for img in client.images.list(name=repo) for t in img.tags}
        assert old not in tags and f"\n  {old}\n" in done.stdout + "\n"
        assert in_use in tags and f"kept {in_use}" in done.stderr  # a container still uses it
        assert sandbox_image in tags  # the current version stays
    finally:
        user.remove(force=True)
        for tag in (old, in_use):
            try:
                client.images.remove(tag)
            except docker.errors.ImageNotFound:
                pass
