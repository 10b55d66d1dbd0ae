"""The unsafe process backend: opt-in only, same runner, same result format."""

import shutil

import pytest

pytest.register_assert_rewrite("conftest_sandbox")
from conftest_sandbox import HONEST, LIMITS, job  # noqa: E402

from codeinterview.sandbox import image, native_root, open_sandbox  # noqa: E402
from codeinterview.sandbox.docker_backend import RUNNER_CAPABILITIES  # noqa: E402



def test_process_backend_refuses_without_unsafe():
    with pytest.raises(ValueError, match="without any isolation"):
        open_sandbox(backend="process")


@pytest.fixture(scope="module")
def unsafe_pool():
    with open_sandbox(backend="process", workers=2, unsafe=True) as sb:
        yield sb


@pytest.mark.parametrize("lang", ["python", "javascript"])
def test_process_backend_grades_like_docker(unsafe_pool, pool, lang):
    j = job(lang, HONEST[lang], [("v", "f.call(10)"), ("arg", "f.args[0].name"), ("bad", "f.call('x', 1, 2)")],
            function="fib")
    here, there = unsafe_pool.run(j), pool.run(j)
    assert here.status == there.status == "ok"
    assert [c.value for c in here.checks[:2]] == [c.value for c in there.checks[:2]] == [55, "n"]
    assert here.checks[2].error_type == there.checks[2].error_type


def test_process_backend_scrubs_environment_and_times_out(unsafe_pool, host_secret):
    res = unsafe_pool.run(job("python", "import os\ndef f(x):\n    return dict(os.environ)\n", [("env", "f.call(0)")]))
    assert host_secret not in repr(res.checks[0].value)
    assert set(res.checks[0].value) <= {"PATH", "LANG", "HOME", "TMPDIR", "PYTHONDONTWRITEBYTECODE", "LC_CTYPE"}
    res = unsafe_pool.run(job("python", "def f(x):\n    while True:\n        pass\n", [("v", "f.call(0)")]))
    assert res.status == "timeout" and res.replaced
    res = unsafe_pool.run(job("python", "def f(x):\n    return bytearray(10**10)\n", [("v", "f.call(0)")]))
    assert res.checks[0].error_type == "MemoryError" and res.checks[0].oom


def test_image_tag_follows_sandbox_sources(tmp_path, monkeypatch):
    copy = tmp_path / "sandbox"
    shutil.copytree(image.SANDBOX_DIR, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(image, "SANDBOX_DIR", copy)
    before = image.image_tag()
    assert before.startswith("codeinterview-sandbox:") and len(before.split(":")[1]) == 12
    (copy / "runner" / "daemon.py").write_text((copy / "runner" / "daemon.py").read_text() + "\n# edit\n")
    assert image.image_tag() != before, "an edited runner must get a new image tag"


def test_container_settings_are_locked_down(pool):
    pool.run(job("python", "def f(x):\n    return 1\n", [("v", "f.call(0)")]))
    # the shared pool may hold compiled families' workers too (more memory, to compile): take a base one
    worker = next(w for w in pool._live if w.container.attrs["Config"]["Image"] == pool.image)
    worker.container.reload()
    host = worker.container.attrs["HostConfig"]
    assert host["NetworkMode"] == "none" and host["ReadonlyRootfs"] is True
    assert host["CapDrop"] == ["ALL"] and "no-new-privileges" in host["SecurityOpt"]
    assert host["Memory"] == LIMITS.memory_mb << 20 and host["PidsLimit"] == LIMITS.pids
    assert host["NanoCpus"] == int(LIMITS.cpus * 1e9)
    # the runner starts as root with these only, and drops them all before the first job
    assert worker.container.attrs["Config"]["User"] == "0:0"
    added = sorted(RUNNER_CAPABILITIES + ([native_root.CAPABILITY] if native_root.wanted(pool.client) else []))
    assert sorted(host["CapAdd"]) == added, host["CapAdd"]
    assert all(m["RW"] is False for m in worker.container.attrs["Mounts"] if m["Type"] == "volume")
    # what the answer holds, asked of the kernel (no /proc needed): no capability in any set
    probe = ("import ctypes, os\nlibc = ctypes.CDLL(None)\ndef f(x):\n"
             "    sets = (ctypes.c_uint32 * 6)()\n"
             "    libc.syscall(125, (ctypes.c_uint32 * 2)(0x20080522, 0), sets)\n"  # capget
             "    return [os.getresuid(), list(sets), [c for c in range(64) if libc.prctl(23, c, 0, 0, 0) == 1],\n"
             "            libc.prctl(39, 0, 0, 0, 0)]\n")  # PR_CAPBSET_READ, PR_GET_NO_NEW_PRIVS
    res = pool.run(job("python", probe, [("v", "f.call(0)")]))
    uids, sets, bounding, no_new_privs = res.checks[0].value
    assert set(uids) == {10001} and sets == [0] * 6 and bounding == [] and no_new_privs == 1, res.checks
