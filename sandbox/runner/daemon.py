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

import builtins
import ctypes
import json
import os
import resource
import select
import shutil
import signal
import subprocess
import sys
import threading
import time

RUNNER_DIR = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, RUNNER_DIR)
import codec  # noqa: E402
import child_py  # noqa: E402  (preloaded: forked Python children start with it...)
import inspect, traceback, types  # noqa: E401,E402,F401  (...and with what it imports lazily)

PROCESS_MODE = "--process" in sys.argv
WORK = os.environ.get("CODEINTERVIEW_WORK", "/work")
SCRATCH = () if PROCESS_MODE else ("/tmp", "/dev/shm")  # must be empty between jobs
MAX_REPLY = 16 << 20  # a call's encoded value; bigger is an error, not a daemon OOM
CHILD_PATH = os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin")
PR_SET_DUMPABLE, PR_SET_CHILD_SUBREAPER = 4, 36


class ChildTimeout(Exception):
    pass


class ChildDied(Exception):
    pass


class CallError(Exception):
    """An exception raised by the answer inside the child, re-raised here for one check."""

    def __init__(self, info):
        super().__init__(info.get("message", ""))
        self.info = info


def prctl(option, value):
    try:
        ctypes.CDLL(None, use_errno=True).prctl(option, value, 0, 0, 0)
    except (OSError, AttributeError):
        pass


# ---------------------------------------------------------------- processes


def proc_stat(pid):
    """(state, ppid, pgrp) of a process, or None when it is gone."""
    try:
        with open("/proc/%d/stat" % pid, "rb") as fh:
            data = fh.read().decode("ascii", "replace")
    except OSError:
        return None
    fields = data[data.rfind(")") + 2:].split()
    return fields[0], int(fields[1]), int(fields[2])


def all_pids():
    return [int(p) for p in os.listdir("/proc") if p.isdigit()]


def strays():
    """Processes that should not exist between jobs."""
    me = os.getpid()
    if not PROCESS_MODE:
        return [p for p in all_pids() if p not in (me, 1) and proc_stat(p)]
    parents = {p: (proc_stat(p) or ("", 0, 0))[1] for p in all_pids()}
    found, frontier = [], {me}
    while frontier:
        kids = [p for p, pp in parents.items() if pp in frontier and p not in found]
        found.extend(kids)
        frontier = set(kids)
    return found


def reap():
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def live_strays():
    return [p for p in strays() if (proc_stat(p) or ("Z",))[0] != "Z"]


def kill_group(proc):
    """Kill the job's process group and wait until its members are gone.

    Members that left the group (setsid, double fork) survive: the taint check
    after the job is what finds them."""
    pgid = proc.pid
    try:
        os.killpg(pgid, signal.SIGKILL)
    except OSError:
        pass
    proc.wait()  # collect its real status before reap() could take it
    for _ in range(500):
        reap()
        if not [p for p in live_strays() if (proc_stat(p) or (0, 0, 0))[2] == pgid]:
            return
        time.sleep(0.001)


def kill_all(proc=None):
    """Kill the job's process group and anything that escaped it, then reap."""
    if proc is not None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except OSError:
            pass
        proc.wait()
    for _ in range(50):
        left = live_strays()
        if not left:
            break
        if PROCESS_MODE:
            for p in left:
                try:
                    os.kill(p, signal.SIGKILL)
                except OSError:
                    pass
        else:
            try:
                os.kill(-1, signal.SIGKILL)  # everything we may signal, except ourselves
            except OSError:
                pass
        reap()
        time.sleep(0.002)
    reap()


def oom_kills():
    """The memory cgroup's OOM-kill counter, or None where it cannot be read."""
    for path in ("/sys/fs/cgroup/memory.events", "/sys/fs/cgroup/memory/memory.oom_control"):
        try:
            with open(path) as fh:
                for line in fh:
                    key, _, value = line.partition(" ")
                    if key == "oom_kill":
                        return int(value)
        except OSError:
            continue
    return None


def wait_pid(proc, deadline):
    """Wait for a child until deadline without polling; True when it exited."""
    remaining = max(0.0, deadline - time.monotonic())
    try:
        fd = os.pidfd_open(proc.pid)
    except (AttributeError, OSError):
        try:
            proc.wait(remaining)
            return True
        except subprocess.TimeoutExpired:
            return False
    try:
        ready, _, _ = select.select([fd], [], [], remaining)
    finally:
        os.close(fd)
    if ready:
        proc.wait()
        return True
    return False


