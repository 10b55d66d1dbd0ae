"""The hostile corpus: each answer must get the right verdict, change nothing on
the host, and leave a pool that still grades an honest answer right."""

import os
import uuid

import pytest

pytest.register_assert_rewrite("conftest_sandbox")
from conftest_sandbox import LIMITS, assert_honest_passes, job, others_alive  # noqa: E402


PY, JS = "python", "javascript"


def run_then_honest(pool, lang, code, checks, **kw):
    res = pool.run(job(lang, code, checks, **kw))
    assert_honest_passes(pool, lang)
    return res


def assert_timed_out(res):
    assert res.status == "timeout", res
    assert res.checks and res.checks[0].timeout, res
    assert res.replaced, "a container that timed out must be replaced"


# ---------------------------------------------------------------- resource abuse

FORK_BOMB = {
    PY: "import os\ndef f(x):\n    while True:\n        try:\n            os.fork()\n        except OSError:\n            pass\n",
    JS: "const cp = require('child_process');\nfunction f(x) {\n  for (;;) { try { cp.spawn('sleep', ['100']); } catch (e) {} }\n}\n",
}
INFINITE = {PY: "def f(x):\n    while True:\n        pass\n", JS: "function f(x) { for (;;) {} }\n"}
SLEEP = {
    PY: "import time\ndef f(x):\n    time.sleep(10**6)\n",
    JS: "function f(x) { Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0); }\n",
}
IGNORE_TERM = {
    PY: "import signal\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\ndef f(x):\n    while True:\n        pass\n",
    JS: "process.on('SIGTERM', () => {});\nfunction f(x) { for (;;) {} }\n",
}


@pytest.mark.parametrize("lang", [PY, JS])
@pytest.mark.parametrize("corpus", [FORK_BOMB, INFINITE, SLEEP, IGNORE_TERM],
                         ids=["fork_bomb", "infinite_loop", "sleep_forever", "ignore_sigterm"])
def test_runaway_answers_time_out(pool, lang, corpus):
    res = run_then_honest(pool, lang, corpus[lang], [("v", "f.call(1)"), ("name", "f.name")])
    assert_timed_out(res)
    # The per-check timeout kills one check; the next check runs in a fresh child.
    assert res.checks[1].value == "f" and not res.checks[1].timeout
    assert res.duration_s < LIMITS.timeout_s


def test_job_deadline_marks_remaining_checks_without_running_them(pool):
    checks = [("c%d" % i, "f.call(1)") for i in range(8)]  # 8 x 1.5 s > the 8 s job deadline
    res = pool.run(job(PY, INFINITE[PY], checks))
    assert all(c.timeout for c in res.checks)
    assert any("not run" in (c.error or "") for c in res.checks)
    assert res.duration_s < LIMITS.timeout_s + 1.0


@pytest.mark.parametrize("lang,code", [
    (PY, "def f(x):\n    hog = []\n    while True:\n        hog.append(bytearray(10**7))\n"),
    (JS, "function f(x) {\n  const hog = [];\n  for (;;) hog.push(Buffer.alloc(1e7, 1));\n}\n"),
])
def test_memory_bomb_is_oom(pool, lang, code):
    res = run_then_honest(pool, lang, code, [("v", "f.call(1)"), ("name", "f.name")])
    assert res.status == "oom", res
    assert res.checks[0].oom and res.checks[1].value == "f"
    assert res.replaced


def test_memory_bomb_program_is_oom(pool):
    res = pool.run(job(PY, "hog = []\nwhile True:\n    hog.append(bytearray(10**7))\n",
                       kind="program", function=None))
    assert res.status == "oom" and res.replaced
    assert_honest_passes(pool, PY)


def test_infinite_loop_program_times_out(pool):
    res = pool.run(job(JS, "for (;;) {}\n", kind="program", function=None))
    assert res.status == "timeout" and res.replaced
    assert_honest_passes(pool, JS)


