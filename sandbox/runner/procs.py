"""Process supervision for the runner: finding, killing and reaping the
processes a job leaves, reading the cgroup's OOM counter, capturing output.
Stdlib only."""

import ctypes
import os
import select
import signal
import subprocess
import sys
import threading
import time

PROCESS_MODE = "--process" in sys.argv  # on the host: touch only our own descendants
PR_SET_DUMPABLE, PR_SET_CHILD_SUBREAPER = 4, 36
KEEP: set = set()  # processes the daemon started for itself (compile_server.py): never strays
# Directory fds for /proc and the cgroup, opened before the daemon enters the
# native root (confine.py), where neither is mounted: the daemon keeps its view
# of the container's processes while answers have none. None: use the paths.
_dirs = {"proc": None, "cgroup": None}


def keep_dirs(proc_fd, cgroup_fd):
    _dirs["proc"], _dirs["cgroup"] = proc_fd, cgroup_fd


def _open(base, rel, flags=os.O_RDONLY):
    """An fd for base/rel: /proc or /sys/fs/cgroup, through the kept fd when there is one."""
    fd = _dirs[base]
    if fd is None:
        return os.open(os.path.join("/proc" if base == "proc" else "/sys/fs/cgroup", rel), flags)
    return os.open(rel, flags, dir_fd=fd)


def read_proc(rel):
    with open(_open("proc", rel), "rb") as fh:
        return fh.read()


def prefer_oom_kill(pid="self", score=1000):
    """Make a job's process the OOM killer's first choice, so that the daemon survives:
    itself between fork and exec (pid "self", before it loses the kept /proc fd), or one
    of ours already running."""
    if pid == "self":
        prctl(PR_SET_DUMPABLE, 1)  # its own /proc files become writable to it
    try:
        fd = _open("proc", "%s/oom_score_adj" % pid, os.O_WRONLY)
        try:
            os.write(fd, str(score).encode())
        finally:
            os.close(fd)
    except OSError:
        pass


def select_read(fd, timeout):
    """True when fd is readable within timeout seconds."""
    ready, _, _ = select.select([fd], [], [], max(0.0, timeout))
    return bool(ready)


_PRCTL: "object | None"
try:  # bound once: job processes call it between fork and exec, where loading a library could deadlock
    _PRCTL = ctypes.CDLL(None, use_errno=True).prctl
except (OSError, AttributeError):
    _PRCTL = None


def prctl(option, value):
    if _PRCTL is not None:
        _PRCTL(option, value, 0, 0, 0)  # type: ignore[operator]


def proc_stat(pid):
    """(state, ppid, pgrp) of a process, or None when it is gone."""
    try:
        data = read_proc("%d/stat" % pid).decode("ascii", "replace")
    except OSError:
        return None
    fields = data[data.rfind(")") + 2:].split()
    return fields[0], int(fields[1]), int(fields[2])


def all_pids():
    return [int(p) for p in os.listdir(_dirs["proc"] if _dirs["proc"] is not None else "/proc") if p.isdigit()]


def strays():
    """Processes that should not exist between jobs."""
    me = os.getpid()
    if not PROCESS_MODE:
        return [p for p in all_pids() if p not in (me, 1) and p not in KEEP and proc_stat(p)]
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
    for rel in ("memory.events", "memory/memory.oom_control"):
        try:
            with open(_open("cgroup", rel)) as fh:
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
