"""The sandbox's typed interface: what a job is, what comes back, and what a
backend is (Sandbox: run a Job, close; codeinterview.sandbox.BACKENDS names them)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import asdict, dataclass, field
from typing import Any, Literal, Optional, TypedDict

from ..errors import InfrastructureError

# The runner's view of a job; the grader maps it onto the final status vocabulary.
STATUSES = ("ok", "syntax_error", "compile_error", "no_function", "runtime_error", "timeout", "oom")


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
    # Compiled languages: compiling is a step of its own, before the timeout above starts.
    compile_timeout_s: float = 60.0
    compile_memory_mb: int = 1536  # their containers get max(memory_mb, this); runs keep memory_mb

    def host_deadline_s(self, compiled: bool = False) -> float:
        total = self.timeout_s + (self.compile_timeout_s if compiled else 0.0)
        return total + max(2.0, 0.2 * total)


@dataclass(frozen=True)
class CheckSpec:
    name: str
    expr: str  # a Python expression over `f` (f.name, f.args[i].name, f.call(...))


@dataclass
class Job:
    language: str                  # a registered language's name (codeinterview.languages)
    code: str
    kind: str = "function"         # "function" (checks) | "program" (whole program, exit code)
    #                                | "tests" (a test framework over `files`: an exercise)
    function: Optional[str] = None  # the name from the question's Signature
    checks: list[CheckSpec] = field(default_factory=list)
    limits: Limits = field(default_factory=Limits)
    # CODEINTERVIEW_* variables for the run step of a program job (the finish token
    # of a compiled language: kept out of the source, which the compile cache keys on)
    env: dict[str, str] = field(default_factory=dict)
    # tests jobs: every file of the run (relative path -> text) and which of them the
    # framework is to run; the report comes back in JobResult.report
    files: dict[str, str] = field(default_factory=dict)
    tests: list[str] = field(default_factory=list)

    def __post_init__(self):
        from .. import languages

        if not languages.is_known(self.language):
            raise ValueError("language must be one of %s, not %r" % (languages.names(), self.language))
        self.language = languages.get(self.language).name
        if any(not key.startswith("CODEINTERVIEW_") for key in self.env):
            raise ValueError("a job's env holds CODEINTERVIEW_* variables only, not %s" % sorted(self.env))
        if self.kind not in ("function", "program", "tests"):
            raise ValueError("kind must be 'function', 'program' or 'tests', not %r" % self.kind)
        if self.kind == "function" and not languages.get(self.language).function_bridge:
            raise ValueError("%s has no function-call bridge: grade it with a program job"
                             % languages.get(self.language).display)
        self.checks = [c if isinstance(c, CheckSpec) else CheckSpec(**c) for c in self.checks]

    @property
    def image(self) -> str:
        """The sandbox image family this job runs in."""
        from .. import languages

        return languages.get(self.language).image

    def host_deadline_s(self) -> float:
        from .. import languages

        return self.limits.host_deadline_s(compiled=languages.get(self.language).compiled)

    def to_request(self) -> dict:
        return {"kind": self.kind, "language": self.language, "code": self.code,
                "function": self.function, "checks": [asdict(c) for c in self.checks],
                "limits": asdict(self.limits), "env": dict(self.env),
                **({"files": dict(self.files), "tests": list(self.tests)} if self.kind == "tests" else {})}


@dataclass
class CheckOutcome:
    name: str
    value: Any = None              # the expression's value, decoded to plain Python
    error: Optional[str] = None    # "Type: message" when the check raised
    error_type: Optional[str] = None
    timeout: bool = False
    oom: bool = False
    traceback: Optional[str] = None  # last lines of the answer's traceback, if any


class FunctionInfo(TypedDict, total=False):
    """The function a function job bound (as the runner reports it)."""
    name: str
    args: list[str]
    fallback: bool      # not the Signature's name: the only function the answer defines


class JobError(TypedDict, total=False):
    """Why a job did not run to its checks (as the runner reports it)."""
    type: str
    message: str
    line: Optional[int]
    traceback: str


# What a worker's death explains by itself (Worker.death), else None.
Death = Literal["oom", "timeout"]


@dataclass
class JobResult:
    status: str                      # one of STATUSES
    function: Optional[FunctionInfo] = None
    checks: list[CheckOutcome] = field(default_factory=list)
    exit_code: Optional[int] = None
    stdout: str = ""
    stderr: str = ""
    error: Optional[JobError] = None
    duration_s: float = 0.0
    replaced: bool = False           # the worker was discarded after this job
    compile_s: Optional[float] = None  # compiled languages: the compile step (0 when cached)
    compile_cached: Optional[bool] = None  # the worker's compile cache had this program
    compile_server: Optional[bool] = None  # compiled by the worker's compile server (javac), not a fresh process
    run_s: Optional[float] = None    # program jobs: the run step alone
    report: dict[str, str] = field(default_factory=dict)  # tests jobs: report file name -> text


class Sandbox(ABC):
    """A sandbox backend: runs jobs on `workers` warm runners per image family.

    `run` is safe from many threads and never raises for what the answer did
    (that is in the JobResult); SandboxUnavailable means the sandbox itself
    failed. A backend is registered in codeinterview.sandbox.BACKENDS."""

    backend: str = "?"     # its name in BACKENDS (--sandbox)
    workers: int = 1

    @classmethod
    @abstractmethod
    def open(cls, workers: int = 1, image: Optional[str] = None, unsafe: bool = False) -> "Sandbox":
        """A started sandbox of `workers` runners per family. `image`: the base image
        to use (docker); `unsafe`: the user accepts a backend without isolation."""

    @abstractmethod
    def run(self, job: Job) -> JobResult:
        """Run one job on a worker of its image family."""

    @abstractmethod
    def close(self) -> None:
        """Stop every worker; a closed sandbox runs no more jobs."""

    def __enter__(self) -> "Sandbox":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
