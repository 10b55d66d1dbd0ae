"""The image's whole root filesystem on a local volume, entered with chroot.

With the fuse-overlayfs storage driver (Docker where the kernel's overlayfs
is not available: rootless Docker, Docker inside a container, many CI
services) and with vfs, every path an interpreter or compiler looks up in the
container's root goes through the storage driver: a FUSE daemon. Serving /usr
from a volume did not help (a lookup still starts at the FUSE root): 15-44 us
per stat against 1.5-3.8 us on the host, and g++ twice as slow as bare.

So the image's root is copied, once per image, onto a named volume (a plain
directory of the engine's own disk) and mounted read-only at MOUNT, with the
work, temporary and cache tmpfs mounted inside it. The runner daemon starts as
root holding only the capabilities it needs (CAP_SYS_CHROOT besides those it
always has to drop privileges itself), with no-new-privileges; it opens /proc and the cgroup as fds, chroots into MOUNT,
empties its capability bounding set and becomes the unprivileged `sandbox`
user before it reads the first job (sandbox/runner/confine.py). Answers then
see a read-only root on local disk, no /proc, the device nodes null, zero,
full, random and urandom, and no capability at all.

One volume per image, named by the image id (a rebuilt image gets a new one);
`codeinterview sandbox clean` removes those of images gone. Set
CODEINTERVIEW_SANDBOX_NATIVE_ROOT to 1 to use it on any storage driver, 0
never; by default it is used where the storage driver is a slow one.
"""

from __future__ import annotations

import logging
import os
import threading

from .image import LABEL, host_lock
from .types import SandboxUnavailable

log = logging.getLogger("codeinterview.sandbox")
ENV = "CODEINTERVIEW_SANDBOX_NATIVE_ROOT"
SLOW_DRIVERS = ("fuse-overlayfs", "vfs")
MOUNT = "/native"  # where the volume is mounted in the container; the runner chroots into it
RUNNER_ENV = "CODEINTERVIEW_NATIVE_ROOT"  # tells the runner to enter MOUNT (sandbox/runner/daemon.py)
CAPABILITY = "SYS_CHROOT"  # beside the runner's others (docker_backend.RUNNER_CAPABILITIES); dropped before any job
IMAGE_LABEL = LABEL + ".root-of"  # the image id whose files it holds
FILLER_LABEL = LABEL + ".volume-filler"  # on the short-lived containers that fill or check a volume
READY = ".codeinterview-root-ready"  # written last: a volume without it was cut short
# Run as root in the image with the empty volume at MOUNT: copy the root's own
# filesystem (not /proc, /sys, /dev or Docker's /etc files, which are other
# mounts), then make what the runner and the toolchains need inside it.
FILL = r"""set -e
cd /
tar --one-file-system --exclude=.{mount} -cf - . | tar -C {mount} -xpf -
mkdir -p {mount}/proc {mount}/sys {mount}/dev/shm {mount}/work {mount}/tmp {mount}/cache
chmod 1777 {mount}/tmp
cd {mount}/dev
rm -f null zero full random urandom
mknod -m 666 null c 1 3; mknod -m 666 zero c 1 5; mknod -m 666 full c 1 7
mknod -m 666 random c 1 8; mknod -m 666 urandom c 1 9
ln -sfn /proc/self/fd fd
if [ -s /opt/toolchain/self-exe ]; then  # a toolchain that only finds itself through it (rust.sh)
  mkdir -p {mount}/proc/self; ln -sfn "$(cat /opt/toolchain/self-exe)" {mount}/proc/self/exe
fi
printf '127.0.0.1 localhost sandbox\n::1 localhost\n' > {mount}/etc/hosts
echo sandbox > {mount}/etc/hostname
: > {mount}/etc/resolv.conf
touch {mount}/{ready}
""".format(mount=MOUNT, ready=READY)
_ready: dict[str, str] = {}  # image id -> its volume's name, for this process
_driver: dict[str, str] = {}  # the engine's storage driver, asked once per process
_lock = threading.Lock()


