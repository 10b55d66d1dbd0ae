"""Docker backend: warm, locked-down containers each running the runner daemon.

The daemon is the container's PID 1 (our own minimal init: it reaps orphans
and kills every other process between jobs). Being PID 1 and non-dumpable, it
cannot be signalled by the answer, and no other process holds the container's
stdio, which is the result channel (attached through the Docker API; no
network, no host mount).
"""

from __future__ import annotations

import atexit
import logging
import os
import select
import socket
import struct
import threading
import time
import weakref

from .image import BASE_FAMILY, LABEL, docker_client, ensure_image
from .pool import Worker, WorkerDead, WorkerPool, WorkerTimeout
from . import native_root
from .types import Death, Limits, SandboxUnavailable

log = logging.getLogger("codeinterview.sandbox")
OWNER_LABEL = LABEL + ".owner"
DAEMON_CMD = ["python3", "-I", "/opt/runner/daemon.py"]
# The runner starts as root holding only these, and drops them all before it reads a job
# (sandbox/runner/confine.py): to start a compile server under a uid of its own, then
# become the sandbox user with an empty bounding set.
RUNNER_CAPABILITIES = ["SETUID", "SETGID", "SETPCAP"]
COMPILE_SERVERS_ENV = "CODEINTERVIEW_SANDBOX_COMPILE_SERVERS"  # 0: compile every program cold


def owned() -> dict:
    """The labels of a container this process owns (remove_stray_containers reads them)."""
    return {LABEL: "1", OWNER_LABEL: "%s:%d" % (socket.gethostname(), os.getpid())}


def container_options(image: str, limits: Limits, swap_ok: bool, compiled: bool = False,
                      root_volume: str | None = None) -> dict:
    """compiled: a compiled language's family: the work directory may hold
    executables, a compile cache beside it, and memory enough to compile.
    root_volume: the image's root on a local volume, which the runner enters
    before any job (native_root.py); None: the container's own root."""
    mem = "%dm" % (max(limits.memory_mb, limits.compile_memory_mb) if compiled else limits.memory_mb)
    tmpfs = {"/work": "rw,nosuid,nodev,noexec,size=64m,mode=0700,uid=10001,gid=10001",
             "/tmp": "rw,nosuid,nodev,noexec,size=16m,mode=1777"}
    if compiled:
        tmpfs["/work"] = "rw,nosuid,nodev,exec,size=512m,mode=0700,uid=10001,gid=10001"
        tmpfs["/tmp"] = "rw,nosuid,nodev,exec,size=64m,mode=1777"
        tmpfs["/cache"] = "rw,nosuid,nodev,exec,size=128m,mode=0700,uid=10001,gid=10001"
    opts = dict(
        image=image, command=DAEMON_CMD, detach=True, stdin_open=True, tty=False,
        network_mode="none", read_only=True, user="0:0", cap_add=list(RUNNER_CAPABILITIES),
        tmpfs=tmpfs,
        shm_size=1 << 20,
        cap_drop=["ALL"], security_opt=["no-new-privileges"],
        mem_limit=mem, nano_cpus=int(limits.cpus * 1e9), pids_limit=limits.pids,
        environment=({"CODEINTERVIEW_COMPILE_SERVERS": "0"}
                     if os.environ.get(COMPILE_SERVERS_ENV, "1").strip() == "0" else {}),
        hostname="sandbox", working_dir="/work",
        labels=owned(),
        log_config={"type": "json-file", "config": {"max-size": "1m"}},
        ulimits=[{"Name": "core", "Soft": 0, "Hard": 0},
                 {"Name": "nofile", "Soft": 1024, "Hard": 1024}],
    )
    if swap_ok:
        opts["memswap_limit"] = mem  # equal to memory: no swap at all
    return native_root.container_options(opts, root_volume) if root_volume else opts


