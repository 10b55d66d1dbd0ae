"""The image's /usr and /opt served read-only from local volumes (sandbox/volumes.py):
the worker sees the image's own files there, cannot write them, a volume cut
short while being filled is filled again, and `sandbox clean` removes the
volumes of images that are gone. Real Docker engine; each test builds its own
one-label image on the sandbox image, so its volumes are its own."""

from __future__ import annotations

import io
import json
import uuid

import pytest

from codeinterview.sandbox import open_sandbox, volumes
from codeinterview.sandbox.docker_backend import owned
from codeinterview.sandbox.image import docker_client
from conftest_sandbox import assert_honest_passes, job

SEE_MOUNTS = r"""
import json, os
mounts = {}
for line in open('/proc/mounts'):
    _, path, fstype, options = line.split()[:4]
    mounts[path] = [fstype, options.split(',')[0]]
try:
    open('/usr/lib/written-by-the-answer', 'w')
    wrote = True
except OSError:
    wrote = False
print(json.dumps({'mounts': mounts, 'wrote': wrote, 'runner': os.path.exists('/opt/runner/daemon.py')}))
"""


@pytest.fixture()
def own_image(sandbox_image):
    """A child of the sandbox image that differs by a label: a new image id, so new volumes."""
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
    volumes.remove_old_volumes(client)


def seen_mounts(image, setting, monkeypatch):
    monkeypatch.setenv(volumes.ENV, setting)
    with open_sandbox(backend="docker", workers=1, image=image) as sb:
        res = sb.run(job("python", SEE_MOUNTS, kind="program"))
        assert res.status == "ok", res
        assert_honest_passes(sb, "javascript")
    return json.loads(res.stdout.strip().splitlines()[-1])


def test_a_worker_reads_the_image_files_from_read_only_volumes(own_image, monkeypatch):
    client, tag, image_id = own_image
    on = seen_mounts(tag, "1", monkeypatch)
    for path in volumes.PATHS:
        assert on["mounts"][path][1] == "ro", on["mounts"]
        name = volumes.volume_name(image_id, path)
        assert client.volumes.get(name).attrs["Labels"][volumes.IMAGE_LABEL] == image_id
    assert not on["wrote"] and on["runner"]
    off = seen_mounts(tag, "0", monkeypatch)
    assert not set(volumes.PATHS) & set(off["mounts"]), off["mounts"]
    assert not off["wrote"] and off["runner"]


def test_a_volume_cut_short_is_filled_again(own_image, monkeypatch):
    client, tag, image_id = own_image
    monkeypatch.setenv(volumes.ENV, "1")
    name = volumes.volume_name(image_id, "/usr")
    client.volumes.create(name, labels={volumes.LABEL: "1", volumes.IMAGE_LABEL: image_id})
    # a fill that stopped half way: some files, no ready marker (mounted elsewhere, so Docker copies nothing)
    client.containers.run(tag, ["sh", "-c", "mkdir -p /half/bin && touch /half/bin/half"], user="0",
                          volumes={name: {"bind": "/half", "mode": "rw"}}, remove=True)
    mounts = volumes.mounts_for(client, tag, owned())
    assert mounts[name] == {"bind": "/usr", "mode": "ro"}
    listing = client.containers.run(tag, ["sh", "-c", "ls /usr/bin/python3 /usr/%s; ls /usr/bin" % volumes.READY],
                                    volumes=mounts, remove=True).decode()
    assert "/usr/bin/python3" in listing and volumes.READY in listing
    assert "half" not in listing.split()


def test_sandbox_clean_removes_the_volumes_of_images_gone(own_image, monkeypatch):
    from codeinterview.sandbox.__main__ import main

    client, tag, image_id = own_image
    monkeypatch.setenv(volumes.ENV, "1")
    names = set(volumes.mounts_for(client, tag, owned()))
    assert len(names) == len(volumes.PATHS)
    assert main(["clean"]) == 0
    assert names <= {v.name for v in client.volumes.list()}  # its image is still there: kept
    client.images.remove(tag, force=True)
    assert main(["clean"]) == 0
    assert not names & {v.name for v in client.volumes.list()}
