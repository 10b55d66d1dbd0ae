"""The third kind of job: a tests job runs a language's own test framework
over whole files (an exercise: the answer's solution files, the pristine
tests, their helpers) and hands back what the framework reported. The host
reads the report (codeinterview/exercises/frameworks): a report is written
by a process that holds the answer, so the runner only carries it.

A language's runner module says how (langs/__init__.py): test_steps(jobdir,
tests, limits) -> [{"phase": "compile"|"run", "argv": [...], "env": {...}}],
each step run in the job directory as any job's process; a failed compile
step ends the job (compile_error). Reports go under REPORT_DIR. Stdlib only.
"""

import os
import stat
import time

import langs
from children import spawn
from procs import kill_group, oom_kills, wait_pid

REPORT_DIR = ".report"
MAX_REPORT = 8 << 20        # bytes of all report files together; the rest is cut
MAX_FILES = 200
MAX_FILE_BYTES = 4 << 20


class BadFiles(ValueError):
    pass


def write_files(jobdir, files):
    """Write the job's files under jobdir: relative paths only, never through a link."""
    if not isinstance(files, dict) or len(files) > MAX_FILES:
        raise BadFiles("files must be a mapping of at most %d paths" % MAX_FILES)
    for rel, text in files.items():
        parts = str(rel).split("/")
        if not rel or rel.startswith("/") or any(p in ("", ".", "..") for p in parts) \
                or parts[0] == REPORT_DIR or "\0" in rel or not isinstance(text, str):
            raise BadFiles("bad file path %r" % str(rel)[:200])
        data = text.encode("utf-8", "surrogatepass")
        if len(data) > MAX_FILE_BYTES:
            raise BadFiles("%s is over %d bytes" % (rel, MAX_FILE_BYTES))
        folder = jobdir
        for part in parts[:-1]:
            folder = os.path.join(folder, part)
            if not os.path.isdir(folder):
                os.mkdir(folder, 0o700)
        fd = os.open(os.path.join(jobdir, rel), os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)


def read_reports(folder):
    """{name: text} of the report files, at most MAX_REPORT bytes in all."""
    reports: dict = {}
    left = MAX_REPORT
    try:
        names = sorted(os.listdir(folder))[:MAX_FILES]
    except OSError:
        return reports
    for name in names:
        path = os.path.join(folder, name)
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        except OSError:
            continue
        with os.fdopen(fd, "rb") as fh:
            if not stat.S_ISREG(os.fstat(fd).st_mode):  # a FIFO or device the answer made
                continue
            data = fh.read(left + 1)
        reports[name] = data[:left].decode("utf-8", "replace")
        left -= min(len(data), left)
        if left <= 0:
            break
    return reports


def run_step(step, jobdir, limits, timeout_s, env):
    """(exit code, stdout, stderr, finished, oom, seconds)"""
    start = time.monotonic()
    oom_before = oom_kills()
    proc, out, err = spawn(step["argv"], jobdir, limits, env=dict(env, **step.get("env", {})),
                           rlimits=step.get("rlimits"))
    finished = wait_pid(proc, start + timeout_s)
    kill_group(proc)
    code = proc.wait()
    after = oom_kills()
    oom = finished and code == -9 and (after is None or oom_before is None or after > oom_before)
    return code, out.text(), err.text(), finished, oom, round(time.monotonic() - start, 4)


def run_tests_job(job, jobdir):
    limits = job.get("limits", {})
    lang = langs.get(job["language"])
    if not hasattr(lang, "test_steps"):
        raise ValueError("no test framework for %r" % job["language"])
    try:
        write_files(jobdir, job.get("files") or {})
    except (BadFiles, OSError) as exc:
        return {"status": "runtime_error", "error": {"type": "BadFiles", "message": str(exc)},
                "stdout": "", "stderr": "", "exit_code": None, "report": {}}, False
    report_dir = os.path.join(jobdir, REPORT_DIR)
    os.mkdir(report_dir, 0o700)
    env = lang.env(jobdir) if hasattr(lang, "env") else {}
    stdout, stderr = [], []
    result: dict = {"status": "ok", "exit_code": None, "error": None, "compile_s": None, "run_s": None,
              "timed_out": False, "oom": False}
    tainted = False
    for step in lang.test_steps(jobdir, list(job.get("tests") or []), limits):
        compiling = step["phase"] == "compile"
        timeout_s = float(limits["compile_timeout_s" if compiling else "timeout_s"])
        code, out, err, finished, oom, seconds = run_step(step, jobdir, limits, timeout_s, env)
        stdout.append(out)
        stderr.append(err)
        key = "compile_s" if compiling else "run_s"
        result[key] = round((result[key] or 0) + seconds, 4)
        result["exit_code"] = code
        if not finished or oom:
            tainted = True
            result.update(status="timeout" if not finished else "oom", timed_out=not finished, oom=oom)
            if compiling:
                result["status"] = "compile_error"
                result["error"] = {"type": "CompileError", "message": "compilation ran over %g s" % timeout_s
                                   if not finished else "the compiler ran out of memory"}
            break
        if compiling and code != 0:
            message, line = lang.first_error(err + "\n" + out) if hasattr(lang, "first_error") else (None, None)
            result.update(status="compile_error",
                          error={"type": "CompileError", "message": message or "exit code %d" % code,
                                 "line": line})
            break
    result["stdout"] = "".join(stdout)
    result["stderr"] = "".join(stderr)
    result["report"] = read_reports(report_dir)
    return result, tainted