def wanted(client) -> bool:
    setting = os.environ.get(ENV, "auto").strip().lower()
    if setting in ("1", "on", "true", "yes"):
        return True
    if setting in ("0", "off", "false", "no"):
        return False
    if setting != "auto":
        raise SandboxUnavailable("%s=%r: use 1, 0 or auto" % (ENV, setting))
    if "name" not in _driver:
        _driver["name"] = client.info().get("Driver", "")
    return _driver["name"] in SLOW_DRIVERS


def volume_name(image_id: str) -> str:
    return "codeinterview-root-%s" % image_id.split(":")[-1][:12]


def _run_root(client, image: str, command: list[str], mounts: dict, labels: dict) -> bool:
    """Run a command as root in the image with these mounts; True when it exits 0."""
    import docker

    container = client.containers.create(image, command, volumes=mounts, user="0", network_mode="none",
                                         entrypoint=[], labels=dict(labels, **{FILLER_LABEL: "1"}))
    try:
        container.start()
        ok = container.wait(timeout=900)["StatusCode"] == 0
        if not ok:
            log.warning("%s in %s: %s", command[-1][:60], image, container.logs()[-2000:].decode(errors="replace"))
        return ok
    except docker.errors.APIError:
        return False
    finally:
        try:
            container.remove(force=True)
        except docker.errors.APIError:
            pass


def _ensure(client, image: str, image_id: str, labels: dict) -> str:
    import docker

    name = volume_name(image_id)
    try:
        client.volumes.get(name)
        # mounted aside, so that `test` comes from the image whatever the volume holds
        if _run_root(client, image, ["test", "-e", "/check/" + READY], {name: {"bind": "/check", "mode": "ro"}},
                     labels):
            return name
        log.warning("volume %s was cut short while being filled; filling it again", name)
        client.volumes.get(name).remove(force=True)
    except docker.errors.NotFound:
        pass
    client.volumes.create(name, labels={LABEL: "1", IMAGE_LABEL: image_id})
    log.info("copying %s's root filesystem to volume %s (once per image)", image, name)
    if not _run_root(client, image, ["sh", "-c", FILL], {name: {"bind": MOUNT, "mode": "rw"}}, labels):
        raise SandboxUnavailable("could not fill volume %s from %s (set %s=0 to run without it)"
                                 % (name, image, ENV))
    return name


def volume_for(client, image: str, labels: dict) -> str | None:
    """The native root volume of this image, filled (None when not wanted).
    labels: for the short-lived containers that fill the volume (their owner)."""
    with _lock:
        if not wanted(client):
            return None
        image_id = client.images.get(image).id  # by id: a rebuild under the same tag gets a new volume
        if image_id not in _ready:
            with host_lock("root-" + image_id.split(":")[-1][:12]):
                _ready[image_id] = _ensure(client, image, image_id, labels)
        return _ready[image_id]


def container_options(options: dict, volume: str) -> dict:
    """A sandbox container's options (docker_backend.container_options) turned to
    enter the native root: the volume at MOUNT, each tmpfs inside it, and the
    runner's capabilities with CAPABILITY, to drop them itself."""
    tmpfs = {MOUNT + path: spec for path, spec in options["tmpfs"].items()}
    tmpfs[MOUNT + "/dev/shm"] = "rw,nosuid,nodev,noexec,size=1m"
    return dict(options, cap_add=options["cap_add"] + [CAPABILITY], tmpfs=tmpfs,
                volumes={volume: {"bind": MOUNT, "mode": "ro"}},
                environment=dict(options["environment"], **{RUNNER_ENV: MOUNT}))


def remove_old_volumes(client) -> list[str]:
    """Remove the root volumes of images that are gone; one in use is kept."""
    import docker

    removed = []
    for volume in client.volumes.list(filters={"label": LABEL + "=1"}):
        image_id = (volume.attrs.get("Labels") or {}).get(IMAGE_LABEL, "")
        try:
            if image_id:
                client.images.get(image_id)
                continue
        except docker.errors.ImageNotFound:
            pass
        except docker.errors.APIError:
            continue
        try:
            volume.remove()
            removed.append(volume.name)
        except docker.errors.APIError as exc:
            log.info("kept volume %s: %s", volume.name, exc)
    _ready.clear()
    return removed
