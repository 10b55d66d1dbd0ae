"""Grade the same answers three ways and compare wall times.

    sudo python bench/bench_sandbox.py [--workers 2] [--limit N] [--language javascript] [--rounds 3]

1. warm pool   : this sandbox (containers kept warm and reused); where the
                 storage driver is slow, also "pool, container root": without
                 the image's root on a local volume (sandbox/native_root.py)
2. fresh       : a fresh container per answer (same image and limits)
3. bare        : a python3/node subprocess per answer, chrooted on the host
                 into a copy of the image's own root (bench/bare_root.py: the
                 same interpreters, no container, no runner, no isolation)

Answers: HumanEval canonical solutions (whole programs; with --language javascript,
HumanEval-X's JavaScript canonical solutions instead) and, when
present, the junior-dev suite's reference answers (function checks). Every mode must
pass them all. Root is needed for the bare chroot. --language picks one language's answers (javascript: node's start-up
is what the warm pool pays per answer, where Python answers are forked).
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import statistics
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bare_root import bare_root, chrooted  # noqa: E402

from codeinterview.sandbox import CheckSpec, Job, JobResult, Limits, native_root, open_sandbox  # noqa: E402
from codeinterview.sandbox.docker_backend import ContainerWorker  # noqa: E402
from codeinterview.sandbox.image import docker_client, ensure_image  # noqa: E402
from codeinterview.sandbox.pool import WorkerDead, WorkerTimeout, to_result  # noqa: E402

DATASETS = Path(os.environ.get("CODEINTERVIEW_DATASETS", ROOT.parent / "shared" / "datasets"))
HUMANEVAL = Path(os.environ.get("HUMANEVAL", DATASETS / "humaneval" / "HumanEval.jsonl.gz"))
HUMANEVAL_JS = Path(os.environ.get("HUMANEVAL_JS", DATASETS / "humaneval-js" / "humaneval_js.jsonl.gz"))
LIMITS = Limits(timeout_s=20.0, check_timeout_s=10.0, memory_mb=512, cpus=2.0, pids=64)


def humaneval_jobs():
    with gzip.open(HUMANEVAL, "rt") as fh:
        for line in fh:
            t = json.loads(line)
            code = t["prompt"] + t["canonical_solution"] + "\n" + t["test"] + "\n" + \
                f"check({t['entry_point']})\n"
            yield t["task_id"], Job("python", code, kind="program", limits=LIMITS), None


def humaneval_js_jobs():
    if not HUMANEVAL_JS.is_file():
        return
    with gzip.open(HUMANEVAL_JS, "rt") as fh:
        for line in fh:
            t = json.loads(line)
            code = t["prompt"] + t["canonical_solution"] + "\n" + t["test"] + "\n"
            yield t["task_id"], Job("javascript", code, kind="program", limits=LIMITS), None


def junior_jobs():
    import yaml

    folder = ROOT / "interviews" / "junior-dev"
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
        for name, q in (yaml.safe_load(path.read_text()) or {}).items():
            if name.startswith(".") or not isinstance(q, dict) or "Reference" not in q:
                continue
            fname = q["Signature"].split("(")[0].strip()
            checks = [CheckSpec(k, v["assert"]) for k, v in q["Checks"].items()]
            for lang in ("python", "javascript"):
                if lang in q["Reference"]:
                    yield f"{name}/{lang}", Job(lang, q["Reference"][lang], function=fname,
                                                checks=checks, limits=LIMITS), q["Checks"]


def check_passed(spec: dict, outcome) -> bool:
    if spec.get("raises"):
        return outcome.error is not None and not outcome.timeout
    if outcome.error is not None:
        return False
    got = outcome.value
    if "approx" in spec:
        tol = spec.get("tol")
        return isinstance(got, (int, float)) and math.isclose(got, spec["approx"], rel_tol=tol or 1e-6,
                                                              abs_tol=tol or 1e-9)
    if "unordered" in spec:
        return sorted(map(repr, got)) == sorted(map(repr, spec["unordered"]))
    if "eq-any" in spec:
        return got in spec["eq-any"]
    return got == spec.get("eq")


def passed(job: Job, specs, res: JobResult) -> bool:
    if job.kind == "program":
        # HumanEval-X's rule for JavaScript: a failed console.assert only prints
        return res.exit_code == 0 and (job.language != "javascript" or not (res.stdout or res.stderr).strip())
    return res.status == "ok" and all(check_passed(specs[c.name], c) for c in res.checks)


# ---------------------------------------------------------------- the three ways


def run_fresh_container(sandbox):
    def run(job: Job) -> JobResult:
        worker = ContainerWorker(sandbox.client, sandbox.image, job.limits, sandbox.swap_ok)
        try:
            worker.ping()
            return to_result(worker.request(job.to_request(), job.limits.host_deadline_s()), True)
        except (WorkerDead, WorkerTimeout) as exc:
            return JobResult(status="sandbox_error", error={"message": str(exc)})
        finally:
            worker.close()
    return run


PY_SERVER = r"""
import json, sys
ns = {"__name__": "answer"}
exec(compile(open(sys.argv[1]).read(), "answer.py", "exec"), ns)
fn = ns[sys.argv[2]]
for line in sys.stdin:
    try:
        out = {"ok": fn(*json.loads(line))}
    except Exception as e:
        out = {"error": type(e).__name__}
    print(json.dumps(out), flush=True)
