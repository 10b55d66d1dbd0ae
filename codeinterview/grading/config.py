"""One grading config: the sandbox backend, its limits and the relative timeout
of program questions, from one set of flags shared by evaluate.py and the
feedback executor (interview.py), so "the same grader as evaluate.py" is
literally the same. Every default comes from sandbox.Limits and the two
timeout constants of program.py; eval records carry the config as `grading`.
"""

from __future__ import annotations

import argparse
from dataclasses import asdict, dataclass, field
from typing import Any, Iterable

from ..errors import UserError
from ..sandbox import BACKENDS, open_sandbox
from ..sandbox.types import Limits, Sandbox
from .program import DEFAULT_TIMEOUT_FACTOR, DEFAULT_TIMEOUT_FLOOR_S, RelativeTimeout
from .scoring import DEFAULT_SCORING, SCORINGS, Scoring


@dataclass(frozen=True)
class GradingConfig:
    backend: str = "docker"
    limits: Limits = field(default_factory=Limits)
    timeout_factor: float = DEFAULT_TIMEOUT_FACTOR
    timeout_floor_s: float = DEFAULT_TIMEOUT_FLOOR_S
    unsafe: bool = False   # --unsafe-process-sandbox: the user accepts the process backend
    scoring: Scoring = DEFAULT_SCORING  # --scoring: whose rules turn check results into credit

    def __post_init__(self):
        if self.backend not in BACKENDS:
            raise UserError(f"--sandbox {self.backend}: choose one of {', '.join(BACKENDS.names())}")
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
        parser.add_argument("--sandbox", choices=BACKENDS.names(), default="docker",
                            help="docker (default) or process: no isolation, needs --unsafe-process-sandbox")
        parser.add_argument("--unsafe-process-sandbox", action="store_true",
                            help="allow --sandbox process, which runs model code on this host UNISOLATED")
        parser.add_argument("--scoring", choices=SCORINGS.names(), default=DEFAULT_SCORING.value,
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

    def identity(self, languages: Iterable[str] | None = None) -> dict[str, Any]:
        """What makes two gradings comparable (the eval run's config, and each
        eval record's `grading`): backend, limits, timeouts, scoring, and what
        runs the answers: the docker images (`image`) or, for the process
        backend, the runner's sources (`runner`), of the families `languages`
        run in (None: every family), so an edit to another language's runner
        leaves the identity as it was."""
        from ..sandbox.image import BASE_FAMILY, families, image_tag, language_families, source_hash

        wanted = list(families()) if languages is None else language_families(languages)
        image: str | dict[str, str] | None = None
        if self.backend == "docker":
            tags = {family: image_tag(family) for family in wanted}
            # the base family alone is its tag, as before compiled languages existed
            image = tags[BASE_FAMILY] if list(tags) == [BASE_FAMILY] else tags
        out: dict[str, Any] = {"backend": self.backend, "image": image, "limits": asdict(self.limits),
                               "timeout_factor": self.timeout_factor, "timeout_floor_s": self.timeout_floor_s,
                               "scoring": self.scoring.value}
        if self.backend == "process":
            out["runner"] = {family: source_hash(family)[:12] for family in wanted}
        return out

    def relative_timeout(self) -> RelativeTimeout:
        return RelativeTimeout(factor=self.timeout_factor, floor_s=self.timeout_floor_s)

    def open_sandbox(self, workers: int) -> Sandbox:
        return open_sandbox(backend=self.backend, workers=workers, unsafe=self.unsafe)
