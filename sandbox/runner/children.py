"""The fresh process a job runs in: a Python child forked from the daemon
(child_py.py) or a node process (child_js.js), spoken to over private pipes.
Stdlib only."""

import json
import os
import resource
import select
import signal
import subprocess
import sys
import time

import child_py  # preloaded: forked Python children start with it...
import inspect, traceback, types  # noqa: E401,F401  (...and with what it imports lazily)
try:  # ...and an exercise's pytest (its import is most of a short test run's time)
    import pytest  # noqa: F401
except ImportError:  # an image or host without it: `pytest` mode imports it itself
    pass
from procs import PROCESS_MODE, Capture, kill_all, kill_group, oom_kills, prefer_oom_kill, wait_pid

RUNNER_DIR = os.path.dirname(os.path.abspath(__file__))
CHILD_PY = os.path.join(RUNNER_DIR, "child_py.py")
CHILD_JS = os.path.join(RUNNER_DIR, "child_js.js")
CHILD_PATH = os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin")
MAX_REPLY = 16 << 20  # a call's encoded value; bigger is an error, not a daemon OOM


class ChildTimeout(Exception):
    pass


class ChildDied(Exception):
    pass


class CallError(Exception):
    """An exception raised by the answer inside the child, re-raised here for one check."""

    def __init__(self, info):
        super().__init__(info.get("message", ""))
        self.info = info


def child_env(jobdir):
    return {"PATH": CHILD_PATH, "LANG": "C.UTF-8", "HOME": jobdir, "TMPDIR": jobdir,
            "PYTHONDONTWRITEBYTECODE": "1"}


def child_rlimits(limits):
    """rlimits for child_py.py as "NAME=value,..." (no json import needed there)."""
    rl = {"RLIMIT_CORE": 0}
    if PROCESS_MODE:  # no cgroup on the host: bound memory and file size here
        rl["RLIMIT_AS"] = int(limits["memory_mb"]) << 20
        rl["RLIMIT_FSIZE"] = 64 << 20
    return ",".join("%s=%d" % kv for kv in rl.items())


def spawn(argv, jobdir, limits, pass_fds=(), env=None, rlimits=None, output_bytes=None):
    """env: extra environment; rlimits: {resource.RLIMIT_*: value} set in the child."""
    if argv[:3] == [sys.executable, "-I", CHILD_PY]:
        return fork_python(argv[3:], jobdir, limits, pass_fds, env, output_bytes)
    if argv[:-1] == node_argv(limits) + [CHILD_JS, "program"]:
        warm = take_warm(limits, rlimits)
        if warm is not None:  # a JavaScript program: the node started ahead runs it
            return warm.start({"mode": "program", "path": argv[-1], "dir": jobdir,
                               "env": dict(child_env(jobdir), **(env or {}))},
                              int(output_bytes or limits["output_bytes"]), calls=False)
    proc = subprocess.Popen(
        argv, cwd=jobdir, env=dict(child_env(jobdir), **(env or {})), stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, pass_fds=pass_fds,
        start_new_session=True,  # own process group: one killpg ends the job
        preexec_fn=_job_process(rlimits),
    )
    cap = int(output_bytes or limits["output_bytes"])
    return proc, Capture(proc.stdout, cap), Capture(proc.stderr, cap)


def _job_process(rlimits=None):
    """What a job's process does between fork and exec: OOM priority, its rlimits."""
    def apply():
        if not PROCESS_MODE:
            prefer_oom_kill()
        for which, value in (rlimits or {}).items():
            resource.setrlimit(which, (value, value))
    return apply


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


def fork_python(child_args, jobdir, limits, pass_fds, extra_env=None, output_bytes=None):
    """A fresh process for a Python answer, forked from this daemon (which never
    runs answer code) rather than started as a new interpreter: in the container,
    python's start-up is most of the cost of grading a short answer. The child
    sheds everything of ours first (fds, session, signals, environment), then
    runs child_py exactly as `python3 -I child_py.py ARGS` would."""
    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
    env = dict(child_env(jobdir), **(extra_env or {}))
    pid = os.fork()
    if pid == 0:
        _run_forked_child(child_args, jobdir, env, (out_w, err_w), pass_fds)  # never returns
    os.close(out_w)
    os.close(err_w)
    cap = int(output_bytes or limits["output_bytes"])
    return (Forked(pid), Capture(os.fdopen(out_r, "rb", buffering=0), cap),
            Capture(os.fdopen(err_r, "rb", buffering=0), cap))


