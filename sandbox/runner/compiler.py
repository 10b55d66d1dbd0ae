"""The compile step of a compiled language's program job, and the worker's
compile cache. Stdlib only.

Compiling runs in the job directory with the same isolation as running, under
its own time limit (limits["compile_timeout_s"]); the container's memory limit
bounds it. A language with a compile server in this image (javac) compiles in
it instead (compile_server.py), and the ordinary way when the server is gone.
Identical programs are compiled once per worker: the artifacts are kept under
CACHE, keyed by sha256(toolchain, source). The answer shares our uid and could
rewrite them, so the daemon keeps each artifact's hash in its own memory
(non-dumpable: unreadable to the answer) and checks every copy it hands out; a
mismatch drops the entry and compiles again.
"""

import glob
import hashlib
import os
import re
import shutil
import time

import compile_server
from children import spawn
from procs import kill_group, wait_pid

CACHE = os.environ.get("CODEINTERVIEW_COMPILE_CACHE", "/cache")
MAX_ENTRIES = 64
MAX_BYTES = 96 << 20
COMPILER_OUTPUT = 64 << 10
CLASS_NAME = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$]*(\.[A-Za-z_$][A-Za-z0-9_$]*)*$")


class CompileCache:
    def __init__(self, root=CACHE):
        self.root = root
        self.entries = {}  # key -> {relative path: sha256}, in least-recently-used order

    def usable(self):
        return os.path.isdir(self.root) and os.access(self.root, os.W_OK)

    def fetch(self, key, jobdir):
        """Copy a cached compile into jobdir; True when every file checked out."""
        files = self.entries.pop(key, None)
        if files is None:
            return False
        try:
            for rel, digest in files.items():
                dest = os.path.join(jobdir, rel)
                os.makedirs(os.path.dirname(dest), exist_ok=True)
                shutil.copy2(os.path.join(self.root, key, rel), dest)
                if _sha256(dest) != digest:
                    raise OSError("cache entry changed")
        except OSError:
            shutil.rmtree(os.path.join(self.root, key), ignore_errors=True)
            return False
        self.entries[key] = files
        return True

    def store(self, key, jobdir, patterns):
        files = {}
        for pattern in patterns:
            for path in glob.glob(os.path.join(jobdir, pattern), recursive=True):
                if os.path.isfile(path) and not os.path.islink(path):
                    files[os.path.relpath(path, jobdir)] = path
        size = sum(os.path.getsize(p) for p in files.values())
        if not files or size > MAX_BYTES // 4:
            return
        target = os.path.join(self.root, key)
        shutil.rmtree(target, ignore_errors=True)
        kept = {}
        try:
            for rel, path in files.items():
                dest = os.path.join(target, rel)
                os.makedirs(os.path.dirname(dest), exist_ok=True)
                shutil.copy2(path, dest)
                kept[rel] = _sha256(dest)
        except OSError:
            shutil.rmtree(target, ignore_errors=True)
            return
        self.entries[key] = kept
        self._evict()

    def _evict(self):
        while len(self.entries) > MAX_ENTRIES or (len(self.entries) > 1 and self._bytes() > MAX_BYTES):
            oldest = next(iter(self.entries))
            del self.entries[oldest]
            shutil.rmtree(os.path.join(self.root, oldest), ignore_errors=True)

    def _bytes(self):
        total = 0
        for key in self.entries:
            for rel in self.entries[key]:
                try:
                    total += os.path.getsize(os.path.join(self.root, key, rel))
                except OSError:
                    pass
        return total

    def strangers(self):
        """Names under the cache we did not put there (the answer wrote them)."""
        try:
            return [n for n in os.listdir(self.root) if n not in self.entries]
        except OSError:
            return []


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


CACHE_STORE = CompileCache()


def compile_program(lang, source_text, src, jobdir, limits, env):
    """Compile src in jobdir. Returns (None, info) when it compiled, else
    (result dict, info) for the job; info: {"compile_s", "cached"}."""
    key = hashlib.sha256((lang.TOOLCHAIN + "\0" + source_text).encode("utf-8", "surrogatepass")).hexdigest()
    cache = CACHE_STORE if CACHE_STORE.usable() else None
    if cache is not None and cache.fetch(key, jobdir):
        return None, {"compile_s": 0.0, "cached": True, "compile_server": None}
    start = time.monotonic()
    ended = None
    server = compile_server.get(lang.__name__.rsplit(".", 1)[-1])
    if server is not None:
        try:
            ended = _in_server(server, src, source_text, jobdir, limits)
        except compile_server.ServerGone:
            ended = None  # compiled the ordinary way; the worker is replaced after this job
    served = ended is not None
    if ended is None:
        ended = _in_process(lang, src, jobdir, limits, env)
    code, output, timed_out = ended
    info = {"compile_s": round(time.monotonic() - start, 4), "cached": False, "compile_server": served}
    if timed_out:
        return {"status": "compile_error", "exit_code": None, "stdout": "", "stderr": output,
                "timed_out": True, "oom": False,
                "error": {"type": "CompileError",
                          "message": "compilation ran over %g s" % float(limits["compile_timeout_s"])}}, info
    if code != 0:
        message, line = lang.first_error(output)
        error = {"type": "CompileError", "message": message or "compiler exited with code %d" % code}
        if line:
            error["line"] = line
        return {"status": "compile_error", "exit_code": code, "stdout": "", "stderr": output,
                "timed_out": False, "oom": code == -9 or "OutOfMemoryError" in output, "error": error}, info
    if cache is not None:
        cache.store(key, jobdir, lang.ARTIFACTS)
    return None, info


def _in_process(lang, src, jobdir, limits, env):
    """The compiler as a process of the job: (exit code, output, timed out)."""
    deadline = time.monotonic() + float(limits["compile_timeout_s"])
    proc, out, err = spawn(lang.compile_argv(src, limits), jobdir, limits, env=env,
                           output_bytes=COMPILER_OUTPUT)
    finished = wait_pid(proc, deadline)
    kill_group(proc)
    code = proc.wait()
    return code, (err.text() + "\n" + out.text()).strip("\n"), not finished


def _in_server(server, src, source_text, jobdir, limits):
    """The worker's compile server (compile_server.py): the same, its files written here."""
    status, output, files = server.compile(os.path.basename(src), source_text, float(limits["compile_timeout_s"]))
    if len(output) > COMPILER_OUTPUT:
        output = output[:COMPILER_OUTPUT] + "\n[... %d more bytes not shown]" % (len(output) - COMPILER_OUTPUT)
    if status == compile_server.TIMED_OUT:
        return None, output, True
    if status != compile_server.OK:
        return 1, output, False
    for name, data in files.items():
        if not CLASS_NAME.match(name):
            return 1, "the compiler produced an unexpected file name: %r" % name[:200], False
        path = os.path.join(jobdir, name.replace(".", "/") + ".class")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as fh:
            fh.write(data)
    return 0, output, False