@pytest.mark.parametrize("lang,code", [
    (PY, "def f(x):\n    for _ in range(20000):\n        print('x' * 500)\n    return 7\n"),
    (JS, "function f(x) {\n  for (let i = 0; i < 20000; i++) console.log('x'.repeat(500));\n  return 7;\n}\n"),
])
def test_output_flood_is_capped(pool, lang, code):
    res = run_then_honest(pool, lang, code, [("v", "f.call(1)")])
    assert res.checks[0].value == 7
    assert len(res.stdout.encode()) < LIMITS.output_bytes + 100
    assert "more bytes not shown" in res.stdout


def test_output_flood_forever_times_out_capped(pool):
    res = pool.run(job(PY, "while True:\n    print('y' * 1000)\n", kind="program", function=None))
    assert res.status == "timeout" and len(res.stdout.encode()) < LIMITS.output_bytes + 100


# ---------------------------------------------------------------- odd I/O


@pytest.mark.parametrize("lang,code", [
    (PY, "import os\nos.close(1)\nos.close(2)\ndef f(x):\n    print('gone')\n    return 42\n"),
    (JS, "const fs = require('fs');\nfs.closeSync(1);\nfs.closeSync(2);\nfunction f(x) { return 42; }\n"),
])
def test_closed_stdout_stderr(pool, lang, code):
    res = run_then_honest(pool, lang, code, [("v", "f.call(1)")])
    assert res.checks[0].value == 42 or res.checks[0].error_type, res


@pytest.mark.parametrize("lang,code", [
    (PY, "def f(x):\n    return input()\n"),
    (JS, "const fs = require('fs');\nfunction f(x) { return fs.readFileSync(0, 'utf8'); }\n"),
])
def test_blocking_on_stdin_does_not_hang(pool, lang, code):
    res = run_then_honest(pool, lang, code, [("v", "f.call(1)")])
    check = res.checks[0]
    assert not check.timeout
    assert check.value == "" or check.error_type == "EOFError", check


@pytest.mark.parametrize("lang,code", [
    (PY, "def f(x):\n    import sys\n    sys.stdout.buffer.write(b'bad \\xff\\xfe\\x80 bytes\\n')\n    return 1\n"),
    (JS, "function f(x) { process.stdout.write(Buffer.from([98, 0xff, 0xfe, 0x80, 10])); return 1; }\n"),
])
def test_non_utf8_output_is_replaced(pool, lang, code):
    res = run_then_honest(pool, lang, code, [("v", "f.call(1)")])
    assert res.checks[0].value == 1 and "\ufffd" in res.stdout


# ---------------------------------------------------------------- escapes


@pytest.mark.parametrize("lang,code", [
    (PY, "import socket\ndef f(x):\n    try:\n        socket.create_connection(('1.1.1.1', 53), timeout=1)\n"
         "        return 'connected'\n    except OSError as e:\n        return type(e).__name__\n"),
    (JS, "function f(x) {\n  return new Promise((resolve) => {\n    const s = require('net').connect(53, '1.1.1.1');\n"
         "    s.on('connect', () => resolve('connected'));\n    s.on('error', (e) => resolve(e.code));\n  });\n}\n"),
])
def test_no_network(pool, lang, code):
    res = run_then_honest(pool, lang, code, [("v", "f.call(1)"),
                                             ])
    assert res.checks[0].value not in ("connected", None), res


def test_only_loopback_interface(pool):
    # through netlink, not /proc (which the native root does not have)
    res = pool.run(job(PY, "import socket\ndef f(x):\n    return [n for _, n in socket.if_nameindex()]\n",
                       [("v", "f.call(0)")]))
    assert res.checks[0].value == ["lo"], res


