"""Fixtures for the sandbox tests (loaded with pytest_plugins by each test module).

They need a real Docker engine: when it is missing, or the image cannot be
built, the tests fail with the reason instead of skipping.
"""

import os

import pytest

from codeinterview.sandbox import CheckSpec, Job, Limits, SandboxUnavailable, open_sandbox
from codeinterview.sandbox.image import ensure_image

# Small limits keep the hostile corpus quick on two cores.
LIMITS = Limits(timeout_s=8.0, check_timeout_s=1.5, memory_mb=192, cpus=1.0, pids=32,
                output_bytes=4096)

HONEST = {
    "python": "def fib(n):\n    a, b = 0, 1\n    for _ in range(n):\n        a, b = b, a + b\n    return a\n",
    "javascript": "function fib(n) {\n  let a = 0, b = 1;\n  for (let i = 0; i < n; i++) [a, b] = [b, a + b];\n  return a;\n}\n",
}


# The processes an answer could signal besides itself and its parent, found over the pid
# range with pidfd_open (which takes a process, never another thread's id) and kill(p, 0)
# (which a process of another uid refuses: the compile server's): it needs no /proc, which
# the native root does not have (sandbox/native_root.py).
PID_SCAN = ("import os, ctypes; libc = ctypes.CDLL(None); me = {os.getpid(), os.getppid(), 1}; "
            "found = [p for p in range(2, 1 << 17) if p not in me and "
            "(lambda fd: fd >= 0 and not os.close(fd))(libc.syscall(434, p, 0)) and libc.kill(p, 0) == 0]; "
            "print('pids', found)")


def others_alive() -> str:
    """A Python function answer `f` returning PID_SCAN's ('pids', [...])."""
    return "def f(x):\n    " + PID_SCAN.replace("print('pids', found)", "return ('pids', found)") + "\n"


def job(language, code, checks=(), function="f", kind="function", limits=LIMITS):
    checks = [c if isinstance(c, CheckSpec) else CheckSpec(*c) for c in checks]
    return Job(language=language, code=code, kind=kind, function=function, checks=checks,
               limits=limits)


def assert_honest_passes(sb, language):
    """The pool still grades an honest answer right."""
    res = sb.run(job(language, HONEST[language], [("v10", "f.call(10)"), ("arg", "f.args[0].name")],
                     function="fib"))
    assert res.status == "ok", res
    assert [c.value for c in res.checks] == [55, "n"], res
    assert all(c.error is None for c in res.checks), res


@pytest.fixture(scope="session")
def sandbox_image():
    try:
        return ensure_image()
    except SandboxUnavailable as exc:
        pytest.fail("the sandbox tests need a Docker engine and the sandbox image: %s" % exc)


@pytest.fixture(scope="session")
def pool(sandbox_image):
    with open_sandbox(backend="docker", workers=2, image=sandbox_image) as sb:
        yield sb


@pytest.fixture()
def solo_pool(sandbox_image):
    """One worker, so consecutive jobs land in the same container unless it was replaced."""
    with open_sandbox(backend="docker", workers=1, image=sandbox_image) as sb:
        yield sb


@pytest.fixture()
def host_secret(monkeypatch):
    secret = "s3cr3t-" + os.urandom(8).hex()
    monkeypatch.setenv("CODEINTERVIEW_TEST_SECRET", secret)
    return secret
