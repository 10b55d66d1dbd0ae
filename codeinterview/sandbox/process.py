"""Process backend: the same runner daemon as a plain host process. UNSAFE.

It runs model-written code on this machine as this user, with no isolation
beyond rlimits and a scrubbed environment. For machines without Docker only,
and only when asked for explicitly (unsafe=True).
"""

from __future__ import annotations

import json
import logging
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time

from .image import SANDBOX_DIR
from .pool import Worker, WorkerDead, WorkerPool, WorkerTimeout
from .types import Limits

log = logging.getLogger("codeinterview.sandbox")
UNSAFE_MESSAGE = ("the process backend runs model-written code directly on this host, "
                  "without any isolation; pass unsafe=True (--unsafe) only if you accept that")


class ProcessWorker(Worker):
    def __init__(self):
        self.workdir = tempfile.mkdtemp(prefix="codeinterview-work-")
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8",
               "CODEINTERVIEW_WORK": self.workdir}  # nothing else from the host
        self.proc = subprocess.Popen(
            [sys.executable, "-I", str(SANDBOX_DIR / "runner" / "daemon.py"), "--process"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            env=env, cwd=self.workdir, start_new_session=True)
        assert self.proc.stdin is not None and self.proc.stdout is not None  # both are PIPEs
        self.stdin, self.stdout = self.proc.stdin, self.proc.stdout
        self.buf = b""

    def send(self, payload: dict) -> None:
        try:
            self.stdin.write((json.dumps(payload) + "\n").encode())
            self.stdin.flush()
        except OSError as exc:
            raise WorkerDead("runner process gone: %s" % exc) from exc

    def read_line(self, deadline: float) -> bytes:
        fd = self.stdout.fileno()
        while b"\n" not in self.buf:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise WorkerTimeout()
            ready, _, _ = select.select([fd], [], [], remaining)
            if not ready:
                raise WorkerTimeout()
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                raise WorkerDead("runner process exited")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return line

    def close(self) -> None:
        try:
            os.killpg(self.proc.pid, 9)
        except OSError:
            pass
        self.proc.wait()
        shutil.rmtree(self.workdir, ignore_errors=True)


class ProcessSandbox(WorkerPool):
    backend = "process"

    def __init__(self, workers: int = 1, unsafe: bool = False):
        if not unsafe:
            raise ValueError(UNSAFE_MESSAGE)
        super().__init__(workers)
        log.warning("UNSAFE: %s", UNSAFE_MESSAGE)
        print("WARNING: UNSAFE sandbox backend: " + UNSAFE_MESSAGE, file=sys.stderr)

    @classmethod
    def open(cls, workers: int = 1, image: str | None = None, unsafe: bool = False) -> "ProcessSandbox":
        return cls(workers=workers, unsafe=unsafe)  # (the host's own toolchains: no image)

    def _start_worker(self, limits: Limits, family: str) -> Worker:
        return ProcessWorker()  # the host's own toolchains, whatever the family