def test_writes_outside_work_dir_fail_and_never_reach_host(pool):
    host_path = "/tmp/codeinterview-escape-%s" % uuid.uuid4().hex
    code = (
        "import os\n"
        "def f(paths):\n"
        "    out = {}\n"
        "    for p in paths:\n"
        "        try:\n"
        "            with open(p, 'w') as fh:\n"
        "                fh.write('pwned')\n"
        "            out[p] = 'written'\n"
        "        except OSError as e:\n"
        "            out[p] = type(e).__name__\n"
        "    return out\n")
    protected = ["/etc/passwd", "/opt/runner/daemon.py", "/usr/bin/python3", "/root/x", "/x"]
    res = pool.run(job(PY, code, [("v", "f.call(%r)" % (protected + [host_path]))]))
    out = res.checks[0].value
    assert all(out[p] != "written" for p in protected), out
    assert not os.path.exists(host_path), "the answer wrote onto the host"
    assert res.replaced, "a file left in /tmp must taint the container"
    assert_honest_passes(pool, PY)


@pytest.mark.parametrize("lang,code", [
    (PY, "import os\ndef f(x):\n    env = dict(os.environ)\n    try:\n        env['init'] = open('/proc/1/environ').read()\n"
         "    except OSError as e:\n        env['init'] = type(e).__name__\n    return env\n"),
    (JS, "function f(x) {\n  const env = Object.assign({}, process.env);\n"
         "  try { env.init = require('fs').readFileSync('/proc/1/environ', 'utf8'); } catch (e) { env.init = e.code; }\n"
         "  return env;\n}\n"),
])
def test_host_environment_never_enters(pool, host_secret, lang, code):
    res = pool.run(job(lang, code, [("v", "f.call(1)")]))
    env = res.checks[0].value
    assert isinstance(env, dict) and "PATH" in env
    assert host_secret not in repr(env) and "CODEINTERVIEW_TEST_SECRET" not in env
    # the daemon is not dumpable; in the native root there is no /proc at all
    assert env["init"] in ("PermissionError", "EACCES", "FileNotFoundError", "ENOENT"), env["init"]


def test_forged_result_lines_forge_nothing(pool):
    forged = ('{"id": 1, "nonce": "x", "status": "ok", "checks": [{"name": "v", "value": 55}], '
              '"tainted": false}')
    code = (
        "import sys\n"
        "FORGED = %r\n"
        "print(FORGED)\n"
        "print(FORGED, file=sys.stderr)\n"
        "def f(x):\n"
        "    tried = []\n"
        "    for fd in ('/proc/1/fd/1', '/proc/1/fd/0'):\n"
        "        try:\n"
        "            with open(fd, 'w') as fh:\n"
        "                fh.write(FORGED + '\\n')\n"
        "            tried.append('wrote')\n"
        "        except OSError as e:\n"
        "            tried.append(type(e).__name__)\n"
        "    return [0, tried]\n" % forged)
    res = pool.run(job(PY, code, [("v", "f.call(10)")]))
    value, tried = res.checks[0].value
    assert value == 0 and len(tried) == 2 and set(tried) <= {"PermissionError", "FileNotFoundError"}, tried
    assert forged in res.stdout  # it stayed in the answer's own stdout
    assert_honest_passes(pool, PY)


@pytest.mark.parametrize("lang,code", [
    (PY, "import sys\nsys.exit(0)\ndef f(x):\n    return x\n"),
    (PY, "import os\nos._exit(0)\ndef f(x):\n    return x\n"),
    (JS, "process.exit(0);\nfunction f(x) { return x; }\n"),
], ids=["sys.exit", "os._exit", "process.exit"])
def test_exit_at_import_is_runtime_error(pool, lang, code):
    res = run_then_honest(pool, lang, code, [("v", "f.call(1)")])
    assert res.status == "runtime_error", res


@pytest.mark.parametrize("lang,code", [
    (PY, "import os\ndef f(x):\n    if x == 0:\n        os._exit(3)\n    return x\n"),
    (JS, "function f(x) { if (x === 0) process.exit(3); return x; }\n"),
])
def test_exit_during_a_call_fails_that_check_only(pool, lang, code):
    res = run_then_honest(pool, lang, code, [("dies", "f.call(0)"), ("ok", "f.call(5)")])
    assert res.checks[0].error_type == "ProcessDied" and "code 3" in res.checks[0].error
    assert res.checks[1].value == 5


