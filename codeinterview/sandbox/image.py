"""Build the sandbox image, on machines with a registry or without one.

The tag carries a hash of everything under sandbox/, so editing the runner or
the Dockerfile yields a new tag and ensure_image() rebuilds on first use.
Without a pullable base, the base root filesystem comes from mmdebstrap and the
machine's own apt sources, imported as a local image.
"""

from __future__ import annotations

import contextlib
import fcntl
import glob
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .types import SandboxUnavailable

SANDBOX_DIR = Path(os.environ.get("CODEINTERVIEW_SANDBOX_DIR")
                   or Path(__file__).resolve().parents[2] / "sandbox")
IMAGE_REPO = "codeinterview-sandbox"
BASE_REPO = "codeinterview-sandbox-base"
DEFAULT_BASE = "debian:bookworm-slim"
SUITE = "bookworm"
BASE_PACKAGES = ("python3", "nodejs", "passwd")
LABEL = "codeinterview.sandbox"


def _log(msg: str) -> None:
    print("[sandbox] " + msg, file=sys.stderr, flush=True)


def docker_client():
    import docker

    try:
        client = docker.from_env(timeout=120)
        client.ping()
        return client
    except Exception as exc:  # DockerException, connection errors
        raise SandboxUnavailable("Docker engine not reachable: %s" % exc) from exc


def _files():
    for path in sorted(SANDBOX_DIR.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            yield path


def source_hash() -> str:
    digest = hashlib.sha256()
    for path in _files():
        digest.update(str(path.relative_to(SANDBOX_DIR)).encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def image_tag() -> str:
    if not (SANDBOX_DIR / "Dockerfile").exists():
        raise SandboxUnavailable("sandbox/Dockerfile not found under %s" % SANDBOX_DIR)
    return "%s:%s" % (IMAGE_REPO, source_hash()[:12])


def _exists(client, ref: str) -> bool:
    import docker

    try:
        client.images.get(ref)
        return True
    except docker.errors.ImageNotFound:
        return False


def apt_sources() -> list[str]:
    """The machine's enabled apt source files that name our suite."""
    files = glob.glob("/etc/apt/sources.list.d/*.sources") + glob.glob("/etc/apt/sources.list.d/*.list")
    files.append("/etc/apt/sources.list")
    found = []
    for name in sorted(files):
        try:
            text = Path(name).read_text()
        except OSError:
            continue
        if SUITE in text:
            found.append(name)
    return found


def _ensure_mmdebstrap() -> str:
    tool = shutil.which("mmdebstrap")
    if tool:
        return tool
    if os.geteuid() == 0 and shutil.which("apt-get"):
        _log("installing mmdebstrap with apt-get")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        install = ["apt-get", "install", "-y", "-q", "mmdebstrap"]
        if subprocess.run(install, env=env, stdout=subprocess.DEVNULL).returncode != 0:
            # a fresh machine may have no package lists yet
            subprocess.run(["apt-get", "update", "-q"], env=env, stdout=subprocess.DEVNULL)
            subprocess.run(install, env=env, stdout=subprocess.DEVNULL)
        tool = shutil.which("mmdebstrap")
    if not tool:
        raise SandboxUnavailable("no base image %s and mmdebstrap is not installed "
                                 "(apt-get install mmdebstrap)" % DEFAULT_BASE)
    return tool


def build_base(client) -> str:
    """Debootstrap a minimal base with mmdebstrap and import it; returns its tag."""
    sources = apt_sources()
    if not sources:
        raise SandboxUnavailable("no apt sources for %s found under /etc/apt" % SUITE)
    digest = hashlib.sha256(repr(BASE_PACKAGES).encode())
    for name in sources:
        digest.update(Path(name).read_bytes())
    tag = "%s:%s" % (BASE_REPO, digest.hexdigest()[:12])
    if _exists(client, tag):
        return tag
    tool = _ensure_mmdebstrap()
    with tempfile.TemporaryDirectory(prefix="codeinterview-base-") as tmp:
        tar = os.path.join(tmp, "rootfs.tar")
        cmd = [tool, "--variant=minbase", "--include=" + ",".join(BASE_PACKAGES),
               '--aptopt=APT::Install-Recommends "false"',
               "--dpkgopt=path-exclude=/usr/share/doc/*",
               "--dpkgopt=path-exclude=/usr/share/man/*",
               "--dpkgopt=path-exclude=/usr/share/locale/*",
               "--dpkgopt=path-exclude=/usr/share/info/*",
               SUITE, tar, *sources]
        _log("building base root filesystem with mmdebstrap (about a minute)")
        start = time.monotonic()
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if proc.returncode != 0:
            raise SandboxUnavailable("mmdebstrap failed:\n" + proc.stdout[-3000:])
        _log("mmdebstrap done in %.0f s; importing as %s" % (time.monotonic() - start, tag))
        repo, _, version = tag.partition(":")
        client.api.import_image_from_file(tar, repository=repo, tag=version,
                                          changes=["LABEL %s=1" % LABEL])
    return tag


def _docker_build(client, tag: str, base: str) -> None:
    _log("building %s on %s" % (tag, base))
    error = None
    for chunk in client.api.build(path=str(SANDBOX_DIR), tag=tag, buildargs={"BASE": base},
                                  rm=True, forcerm=True, pull=False, decode=True,
                                  labels={LABEL: "1"}):
        if "error" in chunk:
            error = chunk["error"]
        text = chunk.get("stream", "").strip()
        if text.startswith("Step "):
            _log(text)
    if error or not _exists(client, tag):
        raise SandboxUnavailable("docker build failed: %s" % (error or "no image produced"))


@contextlib.contextmanager
def _build_lock():
    # Several processes (test workers, evaluate runs) may ask at once: build once.
    path = os.path.join(tempfile.gettempdir(), "codeinterview-sandbox-build.lock")
    with open(path, "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def build(force: bool = False, client=None) -> str:
    """Build (or with force, rebuild) the image for the current sandbox/ sources."""
    client = client or docker_client()
    tag = image_tag()
    with _build_lock():
        if not force and _exists(client, tag):
            return tag
        start = time.monotonic()
        base = DEFAULT_BASE if _exists(client, DEFAULT_BASE) else build_base(client)
        _docker_build(client, tag, base)
        _log("image %s ready in %.0f s" % (tag, time.monotonic() - start))
    return tag


def ensure_image(client=None) -> str:
    """The current image's tag, building it first if it is missing."""
    client = client or docker_client()
    tag = image_tag()
    if _exists(client, tag):
        return tag
    return build(client=client)


def remove_old_images(client=None) -> list[str]:
    """Untag sandbox images built from earlier sandbox/ sources (Docker deletes
    an image with its last tag); one that a container still uses is kept. The
    base images stay: they depend only on the package list and apt sources."""
    import docker

    client = client or docker_client()
    current = image_tag()
    removed = []
    for img in client.images.list(name=IMAGE_REPO):
        for tag in img.tags:
            if tag.startswith(IMAGE_REPO + ":") and tag != current:
                try:
                    client.images.remove(tag)
                    removed.append(tag)
                except docker.errors.APIError as exc:
                    _log("kept %s: %s" % (tag, exc.explanation or exc))
    return removed
