"""Serve an image's /usr and /opt from local volumes, read-only.

With the fuse-overlayfs storage driver (Docker where the kernel's overlayfs
is not available, rootless Docker), every file an interpreter or compiler
opens in the image goes through a FUSE daemon. A toolchain opens hundreds per
job (g++'s headers, Go's standard library, Node's own start-up), which made
the pool up to 2x slower than the same commands on the host. A named volume
is a plain directory of the engine's disk: Docker copies the image's files
into it once (when a container first mounts the empty volume), and each
sandbox container mounts it read-only over the same path. The files are the
image's own; isolation is unchanged (read-only, like the rest of the root).

One volume per image and path, named by the image id, so a rebuilt image gets
new ones; `codeinterview sandbox clean` removes those of images gone. Set
CODEINTERVIEW_SANDBOX_VOLUMES to 1 to use them on any storage driver, 0 never;
by default they are used where the storage driver is a slow one.
"""

from __future__ import annotations

import logging
import os
import threading

from .image import LABEL, host_lock
from .types import SandboxUnavailable

log = logging.getLogger("codeinterview.sandbox")
PATHS = ("/usr", "/opt")
SLOW_DRIVERS = ("fuse-overlayfs", "vfs")
ENV = "CODEINTERVIEW_SANDBOX_VOLUMES"
IMAGE_LABEL = LABEL + ".volume-of"  # the image id whose files it holds
FILLER_LABEL = LABEL + ".volume-filler"  # on the short-lived containers that fill or check a volume
READY = ".codeinterview-volume-ready"  # written last: a volume without it was cut short
_ready: dict[str, dict] = {}  # image id -> its mounts, for this process
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


def volume_name(image_id: str, path: str) -> str:
    return "codeinterview-%s-%s" % (path.strip("/").replace("/", "-"), image_id.split(":")[-1][:12])


def _run_root(client, image: str, command: list[str], mounts: dict, labels: dict) -> bool:
    """Run a command as root in the image with these mounts; True when it exits 0."""
    import docker

    container = client.containers.create(image, command, volumes=mounts, user="0", network_mode="none",
                                         labels=dict(labels, **{FILLER_LABEL: "1"}))
    try:
        container.start()
        return container.wait(timeout=600)["StatusCode"] == 0
    except docker.errors.APIError:
        return False
    finally:
        try:
            container.remove(force=True)
        except docker.errors.APIError:
            pass


def _ensure(client, image: str, image_id: str, path: str, labels: dict) -> str:
    import docker

    name = volume_name(image_id, path)
    marker = "%s/%s" % (path, READY)
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
    # Docker copies the image's files into the empty volume as the container is created
    if not _run_root(client, image, ["touch", marker], {name: {"bind": path, "mode": "rw"}}, labels):
        raise SandboxUnavailable("could not fill volume %s from %s" % (name, image))
    return name


def mounts_for(client, image: str, labels: dict) -> dict:
    """The read-only volume mounts for a container of this image ({} when not wanted).
    labels: for the short-lived containers that fill the volumes (their owner)."""
    with _lock:
        if not wanted(client):
            return {}
        image_id = client.images.get(image).id  # by id: a rebuild under the same tag gets new volumes
        if image_id not in _ready:
            with host_lock("volumes"):
                names = [_ensure(client, image, image_id, path, labels) for path in PATHS]
            _ready[image_id] = {name: {"bind": path, "mode": "ro"} for name, path in zip(names, PATHS)}
        return _ready[image_id]


def remove_old_volumes(client) -> list[str]:
    """Remove the volumes of images that are gone; one in use is kept."""
    import docker

    removed = []
    for volume in client.volumes.list(filters={"label": LABEL + "=1"}):
        image_id = (volume.attrs.get("Labels") or {}).get(IMAGE_LABEL, "")
        try:
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
