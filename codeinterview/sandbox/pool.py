"""WorkerPool: the Sandbox both backends are, a pool of warm runner workers.

A worker is one runner daemon (in a container, or a host process) spoken to
over a Channel: JSON request lines in, JSON response lines out. Each request
carries a fresh nonce the answer never sees; a response must echo it, so a
line forged onto the channel is ignored and taints the worker.
"""

from __future__ import annotations

import importlib.util
import itertools
import logging
import queue
import secrets
import threading
import time
from abc import ABC, abstractmethod
from typing import Optional

from .image import SANDBOX_DIR
from .types import CheckOutcome, Death, Job, JobResult, Limits, Sandbox, SandboxUnavailable

log = logging.getLogger("codeinterview.sandbox")
_ids = itertools.count(1)


def _load_codec():
    # One codec for the runner and the host: load the runner's copy by path.
    path = SANDBOX_DIR / "runner" / "codec.py"
    spec = importlib.util.spec_from_file_location("codeinterview_sandbox_codec", path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load the sandbox codec from {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


codec = _load_codec()


class WorkerDead(Exception):
    """The channel closed: the daemon (or its container) is gone."""


class WorkerTimeout(Exception):
    """No genuine response before the host deadline."""


class Worker(ABC):
    """Base for one daemon. Subclasses provide send(), read_line() and close()."""

    limits_key: tuple = ()
    suspicious = False  # saw a line that was not a genuine response

    def request(self, payload: dict, timeout_s: float) -> dict:
        rid, nonce = next(_ids), secrets.token_hex(16)
        self.send(dict(payload, id=rid, nonce=nonce))
        deadline = time.monotonic() + timeout_s
        while True:
            line = self.read_line(deadline)
            try:
                msg = codec_json_loads(line)
            except ValueError:
                msg = None
            if isinstance(msg, dict) and msg.get("id") == rid and msg.get("nonce") == nonce:
                return msg
            self.suspicious = True
            log.warning("ignoring a line on the runner channel that is not the response")

    def ping(self, timeout_s: float = 30.0) -> None:
        msg = self.request({"kind": "ping"}, timeout_s)
        if msg.get("status") != "pong":
            raise WorkerDead("runner did not answer the ping")

    @abstractmethod
    def send(self, payload: dict) -> None:
        """Write one request line to the daemon (WorkerDead when the channel is gone)."""

    @abstractmethod
    def read_line(self, deadline: float) -> bytes:
        """The daemon's next line (WorkerTimeout past `deadline`, WorkerDead when closed)."""

    @abstractmethod
    def close(self) -> None:
        """Stop the daemon and remove what it ran in."""

    def death(self, elapsed_s: float, deadline_s: float) -> Optional[Death]:
        """After WorkerDead: 'oom' or 'timeout' when the death explains itself, else None."""
        return None


def codec_json_loads(line: bytes):
    import json

    return json.loads(line)


def to_result(msg: dict, replaced: bool) -> JobResult:
    checks = [CheckOutcome(name=c["name"], value=codec.decode(c.get("value")),
                           error=c.get("error"), error_type=c.get("error_type"),
                           timeout=bool(c.get("timeout")), oom=bool(c.get("oom")),
                           traceback=c.get("traceback"))
              for c in msg.get("checks") or []]
    return JobResult(status=msg.get("status", "runtime_error"), function=msg.get("function"),
                     checks=checks, exit_code=msg.get("exit_code"),
                     stdout=msg.get("stdout") or "", stderr=msg.get("stderr") or "",
                     error=msg.get("error"), duration_s=float(msg.get("duration_s") or 0.0),
                     replaced=replaced, compile_s=msg.get("compile_s"),
                     compile_cached=msg.get("cached"), compile_server=msg.get("compile_server"),
                     run_s=msg.get("run_s"), report=_report(msg.get("report")))


def _report(value: object) -> dict[str, str]:
    """A tests job's report files, as the runner carried them (strings only)."""
    if not isinstance(value, dict):
        return {}
    return {str(k): v for k, v in value.items() if isinstance(v, str)}


def failed_result(job: Job, status: str, message: str, elapsed: float) -> JobResult:
    checks = [CheckOutcome(name=c.name, timeout=status == "timeout", oom=status == "oom",
                           error=message, error_type=status) for c in job.checks]
    return JobResult(status=status, checks=checks, error={"type": status, "message": message},
                     duration_s=round(elapsed, 4), replaced=True)


class WorkerPool(Sandbox):
    """The Sandbox of both backends: run(job) is safe from many threads; at most
    `workers` jobs of one image family run at once, each on a warm worker."""

    def __init__(self, workers: int = 1):
        if workers < 1:
            raise ValueError("workers must be >= 1")
        self.workers = workers
        # One set of slots per image family (base, cpp, java, ...), made on first use:
        # a worker only ever runs jobs of its own image.
        self._slots: dict[str, queue.Queue] = {}
        self._live: set = set()
        self._lock = threading.Lock()
        self._closed = False

    def _family_slots(self, family: str) -> queue.Queue:
        with self._lock:
            slots = self._slots.get(family)
            if slots is None:
                slots = self._slots[family] = queue.Queue()
                for _ in range(self.workers):
                    slots.put(None)  # None: start a worker lazily
            return slots

    # --- subclasses
    @abstractmethod
    def _start_worker(self, limits: Limits, family: str) -> Worker:
        """A fresh worker of the family's image, under the limits (not yet pinged)."""

    @staticmethod
    def _limits_key(limits: Limits, family: str) -> tuple:
        return ()

    # --- pool
    def _acquire(self, limits: Limits, family: str) -> Worker:
        if self._closed:
            raise SandboxUnavailable("sandbox is closed")
        slots = self._family_slots(family)
        worker = slots.get()
        if worker is not None and worker.limits_key != self._limits_key(limits, family):
            self._discard(worker)  # container-level limits differ: start a matching one
            worker = None
        if worker is None:
            try:
                worker = self._start_with_retry(limits, family)
            except BaseException:
                slots.put(None)
                raise
        return worker

    def _start_with_retry(self, limits: Limits, family: str) -> Worker:
        last = None
        for _ in range(2):
            worker = None
            try:
                worker = self._start_worker(limits, family)
                worker.limits_key = self._limits_key(limits, family)
                with self._lock:
                    self._live.add(worker)
                worker.ping()
                return worker
            except SandboxUnavailable:
                raise
            except Exception as exc:  # start failed or no pong: one more try
                last = exc
                log.warning("sandbox worker failed to start: %s", exc)
                if worker is not None:
                    self._discard(worker)
        raise SandboxUnavailable("sandbox worker failed to start twice: %s" % last)

    def _discard(self, worker: Worker) -> None:
        with self._lock:
            self._live.discard(worker)
        threading.Thread(target=worker.close, daemon=True).start()  # removal is slow; don't wait

    def run(self, job: Job) -> JobResult:
        request = job.to_request()
        host_timeout = job.host_deadline_s()
        family = job.image
        slots = self._family_slots(family)
        for attempt in range(2):
            worker = self._acquire(job.limits, family)
            keep = False
            start = time.monotonic()
            try:
                msg = worker.request(request, host_timeout)
                keep = not msg.get("tainted") and not worker.suspicious
                if msg.get("status") == "sandbox_error":
                    raise WorkerDead("runner error: %s" % (msg.get("error") or {}).get("message"))
                return to_result(msg, replaced=not keep)
            except WorkerTimeout:
                return failed_result(job, "timeout", "no response within the host deadline "
                                     "(%.1f s)" % host_timeout, time.monotonic() - start)
            except WorkerDead as exc:
                elapsed = time.monotonic() - start
                why = worker.death(elapsed, job.limits.timeout_s)
                if why:
                    return failed_result(job, why, "sandbox worker died: %s" % why, elapsed)
                log.warning("sandbox worker died (%s); %s", exc,
                            "retrying on a fresh one" if attempt == 0 else "giving up")
                if attempt == 1:
                    raise SandboxUnavailable("sandbox worker died twice running one job: %s" % exc) from exc
            finally:
                slots.put(worker if keep else None)
                if not keep:
                    self._discard(worker)
        raise AssertionError("unreachable")

    def close(self) -> None:
        self._closed = True
        with self._lock:
            live, self._live = list(self._live), set()
        for worker in live:
            try:
                worker.close()
            except Exception as exc:
                log.warning("closing a sandbox worker failed: %s", exc)
