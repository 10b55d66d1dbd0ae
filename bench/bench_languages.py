"""Grade HumanEval-X's canonical solutions per compiled language, side by side in one run.

    sudo python bench/bench_languages.py [--languages cpp,go,java,rust] [--limit N] [--samples 10]

1. pool   : the warm sandbox pool (one worker), each program compiled and run in
            its language's image, as evaluate.py grades it: with the image's root
            on a local volume, entered with chroot, where the storage driver is
            slow (sandbox/native_root.py); and "pool, container root": the same
            with every file read through the storage driver (printed where the
            two differ)
2. bare   : the same toolchain commands (sandbox/runner/langs/<lang>.py's
            compile_argv and program_argv, same environment and rlimits) run
            as plain subprocesses, one job directory each, chrooted on the host
            into a copy of the image's own root (bench/bare_root.py: the same
            binaries, no container, no runner): the floor
3. greedy : a greedy run's --samples identical answers per task through
            grade_program, where the verdict cache answers all but the first

Programs are composed once (the same text for pool and bare) and judged by the
language's own rule; every mode must pass the same tasks. The pool gets both
cores (cpus=2), as bare subprocesses do. Root is needed for the chroot.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import shutil
import statistics
import subprocess
import sys
import json
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bare_root import bare_root, chrooted  # noqa: E402

from codeinterview import languages  # noqa: E402
from codeinterview.benchmarks import load_benchmark  # noqa: E402
from codeinterview.grading.program import assemble, grade_program  # noqa: E402
from codeinterview.languages.base import TOKEN_ENV  # noqa: E402
from codeinterview.sandbox import Job, JobResult, Limits, open_sandbox  # noqa: E402
from codeinterview.sandbox import native_root  # noqa: E402
from codeinterview.sandbox.image import docker_client, ensure_image, families  # noqa: E402

DATASETS = Path(os.environ.get("CODEINTERVIEW_DATASETS", ROOT.parent / "shared" / "datasets"))
FILES = {"cpp": "humaneval-cpp/humaneval_cpp.jsonl.gz", "go": "humaneval-go/humaneval_go.jsonl.gz",
         "java": "humaneval-java/humaneval_java.jsonl.gz", "rust": "humaneval-rust/humaneval_rust.jsonl.gz"}
LIMITS = Limits(timeout_s=20.0, check_timeout_s=20.0, cpus=2.0)
TOKEN = "codeinterview-done-bench"
ENV = {TOKEN_ENV: TOKEN}  # compiled languages read the finish token from their environment


def tasks(language: str, limit: int | None):
    suite = load_benchmark(f"humaneval-{language}={DATASETS / FILES[language]}")
    for question in suite.questions[:limit]:
        body = assemble(question, language, question.reference(language))
        program = languages.get(language).compose_program(body, question.fields["Test"][language], TOKEN)
        yield question, program


def run_pool(language: str, programs: list[tuple], setting: str = "auto") -> tuple[float, list[str], list[JobResult]]:
    lang = languages.get(language)
    os.environ[native_root.ENV] = setting
    with open_sandbox(workers=1) as sandbox:
        # start the worker (and build the image) outside the timing; a distinct program,
        # so that the compile cache cannot answer the first timed task
        sandbox.run(Job(language, programs[0][1] + "\n// warm-up\n", kind="program", limits=LIMITS, env=ENV))
        start = time.perf_counter()
        results = [sandbox.run(Job(language, program, kind="program", limits=LIMITS, env=ENV))
                   for _, program in programs]
        elapsed = time.perf_counter() - start
    return elapsed, [lang.judge(r, TOKEN)[0].value for r in results], results


def run_bare(language: str, programs: list[tuple]) -> tuple[float, list[str]]:
    """bench/bare_programs.py, chrooted into a host copy of the family's image root."""
    lang = languages.get(language)
    root = bare_root(ensure_image(family=lang.image))
    shutil.copy(Path(__file__).with_name("bare_programs.py"), root / "opt" / "bare_programs.py")
    jobs = "".join(json.dumps({"language": language, "source": program, "limits": dataclasses.asdict(LIMITS),
                               "env": ENV}) + "\n" for _, program in programs)
    proc = subprocess.run(["/usr/bin/python3", "-I", "/opt/bare_programs.py"], input=jobs.encode(),
                          capture_output=True, env={"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8"},
                          preexec_fn=chrooted(root), check=True)
    lines = [json.loads(line) for line in proc.stdout.decode().splitlines()]
    statuses = []
    for out in lines[:-1]:
        if out["compile_code"] != 0:
            statuses.append("compile_error")
            continue
        result = JobResult(status="timeout" if out["timed_out"] else ("ok" if out["code"] == 0 else "runtime_error"),
                           exit_code=out["code"], stdout=out["stdout"], stderr=out["stderr"])
        statuses.append(lang.judge(result, TOKEN)[0].value)
    return lines[-1]["elapsed_s"], statuses


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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--languages", default="cpp,go,java,rust")
    parser.add_argument("--limit", type=int, default=None, help="the first N tasks only")
    parser.add_argument("--samples", type=int, default=10, help="identical samples per task (greedy mode)")
    args = parser.parse_args()
    rows = []
    for language in args.languages.split(","):
        language = languages.get(language).name
        assert languages.get(language).image in families()
        programs = list(tasks(language, args.limit))
        pool_s, pool_status, results = run_pool(language, programs)
        plain_s = None
        if native_root.wanted(docker_client()):
            plain_s, plain_status, _ = run_pool(language, programs, setting="0")
            os.environ[native_root.ENV] = "auto"
            assert plain_status == pool_status, "the native root changed a verdict"
        bare_s, bare_status = run_bare(language, programs)
        one_s, many_s = run_greedy(language, [q for q, _ in programs], args.samples)
        differ = [q.name for (q, _), a, b in zip(programs, pool_status, bare_status) if a != b]
        failed = [q.name for (q, _), s in zip(programs, pool_status) if s != "pass"]
        compile_s = [r.compile_s for r in results if r.compile_s is not None]
        run_s = [r.run_s for r in results if r.run_s is not None]
        plain = f"; pool, container root {plain_s:.1f} s ({plain_s / bare_s:.2f}x)" if plain_s else ""
        print(f"[{language}] {len(programs)} tasks: pool {pool_s:.1f} s, bare {bare_s:.1f} s "
              f"({pool_s / bare_s:.2f}x){plain}; passed {len(programs) - len(failed)} "
              f"(failing: {', '.join(failed) or 'none'}); pool and bare disagree on: {', '.join(differ) or 'none'}; "
              f"in the pool: compile mean {statistics.mean(compile_s or [0]):.3f} s, "
              f"run mean {statistics.mean(run_s or [0]):.3f} s; greedy: 1 sample {one_s:.1f} s, "
              f"{args.samples} samples {many_s:.1f} s ({many_s / one_s:.2f}x)", flush=True)
        rows.append((language, len(programs), pool_s, plain_s, bare_s, one_s, many_s, len(failed), len(differ)))
    print("\n| language | tasks | pool s | bare s | pool/bare | container root/bare | 1 sample s | %d samples s "
          "| ratio | failing | disagree |" % args.samples)
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for lang, n, pool_s, plain_s, bare_s, one_s, many_s, failed, differ in rows:
        plain = f"{plain_s / bare_s:.2f}x" if plain_s else "-"
        print(f"| {lang} | {n} | {pool_s:.1f} | {bare_s:.1f} | {pool_s / bare_s:.2f}x | {plain} | {one_s:.1f} | "
              f"{many_s:.1f} | {many_s / one_s:.2f}x | {failed} | {differ} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
