"""One grading config: the sandbox backend, its limits and the relative timeout
of program questions, from one set of flags shared by evaluate.py and the
feedback executor (interview.py), so "the same grader as evaluate.py" is
literally the same. Every default comes from sandbox.Limits and the two
timeout constants here; eval records carry the config as `grading`.
"""

from __future__ import annotations

import argparse
from dataclasses import asdict, dataclass, field
from typing import Any

from .errors import UserError
from .sandbox.types import Limits
from .scoring import SCORINGS, Scoring

BACKENDS = ("docker", "process")
DEFAULT_TIMEOUT_FACTOR = 4.0   # program questions: max(floor, factor x the reference's runtime)
DEFAULT_TIMEOUT_FLOOR_S = 3.0


@dataclass(frozen=True)
class GradingConfig:
    backend: str = "docker"
    limits: Limits = field(default_factory=Limits)
    timeout_factor: float = DEFAULT_TIMEOUT_FACTOR
    timeout_floor_s: float = DEFAULT_TIMEOUT_FLOOR_S
    unsafe: bool = False   # --unsafe-process-sandbox: the user accepts the process backend
    scoring: Scoring = Scoring.CODEINTERVIEW  # --scoring: whose rules turn check results into credit

    def __post_init__(self):
        if self.backend not in BACKENDS:
            raise UserError(f"--sandbox {self.backend}: choose one of {', '.join(BACKENDS)}")
        if self.backend == "process" and not self.unsafe:
            raise UserError("--sandbox process runs model code on this host without isolation; "
                            "add --unsafe-process-sandbox if you accept that")
        if self.timeout_factor < 0 or self.timeout_floor_s <= 0:
            raise UserError("--timeout-factor must be >= 0 and --timeout-floor > 0")
        if self.limits.timeout_s <= 0 or self.limits.check_timeout_s <= 0 or self.limits.memory_mb < 16:
            raise UserError("--job-timeout and --check-timeout must be > 0, --memory-mb at least 16")
        if self.limits.compile_timeout_s <= 0 or self.limits.compile_memory_mb < 64:
            raise UserError("--compile-timeout must be > 0, --compile-memory-mb at least 64")

    @staticmethod
    def add_arguments(parser: argparse.ArgumentParser | Any) -> None:
        """The grading flags (evaluate.py's, and the feedback executor's in interview.py)."""
        default = Limits()
        parser.add_argument("--sandbox", choices=BACKENDS, default="docker",
                            help="docker (default) or process: no isolation, needs --unsafe-process-sandbox")
        parser.add_argument("--unsafe-process-sandbox", action="store_true",
                            help="allow --sandbox process, which runs model code on this host UNISOLATED")
        parser.add_argument("--scoring", choices=SCORINGS, default=Scoring.CODEINTERVIEW.value,
                            help="codeinterview (default): our documented rules; can-ai-code: "
                                 "can-ai-code's evaluate.py rules, to compare with its leaderboard")
        parser.add_argument("--check-timeout", type=float, default=default.check_timeout_s,
                            help=f"seconds per check (default {default.check_timeout_s:g})")
        parser.add_argument("--job-timeout", type=float, default=default.timeout_s,
                            help=f"seconds per answer, all checks together (default {default.timeout_s:g})")
        parser.add_argument("--memory-mb", type=int, default=default.memory_mb,
                            help=f"sandbox memory limit (default {default.memory_mb})")
        parser.add_argument("--compile-timeout", type=float, default=default.compile_timeout_s,
                            help=f"compiled languages: seconds to compile one program, before the run's own "
                                 f"timeout (default {default.compile_timeout_s:g})")
        parser.add_argument("--compile-memory-mb", type=int, default=default.compile_memory_mb,
                            help=f"compiled languages: the container's memory while compiling; the run keeps "
                                 f"--memory-mb (default {default.compile_memory_mb})")
        parser.add_argument("--timeout-factor", type=float, default=DEFAULT_TIMEOUT_FACTOR,
                            help="program questions: timeout = max(floor, factor x the reference's runtime) "
                                 f"(default {DEFAULT_TIMEOUT_FACTOR:g}; 0: a fixed timeout of --timeout-floor)")
        parser.add_argument("--timeout-floor", type=float, default=DEFAULT_TIMEOUT_FLOOR_S,
                            help=f"program questions: the least timeout in seconds "
                                 f"(default {DEFAULT_TIMEOUT_FLOOR_S:g})")

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> "GradingConfig":
        limits = Limits(timeout_s=args.job_timeout, check_timeout_s=args.check_timeout,
                        memory_mb=args.memory_mb, compile_timeout_s=args.compile_timeout,
                        compile_memory_mb=args.compile_memory_mb)
        return cls(backend=args.sandbox, limits=limits, timeout_factor=args.timeout_factor,
                   timeout_floor_s=args.timeout_floor, unsafe=args.unsafe_process_sandbox,
                   scoring=Scoring(args.scoring))

    def identity(self) -> dict[str, Any]:
        """What makes two gradings comparable (the eval run's config, and each
        eval record's `grading`): backend, sandbox image, limits, timeouts, scoring."""
        image = None
        if self.backend == "docker":
            from .sandbox.image import image_tag, image_tags
            # the base tag alone while no compiled language exists keeps older runs' ids
            tags = image_tags()
            image = image_tag() if len(tags) == 1 else tags
        return {"backend": self.backend, "image": image, "limits": asdict(self.limits),
                "timeout_factor": self.timeout_factor, "timeout_floor_s": self.timeout_floor_s,
                "scoring": self.scoring.value}

    def relative_timeout(self):
        from .benchmarks.program import RelativeTimeout
        return RelativeTimeout(factor=self.timeout_factor, floor_s=self.timeout_floor_s)

    def open_sandbox(self, workers: int):
        from .sandbox import open_sandbox
        return open_sandbox(backend=self.backend, workers=workers, unsafe=self.unsafe)
