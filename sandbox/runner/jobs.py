"""The two kinds of job: a function job loads the answer in a child and
evaluates each check expression here, with `f` a proxy whose calls cross into
the child; a program job runs a whole test program and reports how it ended.
Stdlib only."""

import builtins
import json
import os
import signal
import time

import codec
import langs
from children import CallError, Child, ChildDied, ChildTimeout, spawn
from compiler import compile_program
from procs import kill_group, oom_kills, wait_pid


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
    job_deadline = start + float(limits["timeout_s"])
    check_s = float(limits["check_timeout_s"])
    # Loading includes the interpreter's start-up (node takes ~0.1-0.5 s, more on a
    # loaded machine), which must not count against a tight per-check timeout.
    load_s = max(check_s, LOAD_FLOOR_S)
    if job["language"] not in ("python", "javascript"):  # the host refuses these first
        raise ValueError("no function-call bridge for %r" % job["language"])
    path = os.path.join(jobdir, "answer.py" if job["language"] == "python" else "answer.js")
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(job["code"])
    outputs: list = []
    checks: list = []
    tainted = False
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


def run_program_job(job, jobdir):
    limits = job.get("limits", {})
    lang = langs.get(job["language"])
    path = os.path.join(jobdir, lang.SOURCE)
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(job["code"])
    env = lang.env(jobdir) if hasattr(lang, "env") else {}
    if hasattr(lang, "prepare"):
        lang.prepare(jobdir)
    compiling = {"compile_s": None, "cached": None, "compile_server": None}
    if langs.compiled(lang):
        failed, compiling = compile_program(lang, job["code"], path, jobdir, limits, env)
        if failed is not None:
            failed.update(compiling, run_s=None)
            return failed, False
    deadline = time.monotonic() + float(limits["timeout_s"])
    note_r, note_w = os.pipe()  # the Python wrapper reports a syntax error here
    oom_before = oom_kills()
    run_start = time.monotonic()
    try:
        run_env = dict(env, **{k: str(v) for k, v in (job.get("env") or {}).items()
                               if str(k).startswith("CODEINTERVIEW_")})
        proc, out, err = spawn(lang.program_argv(path, limits, note_w), jobdir, limits, (note_w,),
                               env=run_env, rlimits=lang.rlimits(limits) if hasattr(lang, "rlimits") else None)
    finally:
        os.close(note_w)
    finished = wait_pid(proc, deadline)
    kill_group(proc)
    code = proc.wait()
    run_s = round(time.monotonic() - run_start, 4)
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
              "timed_out": not finished, "oom": oom, "error": None, "run_s": run_s, **compiling}
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