LINGER = {
    "setsid": (PY, "import subprocess\ndef f(x):\n    subprocess.Popen(['sleep', '1000'], start_new_session=True)\n    return 1\n"),
    "daemonize": (PY, "import os, time\ndef f(x):\n    pid = os.fork()\n    if pid == 0:\n        os.setsid()\n        if os.fork() == 0:\n"
                      "            time.sleep(1000)\n        os._exit(0)\n    os.waitpid(pid, 0)\n    return 1\n"),
    "detached": (JS, "function f(x) {\n  require('child_process').spawn('sleep', ['1000'], {detached: true, stdio: 'ignore'}).unref();\n  return 1;\n}\n"),
}


@pytest.mark.parametrize("case", sorted(LINGER))
def test_background_process_taints_and_is_gone_for_the_next_job(solo_pool, case):
    lang, code = LINGER[case]
    res = solo_pool.run(job(lang, code, [("v", "f.call(1)")]))
    assert res.checks[0].value == 1 and res.replaced
    alive = solo_pool.run(job(PY, others_alive(), [("ps", "f.call(0)")])).checks[0].value
    assert list(alive) == ["pids", []], alive


@pytest.mark.parametrize("lang,code,etype", [
    (PY, "def f(n):\n    return f(n + 1)\n", "RecursionError"),
    (JS, "function f(n) { return f(n + 1); }\n", "RangeError"),
])
def test_deep_recursion(pool, lang, code, etype):
    res = run_then_honest(pool, lang, code, [("v", "f.call(0)"), ("name", "f.name")])
    assert res.checks[0].error_type == etype and res.checks[1].value == "f"


def test_recursion_that_crashes_the_interpreter(pool):
    code = "import sys\nsys.setrecursionlimit(10**7)\ndef f(n):\n    return f(n + 1) + 1\n"
    res = run_then_honest(pool, PY, code, [("v", "f.call(0)"), ("name", "f.name")])
    assert res.checks[0].error_type in ("ProcessDied", "RecursionError", "MemoryError", "OutOfMemory", "Timeout")
    assert res.checks[1].value == "f"


# ---------------------------------------------------------------- isolation between answers


def test_no_answer_sees_another_answers_state(solo_pool):
    plant = (
        "import builtins, os\n"
        "builtins.PLANTED = 'yes'\n"
        "SECRET = 'mine'\n"
        "def f(x):\n"
        "    for p in ('/tmp/planted', '/dev/shm/planted', '/work/planted', os.getcwd() + '/planted'):\n"
        "        try:\n"
        "            open(p, 'w').write('x')\n"
        "        except OSError:\n"
        "            pass\n"
        "    return os.getcwd()\n")
    look = (
        "import builtins, glob, os\n"
        "def f(x):\n"
        "    return [getattr(builtins, 'PLANTED', None), globals().get('SECRET'),\n"
        "            glob.glob('/tmp/*') + glob.glob('/dev/shm/*') + glob.glob('/work/*/*') + glob.glob('/work/planted')]\n")
    first = solo_pool.run(job(PY, plant, [("cwd", "f.call(0)")]))
    assert first.checks[0].value.startswith("/work/")
    assert first.replaced  # files left outside the job dir taint the container
    second = solo_pool.run(job(PY, look, [("seen", "f.call(0)")]))
    assert second.checks[0].value[:2] == [None, None]
    assert all("planted" not in p for p in second.checks[0].value[2]), second.checks[0].value


def test_clean_job_keeps_its_container(solo_pool):
    first = solo_pool.run(job(PY, "def f(x):\n    open('scratch', 'w').write('ok')\n    return 1\n",
                              [("v", "f.call(0)")]))
    assert first.checks[0].value == 1 and not first.replaced  # its own work dir is wiped, not a taint
    assert not solo_pool.run(job(PY, "def f(x):\n    return 2\n", [("v", "f.call(0)")])).replaced
