"""The image's root on a local volume, entered with chroot (sandbox/native_root.py,
sandbox/runner/confine.py): answers see a read-only root on the engine's own
disk (not the storage driver's), no capability in any set, no /proc, and the
device nodes they need; a volume cut short while being filled is filled again;
`sandbox clean` removes the volumes of images gone. Real Docker engine; each
test builds its own one-label image on the sandbox image, so its volume is its own."""

from __future__ import annotations

import io
import json
import uuid

import pytest

from codeinterview.sandbox import native_root, open_sandbox
from codeinterview.sandbox.docker_backend import owned
from codeinterview.sandbox.image import docker_client
from conftest_sandbox import assert_honest_passes, job

# What an answer can find out about its root and its privileges (x86_64 syscall numbers).
PROBE = r"""
import ctypes, json, os
libc = ctypes.CDLL(None, use_errno=True)
def attempt(action):
    try:
        action()
        return "allowed"
    except OSError as exc:
        return exc.strerror
header = (ctypes.c_uint32 * 2)(0x20080522, 0)
sets = (ctypes.c_uint32 * 6)()
libc.syscall(125, header, sets)  # capget: effective, permitted, inheritable (two words each)
status = {}
if os.path.exists("/proc/self/status"):
    for line in open("/proc/self/status"):
        key, _, value = line.partition(":")
        status[key] = value.strip()
print(json.dumps({
    "root_dev": os.stat("/").st_dev, "usr_dev": os.stat("/usr/bin").st_dev,
    "bounding": [c for c in range(64) if libc.prctl(23, c, 0, 0, 0) == 1],  # PR_CAPBSET_READ
    "capget": list(sets), "no_new_privs": libc.prctl(39, 0, 0, 0, 0),  # PR_GET_NO_NEW_PRIVS
    "uids": os.getresuid(), "gids": os.getresgid(), "groups": os.getgroups(), "status": status,
    "chroot": attempt(lambda: os.chroot("/tmp")), "setuid": attempt(lambda: os.setuid(0)),
    "write_usr": attempt(lambda: open("/usr/lib/written-by-the-answer", "w")),
    "write_root": attempt(lambda: open("/written-by-the-answer", "w")),
    "proc_pids": os.path.isdir("/proc") and any(name.isdigit() for name in os.listdir("/proc")),
    "dev": [len(open("/dev/" + name, "rb").read(8)) for name in ("zero", "urandom", "random")],
    "dev_null": open("/dev/null", "w").write("x"),
    "runner": os.path.exists("/opt/runner/daemon.py")}))
"""
DEVICE = "import os; print(os.stat(%r).st_dev)"


@pytest.fixture()
def own_image(sandbox_image):
    """A child of the sandbox image that differs by a label: a new image id, so a new volume."""
    client = docker_client()
    tag = "codeinterview-volume-test:" + uuid.uuid4().hex[:10]
    dockerfile = "FROM %s\nLABEL codeinterview.test=%s\n" % (sandbox_image, tag.split(":")[1])
    client.images.build(fileobj=io.BytesIO(dockerfile.encode()), tag=tag, rm=True, pull=False)
    image_id = client.images.get(tag).id
    yield client, tag, image_id
    try:
        client.images.remove(tag, force=True)
    except Exception:
        pass
    native_root.remove_old_volumes(client)


def probe(image, setting, monkeypatch) -> dict:
    monkeypatch.setenv(native_root.ENV, setting)
    with open_sandbox(backend="docker", workers=1, image=image) as sb:
        res = sb.run(job("python", PROBE, kind="program"))
        assert res.status == "ok", res
        assert_honest_passes(sb, "javascript")
        assert_honest_passes(sb, "python")
    return json.loads(res.stdout.strip().splitlines()[-1])


def device(client, image: str, path: str, volumes: dict | None = None) -> int:
    return int(client.containers.run(image, ["python3", "-c", DEVICE % path], volumes=volumes or {},
                                     network_mode="none", remove=True).decode().strip())


