"""Trusted runner daemon: one job per request line on stdin, one response line on stdout.

    python3 daemon.py [--process]

Each job runs in a fresh child process (child_py.py or child_js.js) in a fresh
work directory; the child's stdout/stderr are captured and capped, and calls
travel over private pipes. Check expressions (Python, written by question
authors) are evaluated here, with `f` a proxy whose calls cross into the child.

In the container the daemon is PID 1: nothing else can hold the container's
stdio or signal it, and it reaps orphans. --process runs it on the host for the
unsafe process backend: there it never signals anything but its own
descendants. Stdlib only.
"""

import json
import os
import shutil
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # -I leaves the script's folder out
import children  # noqa: E402
import compile_server  # noqa: E402
import confine  # noqa: E402
import langs  # noqa: E402
from compiler import CACHE_STORE  # noqa: E402
from exercise import run_tests_job  # noqa: E402
from jobs import run_function_job, run_program_job  # noqa: E402
from procs import (PR_SET_CHILD_SUBREAPER, PR_SET_DUMPABLE, PROCESS_MODE,  # noqa: E402
                   keep_dirs, kill_all, live_strays, prctl, read_proc, reap, strays)

WORK = os.environ.get("CODEINTERVIEW_WORK", "/work")
NATIVE_ROOT = os.environ.pop("CODEINTERVIEW_NATIVE_ROOT", "")  # set by the host: enter it first (confine.py)
START_SERVERS = os.environ.pop("CODEINTERVIEW_COMPILE_SERVERS", "1") != "0"  # 0: every compile cold
SCRATCH = () if PROCESS_MODE else ("/tmp", "/dev/shm")  # must be empty between jobs


def clear_dir(path):
    """Empty a directory; True when it was already empty."""
    try:
        names = os.listdir(path)
    except OSError:
        return True
    for name in names:
        full = os.path.join(path, name)
        try:
            if os.path.isdir(full) and not os.path.islink(full):
                shutil.rmtree(full, onerror=_force_remove)
            else:
                os.unlink(full)
        except OSError:
            pass
    return not names


def _force_remove(func, path, _exc):
    # The answer may have chmod-ed its own files read-only; we share its uid.
    try:
        os.chmod(os.path.dirname(path), 0o700)
        os.chmod(path, 0o700)
    except OSError:
        pass
    try:
        func(path)
    except OSError:
        pass


def run_job(job, seq):
    start = time.monotonic()
    if job.get("language") != "javascript":  # a node started ahead never waits beside answer code
        children.discard_warm()
    jobdir = os.path.join(WORK, "job-%d" % seq)
    os.mkdir(jobdir, 0o700)
    try:
        if job.get("kind", "function") == "program":
            result, tainted = run_program_job(job, jobdir)
        elif job.get("kind") == "tests":
            result, tainted = run_tests_job(job, jobdir)
        else:
            result, tainted = run_function_job(job, jobdir)
    except Exception as exc:  # a daemon bug must not look like the answer's failure
        result = {"status": "sandbox_error", "error": {"type": type(exc).__name__,
                                                       "message": str(exc)}}
        tainted = True
    children.discard_warm()  # unused by the job (it started its own): it goes with the job
    # Taint: anything alive besides us (and init), or anything left in writable places.
    if live_strays():
        tainted = True
        kill_all()
    reap()  # a process killed with the job's group may have become a zombie only just now
    shutil.rmtree(jobdir, onerror=_force_remove)
    if os.path.exists(jobdir) or not clear_dir(WORK):
        tainted = True
    for scratch in SCRATCH:
        if not clear_dir(scratch):
            tainted = True
    if CACHE_STORE.strangers():  # the answer wrote into the compile cache
        tainted = True
    if compile_server.lost():  # a fresh worker gets a fresh one
        tainted = True
    result["tainted"] = tainted
    result["duration_s"] = round(time.monotonic() - start, 4)
    return result


def start_servers():
    if START_SERVERS:
        compile_server.start_all(langs.get(name) for name in langs.names())


def respond(obj):
    data = (json.dumps(obj) + "\n").encode()
    while data:
        data = data[os.write(1, data):]


def main():
    if not PROCESS_MODE and os.geteuid() == 0:  # started as root, to drop it all here
        try:
            confine.enter(NATIVE_ROOT or None, keep_dirs, read_proc, before_drop=start_servers)
        except (OSError, confine.ConfineError) as exc:  # never serve with a privilege left
            sys.stderr.write("runner: cannot drop its privileges%s: %s\n"
                             % (" in the native root " + NATIVE_ROOT if NATIVE_ROOT else "", exc))
            sys.exit(70)
    prctl(PR_SET_DUMPABLE, 0)  # same-uid answers cannot open /proc/<us>/fd or ptrace us
    prctl(PR_SET_CHILD_SUBREAPER, 1)  # orphans of the answer come back to us to be killed
    signal.signal(signal.SIGPIPE, signal.SIG_IGN)
    os.makedirs(WORK, exist_ok=True)
    stdin = sys.stdin.buffer
    seq = 0
    for line in stdin:
        if not line.strip():
            continue
        try:
            req = json.loads(line)
        except ValueError:
            continue
        seq += 1
        head = {"id": req.get("id"), "nonce": req.get("nonce")}
        if req.get("kind") == "ping":
            warm = children.warm_pid()
            respond(dict(head, status="pong", tainted=bool([p for p in strays() if p != warm])))
            continue
        result = run_job(req, seq)
        respond(dict(head, **result))
        if req.get("language") == "javascript" and not result["tainted"]:
            prestart(req.get("limits") or {})


def prestart(limits):
    """Start the next JavaScript job's node now, while idle: after this job's
    processes are gone and its taint check passed, so it never runs beside answer code."""
    try:
        children.prestart(limits, WORK)
    except (OSError, KeyError, ValueError):
        children.discard_warm()  # the job then starts its own


if __name__ == "__main__":
    main()
