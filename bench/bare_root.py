"""The floor of every sandbox speed figure: the image's own binaries, run bare.

A host copy of an image's root filesystem, made exactly as the sandbox's native
root is made (codeinterview/sandbox/native_root.py: the same files, device
nodes and links), on the host's disk, with tmpfs where the sandbox has tmpfs
(/work, /tmp, /cache, /dev/shm); commands run in it with chroot, as the
sandbox's unprivileged user, with no container, no cgroup and no runner. So
pool and bare run the same toolchain binaries of the same versions (the host's
own Node or g++ are other versions). Needs root (chroot, mount).
"""

from __future__ import annotations

import atexit
import functools
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from codeinterview.sandbox import native_root
from codeinterview.sandbox.docker_backend import owned
from codeinterview.sandbox.image import docker_client

UID = GID = 10001  # the image's `sandbox` user (sandbox/Dockerfile)


@functools.lru_cache(maxsize=None)
def bare_root(image: str) -> Path:
    """A host copy of the image's native root (one per image and process, removed at exit)."""
    if os.geteuid() != 0:
        raise SystemExit("the bare baseline chroots into the image's root: run as root")
    client = docker_client()
    saved = os.environ.get(native_root.ENV)
    os.environ[native_root.ENV] = "1"  # the volume holds the root as the sandbox sees it
    try:
        volume = native_root.volume_for(client, image, owned())
    finally:
        if saved is None:
            os.environ.pop(native_root.ENV, None)
        else:
            os.environ[native_root.ENV] = saved
    source = client.volumes.get(volume).attrs["Mountpoint"]
    root = Path(tempfile.mkdtemp(prefix="codeinterview-bare-", dir="/var/tmp"))
    atexit.register(shutil.rmtree, root, ignore_errors=True)
    subprocess.run(["cp", "-a", source + "/.", str(root)], check=True)
    # tmpfs where the sandbox has tmpfs: job folders are made and removed in memory there too
    for folder, mode in (("work", 0o755), ("tmp", 0o1777), ("cache", 0o755), ("dev/shm", 0o1777)):
        (root / folder).mkdir(parents=True, exist_ok=True)
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1g", "tmpfs", str(root / folder)], check=True)
        atexit.register(subprocess.run, ["umount", "-l", str(root / folder)])
        os.chown(root / folder, UID, GID)
        os.chmod(root / folder, mode)
    return root


def chrooted(root: Path, cwd: str = "/work"):
    """A preexec_fn: enter the root as the sandbox user, in cwd (a path inside the root)."""
    def enter():
        os.chroot(root)
        os.chdir(cwd)
        os.setgroups([])
        os.setresgid(GID, GID, GID)
        os.setresuid(UID, UID, UID)
    return enter