def assert_unprivileged(seen: dict) -> None:
    assert seen["bounding"] == [] or "status" in seen and seen["status"].get("CapBnd") == "0" * 16, seen
    assert seen["capget"] == [0] * 6 and seen["no_new_privs"] == 1, seen
    assert set(seen["uids"]) == {10001} and set(seen["gids"]) == {10001} and set(seen["groups"]) <= {10001}, seen
    assert seen["chroot"] != "allowed" and seen["setuid"] != "allowed", seen
    assert seen["write_usr"] != "allowed" and seen["write_root"] != "allowed", seen
    assert seen["runner"] and seen["dev"] == [8, 8, 8] and seen["dev_null"] == 1, seen


def test_answers_see_a_native_read_only_root_and_hold_no_capability(own_image, monkeypatch):
    client, tag, image_id = own_image
    on = probe(tag, "1", monkeypatch)
    name = native_root.volume_name(image_id)
    assert client.volumes.get(name).attrs["Labels"][native_root.IMAGE_LABEL] == image_id
    # the answer's root is the volume on the engine's own disk, not the container's root
    volume_dev = device(client, tag, "/v", {name: {"bind": "/v", "mode": "ro"}})
    container_dev = device(client, tag, "/")
    assert on["root_dev"] == on["usr_dev"] == volume_dev != container_dev, (on, volume_dev, container_dev)
    assert_unprivileged(on)
    assert on["bounding"] == [], on  # emptied by the runner itself, before the first job
    assert not on["proc_pids"], "the native root has no /proc: an answer sees no process"

    off = probe(tag, "0", monkeypatch)
    assert off["root_dev"] != volume_dev, off
    assert_unprivileged(off)
    assert off["status"]["CapEff"] == off["status"]["CapBnd"] == "0" * 16 and off["status"]["NoNewPrivs"] == "1"


def test_a_volume_cut_short_is_filled_again(own_image, monkeypatch):
    client, tag, image_id = own_image
    monkeypatch.setenv(native_root.ENV, "1")
    name = native_root.volume_name(image_id)
    client.volumes.create(name, labels={native_root.LABEL: "1", native_root.IMAGE_LABEL: image_id})
    # a fill that stopped half way: some files, no ready marker
    client.containers.run(tag, ["sh", "-c", "mkdir -p /half/usr/bin && touch /half/usr/bin/half"], user="0",
                          volumes={name: {"bind": "/half", "mode": "rw"}}, remove=True)
    assert native_root.volume_for(client, tag, owned()) == name
    listing = client.containers.run(tag, ["sh", "-c", "ls /v/usr/bin/python3 /v/%s; ls /v/usr/bin" % native_root.READY],
                                    volumes={name: {"bind": "/v", "mode": "ro"}}, remove=True).decode()
    assert "/v/usr/bin/python3" in listing and native_root.READY in listing
    assert "half" not in listing.split()


def test_sandbox_clean_removes_the_volumes_of_images_gone(own_image, monkeypatch):
    from codeinterview.sandbox.__main__ import main

    client, tag, image_id = own_image
    monkeypatch.setenv(native_root.ENV, "1")
    name = native_root.volume_for(client, tag, owned())
    assert main(["clean"]) == 0
    assert name in {v.name for v in client.volumes.list()}  # its image is still there: kept
    client.images.remove(tag, force=True)
    assert main(["clean"]) == 0
    assert name not in {v.name for v in client.volumes.list()}


@pytest.mark.fast
def test_a_bad_setting_is_refused_by_name(monkeypatch):
    from codeinterview.sandbox.types import SandboxUnavailable

    monkeypatch.setenv(native_root.ENV, "sometimes")
    with pytest.raises(SandboxUnavailable, match=native_root.ENV):
        native_root.wanted(None)