class ContainerWorker(Worker):
    def __init__(self, client, image: str, limits: Limits, swap_ok: bool, compiled: bool = False):
        options = container_options(image, limits, swap_ok, compiled, native_root.volume_for(client, image, owned()))
        self.container = client.containers.create(**options)
        # Attach before start so no byte of the daemon's output is missed.
        attached = self.container.attach_socket(params={"stdin": 1, "stdout": 1, "stream": 1})
        self.sock = getattr(attached, "_sock", attached)
        self._keep = attached  # the wrapper owns the socket's lifetime
        self.buf = b""         # demultiplexed stdout bytes
        self.raw = b""         # undecoded frame bytes
        self.container.start()

    def send(self, payload: dict) -> None:
        import json

        try:
            self.sock.sendall((json.dumps(payload) + "\n").encode())
        except OSError as exc:
            raise WorkerDead("cannot write to the container: %s" % exc) from exc

    def _fill(self, deadline: float) -> None:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise WorkerTimeout()
        ready, _, _ = select.select([self.sock], [], [], remaining)
        if not ready:
            raise WorkerTimeout()
        try:
            chunk = self.sock.recv(1 << 20)
        except OSError as exc:
            raise WorkerDead("attach socket failed: %s" % exc) from exc
        if not chunk:
            raise WorkerDead("container output closed")
        self.raw += chunk
        # tty=False: 8-byte headers (stream, 0, 0, 0, size big-endian) before each payload
        while len(self.raw) >= 8:
            stream, size = self.raw[0], struct.unpack(">I", self.raw[4:8])[0]
            if len(self.raw) < 8 + size:
                break
            if stream == 1:
                self.buf += self.raw[8:8 + size]
            self.raw = self.raw[8 + size:]

    def read_line(self, deadline: float) -> bytes:
        while b"\n" not in self.buf:
            self._fill(deadline)
        line, self.buf = self.buf.split(b"\n", 1)
        return line

    def death(self, elapsed_s: float, deadline_s: float) -> Death | None:
        try:
            self.container.wait(timeout=5)
            self.container.reload()
            state = self.container.attrs["State"]
        except Exception:
            return None
        if state.get("OOMKilled"):
            return "oom"
        if state.get("ExitCode") == 137 and elapsed_s >= deadline_s:
            return "timeout"
        return None

    def close(self) -> None:
        try:
            self._keep.close()
        except Exception:
            pass
        try:
            self.container.remove(force=True)
        except Exception as exc:
            if "404" not in str(exc) and "No such container" not in str(exc):
                log.warning("removing sandbox container failed: %s", exc)


class DockerSandbox(WorkerPool):
    backend = "docker"

    def __init__(self, workers: int = 1, image: str | None = None):
        super().__init__(workers)
        self.client = docker_client()
        remove_stray_containers(self.client)
        # family -> image tag; the base image is built now, the others on first use
        self.images = {BASE_FAMILY: image or ensure_image(self.client)}
        self._image_lock = threading.Lock()
        info = self.client.info()
        self.swap_ok = bool(info.get("SwapLimit"))
        if not self.swap_ok:
            log.warning("this Docker engine cannot limit swap; memory is limited without "
                        "swap accounting (enable swapaccount=1 to close this gap)")
        atexit.register(_close_ref, weakref.ref(self))

    @classmethod
    def open(cls, workers: int = 1, image: str | None = None, unsafe: bool = False) -> "DockerSandbox":
        return cls(workers=workers, image=image)

    @property
    def image(self) -> str:
        return self.images[BASE_FAMILY]

    def image_for(self, family: str) -> str:
        with self._image_lock:  # one build per family, however many threads ask
            if family not in self.images:
                self.images[family] = ensure_image(self.client, family)
            return self.images[family]

    @staticmethod
    def _limits_key(limits: Limits, family: str) -> tuple:
        if family == BASE_FAMILY:
            return (limits.memory_mb, limits.cpus, limits.pids)
        return (limits.memory_mb, limits.compile_memory_mb, limits.cpus, limits.pids)

    def _start_worker(self, limits: Limits, family: str) -> Worker:
        import docker

        image = self.image_for(family)
        try:
            return ContainerWorker(self.client, image, limits, self.swap_ok,
                                   compiled=family != BASE_FAMILY)
        except docker.errors.ImageNotFound as exc:
            raise SandboxUnavailable("sandbox image %s is missing: %s" % (image, exc)) from exc
        except docker.errors.DockerException as exc:
            raise WorkerDead("cannot start a container: %s" % exc) from exc


def _close_ref(ref) -> None:
    sandbox = ref()
    if sandbox is not None:
        sandbox.close()


def _pid_alive(owner: str) -> bool:
    host, _, pid = owner.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return True  # not ours to judge
    try:
        os.kill(int(pid), 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True


def remove_stray_containers(client=None, everything: bool = False, host: str | None = None) -> int:
    """Remove sandbox containers whose owning process is gone (crashed runs);
    everything: all of them; host: all those of processes on that host name
    (a Ray node that was killed)."""
    import docker

    client = client or docker_client()
    removed = 0
    # the plain listing: no inspect per container, which fails for one another run removes meanwhile
    for container in client.api.containers(all=True, filters={"label": LABEL + "=1"}):
        owner = (container.get("Labels") or {}).get(OWNER_LABEL, "")
        if everything or (owner.startswith(host + ":") if host else not _pid_alive(owner)):
            try:
                client.api.remove_container(container["Id"], force=True)
                removed += 1
            except docker.errors.APIError:
                pass  # gone already, or being removed by its owner
    return removed
