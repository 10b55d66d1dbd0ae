"""Compile and run programs bare, inside an image's root (bench/bare_root.py):
the same commands the runner uses (sandbox/runner/langs/<lang>.py: compile_argv,
program_argv, env, prepare, rlimits), as plain subprocesses, one job directory
each, with no runner, container or cache. Runs under the image's own python3.

    stdin : one JSON object per line: {"language", "source", "limits", "env"}
    stdout: one JSON object per program: {"compile_code", "compile_s", "code", "stdout", "stderr",
            "timed_out", "run_s"},
            then {"elapsed_s": seconds for all of them}
Stdlib only.
"""

import json
import os
import resource
import shutil
import subprocess
import sys
import time

sys.path.insert(0, "/opt/runner")
import langs  # noqa: E402  (the runner's own language modules, as the image holds them)
from children import child_env  # noqa: E402


def run(argv, cwd, env, rlimits, timeout):
    def limit():
        os.setsid()
        for which, value in (rlimits or {}).items():
            resource.setrlimit(which, (value, value))
    try:
        proc = subprocess.run(argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL, capture_output=True,
                              timeout=timeout, preexec_fn=limit)
        return proc.returncode, proc.stdout.decode(errors="replace"), proc.stderr.decode(errors="replace"), False
    except subprocess.TimeoutExpired:
        return None, "", "", True


def one(n, job):
    lang, limits = langs.get(job["language"]), job["limits"]
    jobdir = "/work/bare-%d" % n
    os.mkdir(jobdir)
    try:
        src = os.path.join(jobdir, lang.SOURCE)
        with open(src, "w", encoding="utf-8") as fh:
            fh.write(job["source"])
        env = dict(child_env(jobdir), **(lang.env(jobdir) if hasattr(lang, "env") else {}))
        if hasattr(lang, "prepare"):
            lang.prepare(jobdir)
        out = {"compile_code": 0, "compile_s": None}
        if langs.compiled(lang):
            start = time.perf_counter()
            code, _, err, timed_out = run(lang.compile_argv(src, limits), jobdir, env, None,
                                          float(limits["compile_timeout_s"]))
            out.update(compile_code=None if timed_out else code, compile_s=time.perf_counter() - start)
            if code != 0 or timed_out:
                return dict(out, code=None, stdout="", stderr=err, timed_out=timed_out)
        rlimits = lang.rlimits(limits) if hasattr(lang, "rlimits") else None
        start = time.perf_counter()
        code, stdout, stderr, timed_out = run(lang.program_argv(src, limits, -1), jobdir,
                                              dict(env, **job.get("env", {})), rlimits, float(limits["timeout_s"]))
        return dict(out, code=code, stdout=stdout, stderr=stderr, timed_out=timed_out,
                    run_s=time.perf_counter() - start)
    finally:
        shutil.rmtree(jobdir, ignore_errors=True)


def main():
    jobs = [json.loads(line) for line in sys.stdin if line.strip()]
    start = time.perf_counter()
    for n, job in enumerate(jobs):
        print(json.dumps(one(n, job)), flush=True)
    print(json.dumps({"elapsed_s": time.perf_counter() - start}), flush=True)


if __name__ == "__main__":
    main()