class Capture(threading.Thread):
    """Drain one pipe; keep the first `cap` bytes and count the rest."""

    def __init__(self, stream, cap):
        super().__init__(daemon=True)
        self.fd, self.cap, self.kept, self.dropped = stream.fileno(), cap, [], 0
        self.stream, self.size = stream, 0
        self.start()

    def run(self):
        try:
            while True:
                chunk = os.read(self.fd, 65536)
                if not chunk:
                    break
                room = self.cap - self.size
                if room > 0:
                    self.kept.append(chunk[:room])
                    self.size += min(room, len(chunk))
                self.dropped += max(0, len(chunk) - max(room, 0))
        except OSError:
            pass
        finally:
            self.stream.close()

    def text(self):
        self.join(1.0)
        text = b"".join(self.kept).decode("utf-8", "replace")
        if self.dropped:
            text += "\n[... %d more bytes not shown]" % self.dropped
        return text


# ---------------------------------------------------------------- children


def child_env(jobdir):
    return {"PATH": CHILD_PATH, "LANG": "C.UTF-8", "HOME": jobdir, "TMPDIR": jobdir,
            "PYTHONDONTWRITEBYTECODE": "1"}


def child_rlimits(limits):
    """rlimits for child_py.py as "NAME=value,..." (no json import needed there)."""
    rl = {"RLIMIT_CORE": 0}
    if PROCESS_MODE:  # no cgroup on the host: bound memory and file size here
        rl["RLIMIT_AS"] = int(limits.get("memory_mb", 512)) << 20
        rl["RLIMIT_FSIZE"] = 64 << 20
    return ",".join("%s=%d" % kv for kv in rl.items())


CHILD_PY = os.path.join(RUNNER_DIR, "child_py.py")


def spawn(argv, jobdir, limits, pass_fds=()):
    if argv[:3] == [sys.executable, "-I", CHILD_PY]:
        return fork_python(argv[3:], jobdir, limits, pass_fds)
    proc = subprocess.Popen(
        argv, cwd=jobdir, env=child_env(jobdir), stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, pass_fds=pass_fds,
        start_new_session=True,  # own process group: one killpg ends the job
    )
    cap = int(limits.get("output_bytes", 65536))
    return proc, Capture(proc.stdout, cap), Capture(proc.stderr, cap)


class Forked:
    """The little of subprocess.Popen the daemon uses, for a forked child."""

    def __init__(self, pid):
        self.pid, self.returncode = pid, None

    def _status(self, flags):
        try:
            pid, status = os.waitpid(self.pid, flags)
        except ChildProcessError:  # already collected
            self.returncode = 0 if self.returncode is None else self.returncode
            return self.returncode
        if pid:
            self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def poll(self):
        return self.returncode if self.returncode is not None else self._status(os.WNOHANG)

    def wait(self, timeout=None):
        if self.returncode is not None:
            return self.returncode
        if timeout is None:
            return self._status(0)
        deadline = time.monotonic() + timeout
        while self.poll() is None:
            if time.monotonic() >= deadline:
                raise subprocess.TimeoutExpired("child", timeout)
            time.sleep(0.001)
        return self.returncode


def fork_python(child_args, jobdir, limits, pass_fds):
    """A fresh process for a Python answer, forked from this daemon (which never
    runs answer code) rather than started as a new interpreter: in the container,
    python's start-up is most of the cost of grading a short answer. The child
    sheds everything of ours first (fds, session, signals, environment), then
    runs child_py exactly as `python3 -I child_py.py ARGS` would."""
    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
    env = child_env(jobdir)
    pid = os.fork()
    if pid == 0:
        _run_forked_child(child_args, jobdir, env, (out_w, err_w), pass_fds)  # never returns
    os.close(out_w)
    os.close(err_w)
    cap = int(limits.get("output_bytes", 65536))
    return (Forked(pid), Capture(os.fdopen(out_r, "rb", buffering=0), cap),
            Capture(os.fdopen(err_r, "rb", buffering=0), cap))