"""
JS_SERVER = r"""
const fs = require('fs'), vm = require('vm');
vm.runInThisContext(fs.readFileSync(process.argv[1], 'utf8'));
const fn = vm.runInThisContext(process.argv[2]);
const rl = require('readline').createInterface({input: process.stdin});
rl.on('line', (line) => {
  let out;
  try { out = {ok: fn(...JSON.parse(line))}; } catch (e) { out = {error: e.name}; }
  process.stdout.write(JSON.stringify(out === undefined ? null : out) + '\n');
});
"""


class _Arg:
    def __init__(self, name):
        self.name = name


BARE_ENV = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8"}


def run_bare(job: Job, root: Path) -> JobResult:
    """No isolation at all, the image's own interpreters: the lower bound on how fast grading can be."""
    from codeinterview.sandbox.types import CheckOutcome

    with tempfile.TemporaryDirectory(dir=root / "work") as tmp:
        os.chown(tmp, 10001, 10001)
        inside = "/work/" + os.path.basename(tmp)  # the same folder, as the chrooted process sees it
        ext = ".py" if job.language == "python" else ".js"
        Path(tmp, "prog" + ext).write_text(job.code)
        path = inside + "/prog" + ext
        # the image's interpreters, Python without site-packages, as in the container
        interp = ["/usr/bin/python3", "-I", "-S"] if job.language == "python" else ["/usr/bin/node"]
        enter = chrooted(root, inside)
        if job.kind == "program":
            p = subprocess.run(interp + [path], env=BARE_ENV, capture_output=True, timeout=job.limits.timeout_s,
                               preexec_fn=enter)
            return JobResult(status="ok" if p.returncode == 0 else "runtime_error", exit_code=p.returncode,
                             stdout=p.stdout.decode(errors="replace"), stderr=p.stderr.decode(errors="replace"))
        argv = interp + (["-c", PY_SERVER] if job.language == "python" else ["-e", JS_SERVER])
        proc = subprocess.Popen(argv + [path, job.function], env=BARE_ENV, text=True, preexec_fn=enter,
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE)

        class F:
            name = job.function
            args = []

            @staticmethod
            def call(*args):
                proc.stdin.write(json.dumps(list(args)) + "\n")
                proc.stdin.flush()
                reply = json.loads(proc.stdout.readline())
                if "error" in reply:
                    raise RuntimeError(reply["error"])
                return reply["ok"]
        checks = []
        for c in job.checks:
            if "f.args" in c.expr or "f.name" in c.expr:
                checks.append(CheckOutcome(c.name, value=None))  # metadata: not timed here
                continue
            try:
                checks.append(CheckOutcome(c.name, value=eval(c.expr, {"f": F})))
            except Exception as exc:
                checks.append(CheckOutcome(c.name, error=str(exc), error_type="Error"))
        proc.kill()
        proc.wait()
        return JobResult(status="ok", checks=checks)


