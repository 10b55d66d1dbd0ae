"""The sandbox's typed interface: what a job is and what comes back."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Optional

from ..errors import InfrastructureError

# The runner's view of a job; the grader maps it onto the final status vocabulary.
STATUSES = ("ok", "syntax_error", "no_function", "runtime_error", "timeout", "oom")
LANGUAGES = ("python", "javascript")


class SandboxUnavailable(InfrastructureError):
    """The sandbox itself failed (engine down, image not buildable, containers keep
    dying): an infrastructure error, never a verdict on the answer."""


@dataclass(frozen=True)
class Limits:
    # The one source of grading defaults (evaluate.py's flags and the feedback executor's).
    timeout_s: float = 20.0        # whole job, enforced in the container and (+grace) on the host
    check_timeout_s: float = 5.0   # one check (or loading the answer)
    memory_mb: int = 512           # container memory, swap included
    cpus: float = 1.0
    pids: int = 64
    output_bytes: int = 65536      # per stream; the rest is drained and dropped

    def host_deadline_s(self) -> float:
        return self.timeout_s + max(2.0, 0.2 * self.timeout_s)


@dataclass(frozen=True)
class CheckSpec:
    name: str
    expr: str  # a Python expression over `f` (f.name, f.args[i].name, f.call(...))


@dataclass
class Job:
    language: str                  # "python" | "javascript"
    code: str
    kind: str = "function"         # "function" (checks) | "program" (whole program, exit code)
    function: Optional[str] = None  # the name from the question's Signature
    checks: list[CheckSpec] = field(default_factory=list)
    limits: Limits = field(default_factory=Limits)

    def __post_init__(self):
        if self.language not in LANGUAGES:
            raise ValueError("language must be one of %s, not %r" % (LANGUAGES, self.language))
        if self.kind not in ("function", "program"):
            raise ValueError("kind must be 'function' or 'program', not %r" % self.kind)
        self.checks = [c if isinstance(c, CheckSpec) else CheckSpec(**c) for c in self.checks]

    def to_request(self) -> dict:
        return {"kind": self.kind, "language": self.language, "code": self.code,
                "function": self.function, "checks": [asdict(c) for c in self.checks],
                "limits": asdict(self.limits)}


@dataclass
class CheckOutcome:
    name: str
    value: Any = None              # the expression's value, decoded to plain Python
    error: Optional[str] = None    # "Type: message" when the check raised
    error_type: Optional[str] = None
    timeout: bool = False
    oom: bool = False
    traceback: Optional[str] = None  # last lines of the answer's traceback, if any


@dataclass
class JobResult:
    status: str
    function: Optional[dict] = None  # {"name", "args", "fallback"}
    checks: list[CheckOutcome] = field(default_factory=list)
    exit_code: Optional[int] = None
    stdout: str = ""
    stderr: str = ""
    error: Optional[dict] = None     # {"type", "message", "line"?, "traceback"?}
    duration_s: float = 0.0
    replaced: bool = False           # the worker was discarded after this job
