"""Grade HumanEval-X's canonical solutions per compiled language, side by side in one run.

    sudo python bench/bench_languages.py [--languages cpp,go,java,rust] [--limit N] [--rounds 3] [--samples 10]

1. pool   : the warm sandbox pool (one worker), each program compiled and run in
            its language's image, as evaluate.py grades it: with the image's root
            on a local volume, entered with chroot, where the storage driver is
            slow (sandbox/native_root.py); "pool, container root": the same
            with every file read through the storage driver (where the two
            differ); and for a language with a compile server (javac), "pool,
            compiler per program": the same without it
2. bare   : the same toolchain commands (sandbox/runner/langs/<lang>.py's
            compile_argv and program_argv, same environment and rlimits) run
            as plain subprocesses, one job directory each, chrooted on the host
            into a copy of the image's own root (bench/bare_root.py: the same
            binaries, no container, no runner): the floor
3. greedy : a greedy run's --samples identical answers per task through
            grade_program, where the verdict cache answers all but the first

Programs are composed once (the same text for pool and bare) and judged by the
language's own rule; every mode must pass the same tasks. The modes take turns
for --rounds rounds; each figure is a mode's median. The pool gets both
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
from codeinterview.sandbox.docker_backend import COMPILE_SERVERS_ENV  # noqa: E402
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
    """setting: the native root's (native_root.ENV) for this run."""
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
    os.environ[native_root.ENV] = "auto"
    return elapsed, [lang.judge(r, TOKEN)[0].value for r in results], results


def run_bare(language: str, programs: list[tuple]) -> tuple[float, list[str], dict]:
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
    means = {step: statistics.mean([out[step] for out in lines[:-1] if out.get(step) is not None] or [0])
             for step in ("compile_s", "run_s")}
    statuses = []
    for out in lines[:-1]:
        if out["compile_code"] != 0:
            statuses.append("compile_error")
            continue
        result = JobResult(status="timeout" if out["timed_out"] else ("ok" if out["code"] == 0 else "runtime_error"),
                           exit_code=out["code"], stdout=out["stdout"], stderr=out["stderr"])
        statuses.append(lang.judge(result, TOKEN)[0].value)
    return lines[-1]["elapsed_s"], statuses, means


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
    parser.add_argument("--rounds", type=int, default=3, help="turns of every mode; medians reported")
    parser.add_argument("--samples", type=int, default=10,
                        help="identical samples per task (greedy mode; 0 leaves greedy mode out)")
    args = parser.parse_args()
    rows = []
    for language in args.languages.split(","):
        language = languages.get(language).name
        assert languages.get(language).image in families()
        programs = list(tasks(language, args.limit))
        # the modes take turns, round after round, and each reports its median: on a shared
        # machine the speed drifts by 10-20% within minutes, and turns spread that drift evenly
        times: dict[str, list[float]] = {"pool": [], "container root": [], "compiler per program": [], "bare": []}
        for _ in range(args.rounds):
            pool_s, pool_status, results = run_pool(language, programs)
            times["pool"].append(pool_s)
            if native_root.wanted(docker_client()):
                plain_s, plain_status, _ = run_pool(language, programs, setting="0")
                assert plain_status == pool_status, "the native root changed a verdict"
                times["container root"].append(plain_s)
            if any(r.compile_server for r in results):  # the same without the worker's compile server
                os.environ[COMPILE_SERVERS_ENV] = "0"
                cold_s, cold_status, _ = run_pool(language, programs)
                del os.environ[COMPILE_SERVERS_ENV]
                assert cold_status == pool_status, "the compile server changed a verdict"
                times["compiler per program"].append(cold_s)
            bare_s, bare_status, bare_means = run_bare(language, programs)
            times["bare"].append(bare_s)
        pool_s, bare_s = statistics.median(times["pool"]), statistics.median(times["bare"])
        plain_s = statistics.median(times["container root"]) if times["container root"] else None
        cold_s = statistics.median(times["compiler per program"]) if times["compiler per program"] else None
        differ = [q.name for (q, _), a, b in zip(programs, pool_status, bare_status) if a != b]
        failed = [q.name for (q, _), s in zip(programs, pool_status) if s != "pass"]
        compile_s = [r.compile_s for r in results if r.compile_s is not None]
        run_s = [r.run_s for r in results if r.run_s is not None]
        greedy = ""
        if args.samples:
            one_s, many_s = run_greedy(language, [q for q, _ in programs], args.samples)
            greedy = f"; greedy: 1 sample {one_s:.1f} s, {args.samples} samples {many_s:.1f} s ({many_s / one_s:.2f}x)"
        plain = f"; pool, container root {plain_s:.1f} s ({plain_s / bare_s:.2f}x)" if plain_s else ""
        cold = f"; pool, compiler started per program {cold_s:.1f} s ({cold_s / bare_s:.2f}x)" if cold_s else ""
        print(f"[{language}] {len(programs)} tasks, median of {args.rounds} rounds: pool {pool_s:.1f} s, "
              f"bare {bare_s:.1f} s "
              f"({pool_s / bare_s:.2f}x){plain}{cold}; passed {len(programs) - len(failed)} "
              f"(failing: {', '.join(failed) or 'none'}); pool and bare disagree on: {', '.join(differ) or 'none'}; "
              f"in the pool: compile mean {statistics.mean(compile_s or [0]):.3f} s, "
              f"run mean {statistics.mean(run_s or [0]):.3f} s; bare: compile mean {bare_means['compile_s']:.3f} s, "
              f"run mean {bare_means['run_s']:.3f} s{greedy}", flush=True)
        rows.append((language, len(programs), pool_s, plain_s, cold_s, bare_s, len(failed), len(differ)))
    print("\n| language | tasks | pool s | container root s | compiler per program s | bare s | pool / bare "
          "| container root / bare | compiler per program / bare | failing | disagree |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")

    def cell(value, ratio=None):
        return "-" if value is None else (f"{value / ratio:.2f}x" if ratio else f"{value:.1f}")
    for lang, n, pool_s, plain_s, cold_s, bare_s, failed, differ in rows:
        print(f"| {lang} | {n} | {pool_s:.1f} | {cell(plain_s)} | {cell(cold_s)} | {bare_s:.1f} | "
              f"{pool_s / bare_s:.2f}x | {cell(plain_s, bare_s)} | {cell(cold_s, bare_s)} | {failed} | {differ} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
