"""Grade HumanEval-X's canonical solutions per compiled language, three ways, side by side.

    python bench/bench_languages.py [--languages cpp,go,java,rust] [--limit N] [--samples 10]
                                    [--setup-host]

1. pool   : the warm sandbox pool (one worker), each program compiled and run in
            its language's image, as evaluate.py grades it (with the image's
            /usr and /opt on local volumes where the storage driver is slow:
            sandbox/volumes.py); and "pool, no volumes": the same, every file
            read through the storage driver (printed when the two differ)
2. bare   : the same toolchain commands (sandbox/runner/langs/<lang>.py's
            compile_argv and program_argv, same environment and rlimits) run
            as plain subprocesses on the host, one job directory each: the lower bound
3. greedy : a greedy run's --samples identical answers per task through
            grade_program, where the verdict cache answers all but the first

Programs are composed once (the same text for pool and bare) and judged by the
language's own rule; every mode must pass the same tasks. The pool gets both
cores (cpus=2), as bare subprocesses do.

Bare needs the toolchains on the host, prepared as the image prepares them:
--setup-host (root) apt-get installs the family's Debian packages and runs
sandbox/toolchains/<family>.sh on the host (writing /opt/toolchain). That is
for this benchmark only; nothing else runs compilers on the host.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "sandbox" / "runner"))

import langs as runner_langs  # noqa: E402  (the runner's half, imported on the host)
from children import child_env  # noqa: E402

from codeinterview import languages  # noqa: E402
from codeinterview.benchmarks import load_benchmark  # noqa: E402
from codeinterview.grading.program import assemble, grade_program  # noqa: E402
from codeinterview.languages.base import TOKEN_ENV  # noqa: E402
from codeinterview.sandbox import Job, JobResult, Limits, open_sandbox  # noqa: E402
from codeinterview.sandbox import volumes as sandbox_volumes  # noqa: E402
from codeinterview.sandbox.image import docker_client  # noqa: E402
from codeinterview.sandbox.image import families, packages  # noqa: E402

DATASETS = Path(os.environ.get("CODEINTERVIEW_DATASETS", ROOT.parent / "shared" / "datasets"))
FILES = {"cpp": "humaneval-cpp/humaneval_cpp.jsonl.gz", "go": "humaneval-go/humaneval_go.jsonl.gz",
         "java": "humaneval-java/humaneval_java.jsonl.gz", "rust": "humaneval-rust/humaneval_rust.jsonl.gz"}
LIMITS = Limits(timeout_s=20.0, check_timeout_s=20.0, cpus=2.0)
HOST_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"  # Debian's toolchains first
TOKEN = "codeinterview-done-bench"
ENV = {TOKEN_ENV: TOKEN}  # compiled languages read the finish token from their environment


def tasks(language: str, limit: int | None):
    suite = load_benchmark(f"humaneval-{language}={DATASETS / FILES[language]}")
    for question in suite.questions[:limit]:
        body = assemble(question, language, question.reference(language))
        program = languages.get(language).compose_program(body, question.fields["Test"][language], TOKEN)
        yield question, program


def run_pool(language: str, programs: list[tuple], volumes: str = "auto") -> tuple[float, list[str], list[JobResult]]:
    lang = languages.get(language)
    os.environ[sandbox_volumes.ENV] = volumes
    with open_sandbox(workers=1) as sandbox:
        # start the worker (and build the image) outside the timing; a distinct program,
        # so that the compile cache cannot answer the first timed task
        sandbox.run(Job(language, programs[0][1] + "\n// warm-up\n", kind="program", limits=LIMITS, env=ENV))
        start = time.perf_counter()
        results = [sandbox.run(Job(language, program, kind="program", limits=LIMITS, env=ENV))
                   for _, program in programs]
        elapsed = time.perf_counter() - start
    return elapsed, [lang.judge(r, TOKEN)[0].value for r in results], results


def _spawn(argv, cwd, env, rlimits, timeout):
    def limit():
        import resource
        os.setsid()
        for which, value in (rlimits or {}).items():
            resource.setrlimit(which, (value, value))
    try:
        proc = subprocess.run(argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL, capture_output=True,
                              timeout=timeout, preexec_fn=limit)
        return proc.returncode, proc.stdout.decode(errors="replace"), proc.stderr.decode(errors="replace"), False
    except subprocess.TimeoutExpired:
        return None, "", "", True


def run_bare(language: str, programs: list[tuple]) -> tuple[float, list[str]]:
    lang, runner = languages.get(language), runner_langs.get(language)
    limits = dataclasses.asdict(LIMITS)
    statuses = []
    start = time.perf_counter()
    for _, program in programs:
        jobdir = tempfile.mkdtemp(prefix="bench-bare-")
        try:
            src = os.path.join(jobdir, runner.SOURCE)
            with open(src, "w", encoding="utf-8") as fh:
                fh.write(program)
            env = dict(child_env(jobdir), PATH=HOST_PATH, **(runner.env(jobdir) if hasattr(runner, "env") else {}))
            run_env = dict(env, **ENV)
            if hasattr(runner, "prepare"):
                runner.prepare(jobdir)
            code, _, err, timed_out = _spawn(runner.compile_argv(src, limits), jobdir, env, None,
                                             LIMITS.compile_timeout_s)
            if code != 0 or timed_out:
                statuses.append("compile_error")
                continue
            rlimits = runner.rlimits(limits) if hasattr(runner, "rlimits") else None
            code, out, err, timed_out = _spawn(runner.program_argv(src, limits, -1), jobdir, run_env, rlimits,
                                               LIMITS.timeout_s)
            result = JobResult(status="timeout" if timed_out else ("ok" if code == 0 else "runtime_error"),
                               exit_code=code, stdout=out, stderr=err)
            statuses.append(lang.judge(result, TOKEN)[0].value)
        finally:
            shutil.rmtree(jobdir, ignore_errors=True)
    return time.perf_counter() - start, statuses


def run_greedy(language: str, questions: list, samples: int) -> tuple[float, float]:
    """Seconds for one sample per task, and for `samples` identical samples per task,
    each on a fresh pool and verdict cache (what one evaluate run has)."""
    from codeinterview.grading.verdicts import VerdictCache

    def one_run(n: int) -> float:
        with open_sandbox(workers=1) as sandbox:
            sandbox.run(Job(language, "// warm-up\n", kind="program", limits=LIMITS))
            cache = VerdictCache()
            start = time.perf_counter()
            for question in questions:
                answer = question.reference(language)
                for _ in range(n):
                    grade_program(sandbox, question, language, answer, None, LIMITS, verdicts=cache)
            return time.perf_counter() - start
    return one_run(1), one_run(samples)


def setup_host(language: str) -> None:
    family = languages.get(language).image
    env = dict(os.environ, PATH=HOST_PATH, DEBIAN_FRONTEND="noninteractive")
    print(f"[{language}] apt-get install {' '.join(packages(family))}", file=sys.stderr)
    subprocess.run(["apt-get", "install", "-y", "-q", "--no-install-recommends", *packages(family)],
                   env=env, check=True, stdout=subprocess.DEVNULL)
    subprocess.run(["sh", "-e", str(ROOT / "sandbox" / "toolchains" / f"{family}.sh")], env=env, check=True,
                   stdout=subprocess.DEVNULL)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--languages", default="cpp,go,java,rust")
    parser.add_argument("--limit", type=int, default=None, help="the first N tasks only")
    parser.add_argument("--samples", type=int, default=10, help="identical samples per task (greedy mode)")
    parser.add_argument("--setup-host", action="store_true", help="install the toolchains on the host first")
    args = parser.parse_args()
    rows = []
    for language in args.languages.split(","):
        language = languages.get(language).name
        assert languages.get(language).image in families()
        if args.setup_host:
            setup_host(language)
        programs = list(tasks(language, args.limit))
        pool_s, pool_status, results = run_pool(language, programs)
        plain_s = None
        if sandbox_volumes.wanted(docker_client()):
            plain_s, plain_status, _ = run_pool(language, programs, volumes="0")
            os.environ[sandbox_volumes.ENV] = "auto"
            assert plain_status == pool_status, "volumes changed a verdict"
        bare_s, bare_status = run_bare(language, programs)
        one_s, many_s = run_greedy(language, [q for q, _ in programs], args.samples)
        differ = [q.name for (q, _), a, b in zip(programs, pool_status, bare_status) if a != b]
        failed = [q.name for (q, _), s in zip(programs, pool_status) if s != "pass"]
        compile_s = [r.compile_s for r in results if r.compile_s is not None]
        run_s = [r.run_s for r in results if r.run_s is not None]
        plain = f"; pool, no volumes {plain_s:.1f} s ({plain_s / bare_s:.2f}x)" if plain_s else ""
        print(f"[{language}] {len(programs)} tasks: pool {pool_s:.1f} s, bare {bare_s:.1f} s "
              f"({pool_s / bare_s:.2f}x){plain}; passed {len(programs) - len(failed)} "
              f"(failing: {', '.join(failed) or 'none'}); pool and bare disagree on: {', '.join(differ) or 'none'}; "
              f"in the pool: compile mean {statistics.mean(compile_s or [0]):.3f} s, "
              f"run mean {statistics.mean(run_s or [0]):.3f} s; greedy: 1 sample {one_s:.1f} s, "
              f"{args.samples} samples {many_s:.1f} s ({many_s / one_s:.2f}x)", flush=True)
        rows.append((language, len(programs), pool_s, plain_s, bare_s, one_s, many_s, len(failed), len(differ)))
    print("\n| language | tasks | pool s | bare s | pool/bare | no volumes/bare | 1 sample s | %d samples s "
          "| ratio | failing | disagree |" % args.samples)
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for lang, n, pool_s, plain_s, bare_s, one_s, many_s, failed, differ in rows:
        plain = f"{plain_s / bare_s:.2f}x" if plain_s else "-"
        print(f"| {lang} | {n} | {pool_s:.1f} | {bare_s:.1f} | {pool_s / bare_s:.2f}x | {plain} | {one_s:.1f} | "
              f"{many_s:.1f} | {many_s / one_s:.2f}x | {failed} | {differ} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