def _run_forked_child(child_args, jobdir, env, outputs, pass_fds):
    code = 1
    try:
        os.setsid()
        prctl(PR_SET_DUMPABLE, 1)  # its own /proc files (oom_score_adj) become writable to it
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.dup2(outputs[0], 1)
        os.dup2(outputs[1], 2)
        low = 3  # close every fd of ours (the result channel above all) but the job's pipes
        for fd in sorted(set(pass_fds)):
            os.closerange(low, fd)
            low = fd + 1
        os.closerange(low, resource.getrlimit(resource.RLIMIT_NOFILE)[0])
        os.chdir(jobdir)
        os.environ.clear()
        os.environ.update(env)
        # fresh standard streams, the dunder originals too (a program may write to sys.__stderr__)
        sys.stdin = sys.__stdin__ = open(0, "r", closefd=False)
        sys.stdout = sys.__stdout__ = open(1, "w", closefd=False)
        sys.stderr = sys.__stderr__ = open(2, "w", buffering=1, closefd=False,
                                           errors="backslashreplace")
        sys.argv = [CHILD_PY] + list(child_args)
        child_py.main()
        code = 0
    except SystemExit as exc:
        if exc.code is None or isinstance(exc.code, int):
            code = exc.code or 0
        else:
            print(exc.code, file=sys.stderr)
    except BaseException:
        try:
            etype, value, tb = sys.exc_info()
            sys.excepthook(etype, value, tb.tb_next)  # from child_py down, as a fresh run shows it
        except BaseException:
            pass
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except BaseException:
                pass
        os._exit(code if 0 <= code <= 255 else 1)


def node_argv(limits):
    argv = ["node"]
    if PROCESS_MODE:
        argv.append("--max-old-space-size=%d" % int(limits.get("memory_mb", 512)))
    return argv


class Child:
    """One fresh process holding the loaded answer, spoken to over private pipes."""

    def __init__(self, job, jobdir, path):
        limits = job.get("limits", {})
        call_r, self.call_w = os.pipe()
        self.reply_r, reply_w = os.pipe()
        name = job.get("function") or ""
        if job["language"] == "python":
            argv = [sys.executable, "-I", os.path.join(RUNNER_DIR, "child_py.py"), "function",
                    str(call_r), str(reply_w), path, name, child_rlimits(limits)]
        else:
            argv = node_argv(limits) + [os.path.join(RUNNER_DIR, "child_js.js"), "function",
                                        str(call_r), str(reply_w), path, name]
        self.oom_before = oom_kills()
        try:
            self.proc, self.out, self.err = spawn(argv, jobdir, limits, (call_r, reply_w))
        finally:
            os.close(call_r)
            os.close(reply_w)
        os.set_blocking(self.call_w, False)
        self.buf = b""
        self.killed = False

    def send(self, obj, deadline):
        data = (json.dumps(obj) + "\n").encode()
        while data:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise ChildTimeout()
            _, ready, _ = select.select([], [self.call_w], [], remaining)
            if ready:
                try:
                    data = data[os.write(self.call_w, data):]
                except (BrokenPipeError, BlockingIOError):
                    if self.proc.poll() is not None:
                        raise ChildDied(self.death())

    def recv(self, deadline):
        while b"\n" not in self.buf:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise ChildTimeout()
            ready, _, _ = select.select([self.reply_r], [], [], remaining)
            if not ready:
                continue
            chunk = os.read(self.reply_r, 1 << 20)
            if not chunk:
                wait_pid(self.proc, time.monotonic() + 1.0)
                raise ChildDied(self.death())
            self.buf += chunk
            if len(self.buf) > MAX_REPLY:
                raise CallError({"type": "ValueTooLarge",
                                 "message": "returned value exceeds %d bytes" % MAX_REPLY})
        line, self.buf = self.buf.split(b"\n", 1)
        try:
            return json.loads(line)
        except ValueError as exc:
            raise CallError({"type": "ProtocolError", "message": str(exc)[:200]})

    def death(self):
        """Why the child ended: ('oom'|'exit'|'signal', detail)."""
        code = self.proc.poll()
        if code is None:
            return ("exit", "child stopped answering")
        if code == -signal.SIGKILL and not self.killed:
            after = oom_kills()
            if after is None or self.oom_before is None or after > self.oom_before:
                return ("oom", "killed (out of memory)")
        if code < 0:
            return ("signal", "killed by signal %d" % -code)
        return ("exit", "process exited with code %d" % code)

    def kill(self, everything=False):
        self.killed = True
        if everything:
            kill_all(self.proc)
        else:
            kill_group(self.proc)
        if self.proc.poll() is None:
            self.proc.wait()
        for fd in (self.call_w, self.reply_r):
            try:
                os.close(fd)
            except OSError:
                pass


