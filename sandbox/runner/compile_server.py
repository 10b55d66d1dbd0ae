"""A compiler kept running for the worker's whole life, for a language whose
compiler starts slowly (javac: a JVM, then javac's own classes, then its JIT
warm-up: ~0.7 s a program cold, ~0.1 s warm). Stdlib only.

It is started by the daemon while still root (confine.enter), under its own
uid (SERVER_UID, not the answers'): an answer can neither signal it, trace it
nor open its /proc files or pipes, so no answer can bend what it compiles for
the next one. It compiles in memory only: the source comes over its stdin, the
class files go back over its stdout and the daemon writes them into the job
directory; it reads nothing an answer can write. The daemon cannot signal it
either (it has no capability left): the server enforces each request's time
limit itself and exits after a time-out or a crash, and a worker whose server
is gone is tainted (replaced), its job compiled the ordinary way.

Protocol (big-endian int32 lengths): request name, source, time limit in ms;
reply status (0 ok, 1 errors, 2 time-out, 3 crash), diagnostics, then the
number of output files and each file's name and bytes.
"""

import os
import struct
import time

from procs import KEEP, prefer_oom_kill, select_read

SERVER_UID = SERVER_GID = 10002
OK, ERRORS, TIMED_OUT, CRASHED = 0, 1, 2, 3
MAX_REPLY = 64 << 20
_servers: dict = {}  # language -> Server


class ServerGone(Exception):
    pass


class Server:
    def __init__(self, argv, env, cwd, oom_score=500):
        """Fork and exec the server as SERVER_UID; the caller is still root."""
        to_server, self._w = os.pipe()
        self._r, from_server = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: trusted code only until exec (it ends with the daemon, PID 1)
            try:
                prefer_oom_kill(score=oom_score)  # after the answers (1000), before the daemon (0)
                os.dup2(to_server, 0)
                os.dup2(from_server, 1)
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, 2)
                os.closerange(3, 1 << 16)
                os.setsid()
                os.chdir(cwd)
                os.setgroups([])
                os.setresgid(SERVER_GID, SERVER_GID, SERVER_GID)
                os.setresuid(SERVER_UID, SERVER_UID, SERVER_UID)
                os.execve(argv[0], argv, env)
            finally:
                os._exit(127)
        os.close(to_server)
        os.close(from_server)
        self.pid = pid
        KEEP.add(pid)
        self.alive = True

    def _write(self, data):
        try:
            while data:
                data = data[os.write(self._w, data):]
        except OSError as exc:
            raise ServerGone("cannot write to the compile server: %s" % exc) from None

    def _read(self, n, deadline):
        chunks, left = [], n
        while left:
            if not select_read(self._r, deadline - time.monotonic()):
                raise ServerGone("the compile server did not answer in time")
            chunk = os.read(self._r, min(left, 1 << 20))
            if not chunk:
                raise ServerGone("the compile server ended")
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)

    def _field(self, deadline):
        size = struct.unpack(">i", self._read(4, deadline))[0]
        if not 0 <= size <= MAX_REPLY:
            raise ServerGone("the compile server sent a bad reply")
        return self._read(size, deadline)

    def compile(self, name, text, timeout_s):
        """(status, diagnostics, {file name: bytes}); ServerGone when it cannot serve."""
        if not self.alive:
            raise ServerGone("the compile server is gone")
        try:
            name_b, text_b = name.encode(), text.encode("utf-8", "surrogatepass")
            self._write(struct.pack(">i", len(name_b)) + name_b + struct.pack(">i", len(text_b)) + text_b
                        + struct.pack(">i", int(timeout_s * 1000)))
            deadline = time.monotonic() + timeout_s + 10.0  # the server keeps the limit; this is the backstop
            status = struct.unpack(">i", self._read(4, deadline))[0]
            diagnostics = self._field(deadline).decode("utf-8", "replace")
            count = struct.unpack(">i", self._read(4, deadline))[0]
            files = {}
            for _ in range(max(0, min(count, 4096))):
                file_name = self._field(deadline).decode("utf-8", "replace")
                files[file_name] = self._field(deadline)
        except ServerGone:
            self.alive = False
            raise
        if status in (TIMED_OUT, CRASHED):
            self.alive = False  # it exits after either: the next job gets a fresh worker
        return status, diagnostics, files


def start_all(modules):
    """Start the compile server of each language module that has one built in this image
    (module.server_argv() not None). Called as root, before the privileges are dropped."""
    for module in modules:
        spec = module.server_argv() if hasattr(module, "server_argv") else None
        if spec:
            argv, env, cwd = spec
            try:
                _servers[module.__name__.rsplit(".", 1)[-1]] = Server(argv, env, cwd)
            except OSError:  # no server: that language compiles the ordinary way
                pass


def get(language):
    server = _servers.get(language)
    return server if server is not None and server.alive else None


def lost():
    """True when a server this worker started is gone (the worker must be replaced)."""
    return any(not server.alive for server in _servers.values())
