"""Run untrusted answers: a pool of locked-down Docker containers (or, unsafe and
opt-in, host processes) sharing one runner and one result format.

    with open_sandbox(workers=4) as sb:
        result = sb.run(Job("python", code, function="fib",
                            checks=[CheckSpec("v5", "f.call(5)")]))

Every backend is a `Sandbox` (types.py: run a Job, close) registered in
BACKENDS; a new one is one module plus one `.add` line here.
"""

from __future__ import annotations

from typing import Optional

from ..registry import Registry
from .image import build, ensure_image, image_tag
from .types import CheckOutcome, CheckSpec, Job, JobResult, Limits, Sandbox, SandboxUnavailable

__all__ = ["open_sandbox", "BACKENDS", "Sandbox", "Job", "JobResult", "CheckSpec", "CheckOutcome",
           "Limits", "SandboxUnavailable", "ensure_image", "build", "image_tag"]

BACKENDS: Registry[type[Sandbox]] = Registry("sandbox backend", __name__, flag="--sandbox")
BACKENDS.add("docker", ".docker_backend:DockerSandbox",
             summary="warm, locked-down containers (the default)")
BACKENDS.add("process", ".process:ProcessSandbox",
             summary="host processes, NO isolation (needs --unsafe-process-sandbox)")


def open_sandbox(backend: str = "docker", workers: int = 1, image: Optional[str] = None,
                 unsafe: bool = False) -> Sandbox:
    """A pool of `workers` warm runners. "docker" builds the image if it is missing;
    "process" runs answers on the host and requires unsafe=True."""
    return BACKENDS.get(backend).open(workers=workers, image=image, unsafe=unsafe)