# ---------------------------------------------------------------- function jobs


class Arg:
    __slots__ = ("name",)

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return "Arg(%r)" % self.name


class FunctionProxy:
    """What a check expression sees as `f`."""

    def __init__(self, child, info, deadline):
        self._child, self._deadline = child, deadline
        self.name = info["name"]
        self.args = [Arg(a) for a in info["args"]]

    def call(self, *args):
        self._child.send({"args": codec.encode(list(args))}, self._deadline)
        reply = self._child.recv(self._deadline)
        if "error" in reply:
            raise CallError(reply["error"])
        return codec.decode(reply.get("ok"))

    __call__ = call


def outcome(name, **kw):
    base = {"name": name, "value": None, "error": None, "error_type": None,
            "traceback": None, "timeout": False, "oom": False}
    base.update(kw)
    return base


def run_check(child, info, check, deadline):
    """Evaluate one check; returns (outcome, child_usable)."""
    proxy = FunctionProxy(child, info, deadline)
    env = {"__builtins__": builtins, "f": proxy}
    try:
        value = eval(check["expr"], env)  # trusted: written by the question's author
        return outcome(check["name"], value=codec.encode(value)), True
    except ChildTimeout:
        return outcome(check["name"], timeout=True, error="timeout",
                       error_type="Timeout"), False
    except ChildDied as exc:
        kind, detail = exc.args[0]
        return outcome(check["name"], oom=kind == "oom", error=detail,
                       error_type="OutOfMemory" if kind == "oom" else "ProcessDied"), False
    except CallError as exc:
        info_ = exc.info
        return outcome(check["name"], error="%s: %s" % (info_.get("type"), info_.get("message")),
                       error_type=info_.get("type"), traceback=info_.get("traceback"),
                       oom=info_.get("type") == "MemoryError"), True
    except Exception as exc:  # the expression itself failed on what came back
        return outcome(check["name"], error="%s: %s" % (type(exc).__name__, exc),
                       error_type=type(exc).__name__), True


def load(job, jobdir, path, deadline, outputs):
    """Start a child and wait for it to load the answer: (child|None, loaded message)."""
    child = Child(job, jobdir, path)
    outputs.append(child)
    try:
        msg = child.recv(deadline)
        if msg.get("event") != "loaded":
            raise CallError({"type": "ProtocolError", "message": "unexpected message"})
    except ChildTimeout:
        child.kill(everything=True)
        return None, {"status": "timeout", "error": {"type": "Timeout",
                                                     "message": "timeout while loading"}}
    except ChildDied as exc:
        kind, detail = exc.args[0]
        child.kill(everything=True)
        return None, {"status": "oom" if kind == "oom" else "runtime_error",
                      "error": {"type": "ProcessDied", "message": detail + " while loading"}}
    except CallError as exc:
        child.kill()
        return None, {"status": "runtime_error", "error": exc.info}
    if msg.get("status") not in ("ok", "no_function") or not msg.get("function"):
        child.kill()
        return None, msg
    return child, msg


LOAD_FLOOR_S = 5.0