def _run_forked_child(child_args, jobdir, env, outputs, pass_fds):
    code = 1
    try:
        os.setsid()
        prefer_oom_kill()  # before the fds close: in the native root, /proc is one of them
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
        sys.stdin = sys.__stdin__ = open(0, "r", closefd=False)  # type: ignore[misc]
        sys.stdout = sys.__stdout__ = open(1, "w", closefd=False)  # type: ignore[misc]
        sys.stderr = sys.__stderr__ = open(2, "w", buffering=1, closefd=False,  # type: ignore[misc]
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
            assert etype is not None and value is not None and tb is not None
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
        argv.append("--max-old-space-size=%d" % int(limits["memory_mb"]))
    return argv


class Warm:
    """A node process started ahead, between jobs (while no answer code runs),
    waiting on its control pipe for the next JavaScript job: in the container
    node's start-up is most of the cost of grading a short answer, and this way
    it overlaps the daemon's idle time instead of the next job. It has its own
    session, and takes the job's work dir, environment and rlimits when the job
    comes (child_js.js `wait`); it never outlives a job it did not run."""

    ctrl_w: "int | None"  # ours; None once handed on or closed
    call_w: "int | None"
    reply_r: "int | None"

    def __init__(self, limits, cwd):
        self.argv = node_argv(limits)
        ctrl_r, ctrl_w = os.pipe()
        call_r, call_w = os.pipe()
        reply_r, reply_w = os.pipe()
        self.ctrl_w, self.call_w, self.reply_r = ctrl_w, call_w, reply_r
        try:
            self.proc = subprocess.Popen(
                self.argv + [CHILD_JS, "wait", str(ctrl_r), str(call_r), str(reply_w)],
                cwd=cwd, env=child_env(cwd), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                stderr=subprocess.PIPE, pass_fds=(ctrl_r, call_r, reply_w), start_new_session=True)
            if not PROCESS_MODE:  # set from here: a fork-time hook would cost the fast spawn path
                prefer_oom_kill(self.proc.pid)
        except BaseException:
            self.close_fds()
            raise
        finally:
            for fd in (ctrl_r, call_r, reply_w):
                os.close(fd)

    def usable(self, limits):
        """Alive, started for these limits, and silent so far (anything on its
        output would become the next job's)."""
        if self.proc.poll() is not None or self.argv != node_argv(limits):
            return False
        ready, _, _ = select.select([self.proc.stdout.fileno(), self.proc.stderr.fileno()], [], [], 0)  # type: ignore[union-attr]
        return not ready

    def start(self, job, cap, calls=True):
        """Hand it the job: (proc, stdout Capture, stderr Capture)."""
        ctrl, data = self.ctrl_w, (json.dumps(job) + "\n").encode()
        assert ctrl is not None, "a warm node takes one job"
        while data:
            data = data[os.write(ctrl, data):]
        os.close(ctrl)
        self.ctrl_w = None
        if not calls:
            self.close_fds()
        return self.proc, Capture(self.proc.stdout, cap), Capture(self.proc.stderr, cap)

    def close_fds(self):
        for name in ("ctrl_w", "call_w", "reply_r"):
            fd = getattr(self, name, None)
            if fd is not None:
                try:
                    os.close(fd)
                except OSError:
                    pass
                setattr(self, name, None)

    def discard(self):
        kill_group(self.proc)
        self.close_fds()
        for stream in (self.proc.stdout, self.proc.stderr):
            if stream is not None:
                stream.close()


_warm = None  # the node started ahead, if any (one per daemon)


def prestart(limits, cwd):
    """Start a node for the next JavaScript job (replacing any earlier one)."""
    global _warm
    discard_warm()
    _warm = Warm(limits, cwd)


def warm_pid():
    return _warm.proc.pid if _warm is not None else None


def discard_warm():
    global _warm
    if _warm is not None:
        _warm.discard()
        _warm = None


def take_warm(limits, rlimits=None):
    """The warm node for this job, or None (then the job starts its own)."""
    global _warm
    warm, _warm = _warm, None
    if warm is None:
        return None
    try:
        if not warm.usable(limits):
            raise OSError("not usable")
        for which, value in (rlimits or {}).items():  # what preexec_fn would have set
            resource.prlimit(warm.proc.pid, which, (value, value))
    except OSError:
        warm.discard()
        return None
    return warm


class Child:
    """One fresh process holding the loaded answer, spoken to over private pipes."""

    def __init__(self, job, jobdir, path):
        limits = job.get("limits", {})
        name = job.get("function") or ""
        self.oom_before = oom_kills()
        warm = take_warm(limits) if job["language"] == "javascript" else None
        if warm is not None:
            self.call_w, self.reply_r = warm.call_w, warm.reply_r
            self.proc, self.out, self.err = warm.start(
                {"mode": "function", "path": path, "name": name, "dir": jobdir, "env": child_env(jobdir)},
                int(limits["output_bytes"]))
            warm.call_w = warm.reply_r = None  # ours now
            os.set_blocking(self.call_w, False)
            self.buf = b""
            self.killed = False
            return
        call_r, self.call_w = os.pipe()
        self.reply_r, reply_w = os.pipe()
        if job["language"] == "python":
            argv = [sys.executable, "-I", CHILD_PY, "function",
                    str(call_r), str(reply_w), path, name, child_rlimits(limits)]
        else:
            argv = node_argv(limits) + [CHILD_JS, "function",
                                        str(call_r), str(reply_w), path, name]
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
                        raise ChildDied(self.death()) from None

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
            raise CallError({"type": "ProtocolError", "message": str(exc)[:200]}) from None

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