def grade(label, run, answers, workers):
    start = time.perf_counter()
    with ThreadPoolExecutor(workers) as ex:
        results = list(ex.map(lambda a: run(a[1]), answers))
    wall = time.perf_counter() - start
    failed = []
    for (name, job, specs), res in zip(answers, results):
        if label == "bare" and job.kind == "function":
            specs = {k: v for k, v in specs.items() if "f.args" not in v["assert"] and "f.name" not in v["assert"]}
            res.checks = [c for c in res.checks if c.name in specs]
        if not passed(job, specs, res):
            failed.append(name)
    return wall, failed


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--limit", type=int, default=0, help="only the first N HumanEval answers")
    ap.add_argument("--skip-fresh", action="store_true", help="skip the slow fresh-container mode")
    ap.add_argument("--language", choices=("python", "javascript"), help="only this language's answers")
    ap.add_argument("--rounds", type=int, default=3, help="turns of every mode; medians reported")
    args = ap.parse_args()
    programs = list(humaneval_jobs()) if args.language != "javascript" else []
    if args.language == "javascript":  # (left out of the default set, which the README's figures use)
        programs += list(humaneval_js_jobs())
    if args.limit:
        programs = programs[:args.limit]
    junior = [a for a in junior_jobs() if args.language in (None, a[1].language)]
    answers = programs + junior
    print(f"{len(answers)} answers ({len(programs)} HumanEval programs, "
          f"{len(junior)} junior-dev reference answers), workers={args.workers}")
    # where the storage driver is slow, also the pool with every file read through it; the
    # modes take turns for --rounds rounds and each reports its median wall time
    settings = [("warm pool", "auto")]
    if native_root.wanted(docker_client()):
        settings.append(("pool, container root", "0"))
    root = bare_root(ensure_image())
    walls: dict[str, list[float]] = {}
    fails: dict[str, list[str]] = {}
    for _ in range(args.rounds):
        for label, setting in settings:
            os.environ[native_root.ENV] = setting
            t0 = time.perf_counter()
            with open_sandbox(workers=args.workers) as sb:
                # Warm the pool once (container start is paid once per worker, not per answer).
                list(ThreadPoolExecutor(args.workers).map(
                    lambda _: sb.run(Job("python", "pass", kind="program")), range(args.workers)))
                print(f"{label} start: {time.perf_counter() - t0:.2f} s")
                wall, failed = grade("warm", sb.run, answers, args.workers)
                walls.setdefault(label, []).append(wall)
                fails[label] = failed
                if not args.skip_fresh and setting == "auto":
                    wall, failed = grade("fresh", run_fresh_container(sb), answers, args.workers)
                    walls.setdefault("fresh container", []).append(wall)
                    fails["fresh container"] = failed
        os.environ[native_root.ENV] = "auto"
        wall, failed = grade("bare", lambda job: run_bare(job, root), answers, args.workers)
        walls.setdefault("bare subprocess", []).append(wall)
        fails["bare subprocess"] = failed
    rows = [(label, statistics.median(walls[label]), fails[label]) for label in walls]
    bare = statistics.median(walls["bare subprocess"])
    print(f"\n{'mode':<22}{'wall s':>9}{'answers/s':>11}{'x bare':>8}  failed")
    for label, wall, failed in rows:
        print(f"{label:<22}{wall:>9.2f}{len(answers) / wall:>11.1f}{wall / bare:>8.2f}  "
              f"{len(failed)}{' ' + ', '.join(failed[:5]) if failed else ''}")
    # the same answers in every mode (the dataset's own bugs, e.g. JavaScript/112, fail everywhere)
    ok = len({tuple(failed) for _, _, failed in rows}) == 1
    print("\nevery mode passes the same answers" if ok else "\nTHE MODES DISAGREE")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