def run_function_job(job, jobdir):
    limits = job.get("limits", {})
    start = time.monotonic()
    job_deadline = start + float(limits.get("timeout_s", 10.0))
    check_s = float(limits.get("check_timeout_s", 5.0))
    # Loading includes the interpreter's start-up (node takes ~0.1-0.5 s, more on a
    # loaded machine), which must not count against a tight per-check timeout.
    load_s = max(check_s, LOAD_FLOOR_S)
    path = os.path.join(jobdir, "answer.py" if job["language"] == "python" else "answer.js")
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(job["code"])
    outputs, checks, tainted = [], [], False
    child, loaded = load(job, jobdir, path, min(job_deadline, start + load_s), outputs)
    result = {"status": loaded.get("status"), "function": loaded.get("function"),
              "error": loaded.get("error"), "checks": checks}
    if child is None and result["status"] in ("timeout", "oom"):
        tainted = True
        checks.extend(outcome(c["name"], timeout=True, error="not run: answer did not load",
                              error_type="Timeout") for c in job.get("checks", []))
    elif child is not None:
        for check in job.get("checks", []):
            now = time.monotonic()
            if now >= job_deadline:
                checks.append(outcome(check["name"], timeout=True, error_type="Timeout",
                                      error="not run: job deadline passed"))
                continue
            if child is None:  # the previous check killed it: fresh process, reload
                child, again = load(job, jobdir, path, min(job_deadline, now + load_s), outputs)
                if child is None:
                    checks.append(outcome(check["name"], error="reload failed: %s" % again.get("status"),
                                          error_type="ReloadFailed",
                                          timeout=again.get("status") == "timeout"))
                    continue
            res, usable = run_check(child, result["function"], check,
                                    min(job_deadline, time.monotonic() + check_s))
            checks.append(res)
            if not usable:
                tainted = True
                child.kill(everything=True)  # a fresh child must not share the box with leftovers
                child = None
        if child is not None:
            child.kill()
    if any(c["oom"] for c in checks):
        result["status"] = "oom"
    elif any(c["timeout"] for c in checks) and result["status"] != "timeout":
        result["status"] = "timeout"
    result["stdout"] = "".join(c.out.text() for c in outputs)
    result["stderr"] = "".join(c.err.text() for c in outputs)
    return result, tainted


# ---------------------------------------------------------------- program jobs


def run_program_job(job, jobdir):
    limits = job.get("limits", {})
    deadline = time.monotonic() + float(limits.get("timeout_s", 10.0))
    python = job["language"] == "python"
    path = os.path.join(jobdir, "prog.py" if python else "prog.js")
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(job["code"])
    note_r, note_w = os.pipe()  # the Python wrapper reports a syntax error here
    if python:
        argv = [sys.executable, "-I", os.path.join(RUNNER_DIR, "child_py.py"), "program",
                str(note_w), path, child_rlimits(limits)]
    else:
        argv = node_argv(limits) + [os.path.join(RUNNER_DIR, "child_js.js"), "program", path]
    oom_before = oom_kills()
    try:
        proc, out, err = spawn(argv, jobdir, limits, (note_w,))
    finally:
        os.close(note_w)
    finished = wait_pid(proc, deadline)
    kill_group(proc)
    code = proc.wait()
    os.set_blocking(note_r, False)
    try:
        note = os.read(note_r, 65536)
    except BlockingIOError:
        note = b""
    os.close(note_r)
    after = oom_kills()
    oom = finished and code == -signal.SIGKILL and (
        after is None or oom_before is None or after > oom_before)
    result = {"exit_code": code, "stdout": out.text(), "stderr": err.text(),
              "timed_out": not finished, "oom": oom, "error": None}
    if not finished:
        result["status"] = "timeout"
    elif oom:
        result["status"] = "oom"
    elif note:
        result["status"] = "syntax_error"
        result["error"] = json.loads(note.decode("utf-8", "replace").splitlines()[0])["error"]
    else:
        result["status"] = "ok" if code == 0 else "runtime_error"
    return result, not finished or oom


# ---------------------------------------------------------------- job lifecycle


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
    jobdir = os.path.join(WORK, "job-%d" % seq)
    os.mkdir(jobdir, 0o700)
    start = time.monotonic()
    try:
        if job.get("kind", "function") == "program":
            result, tainted = run_program_job(job, jobdir)
        else:
            result, tainted = run_function_job(job, jobdir)
    except Exception as exc:  # a daemon bug must not look like the answer's failure
        result = {"status": "sandbox_error", "error": {"type": type(exc).__name__,
                                                       "message": str(exc)}}
        tainted = True
    # Taint: anything alive besides us (and init), or anything left in writable places.
    if live_strays():
        tainted = True
        kill_all()
    shutil.rmtree(jobdir, onerror=_force_remove)
    if os.path.exists(jobdir) or not clear_dir(WORK):
        tainted = True
    for scratch in SCRATCH:
        if not clear_dir(scratch):
            tainted = True
    result["tainted"] = tainted
    result["duration_s"] = round(time.monotonic() - start, 4)
    return result


def respond(obj):
    data = (json.dumps(obj) + "\n").encode()
    while data:
        data = data[os.write(1, data):]


def main():
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
            respond(dict(head, status="pong", tainted=bool(strays())))
            continue
        respond(dict(head, **run_job(req, seq)))


if __name__ == "__main__":
    main()
