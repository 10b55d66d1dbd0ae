"""Run untrusted answers: a pool of locked-down Docker containers (or, unsafe and
opt-in, host processes) sharing one runner and one result format.

    with open_sandbox(workers=4) as sb:
        result = sb.run(Job("python", code, function="fib",
                            checks=[CheckSpec("v5", "f.call(5)")]))
"""

from __future__ import annotations

from typing import Optional

from .image import build, ensure_image, image_tag
from .pool import Sandbox
from .types import CheckOutcome, CheckSpec, Job, JobResult, Limits, SandboxUnavailable

__all__ = ["open_sandbox", "Sandbox", "Job", "JobResult", "CheckSpec", "CheckOutcome",
           "Limits", "SandboxUnavailable", "ensure_image", "build", "image_tag"]


def open_sandbox(backend: str = "docker", workers: int = 1, image: Optional[str] = None,
                 unsafe: bool = False) -> Sandbox:
    """A pool of `workers` warm runners. "docker" builds the image if it is missing;
    "process" runs answers on the host and requires unsafe=True."""
    if backend == "docker":
        from .docker_backend import DockerSandbox

        return DockerSandbox(workers=workers, image=image)
    if backend == "process":
        from .process import ProcessSandbox

        return ProcessSandbox(workers=workers, unsafe=unsafe)
    raise ValueError("unknown sandbox backend %r (docker or process)" % backend)
