"""Aider's polyglot benchmark, canonical self-test: seconds per exercise in the
pool against aider's own test commands run bare, in one run, on the same
toolchain binaries.

    sudo python bench/bench_polyglot.py [--languages python,go,...] [--limit N] [--workers 1]

pool : the sandbox's warm pool grades each reference (grading.answer.grade_answer):
       the image's prebuilt Catch main and crates, the warm Go build cache,
       pytest and jest with our configuration, JUnit's console launcher.
bare : the commands aider's benchmark/benchmark.py (run_unit_tests) runs, in a
       host copy of the same image's root (bench/bare_root.py: chroot, no
       container): `pytest`; `go test ./...` with a cold build cache; `cargo
       test -- --include-ignored` with a cold target directory; jest; for C++
       what cmake+make run (the exercise's own Catch header and main compiled
       with the test, C++17 -Wall -Wextra -Wpedantic -Werror,
       EXERCISM_RUN_ALL_TESTS; the image has no cmake, so its configure step
       is not counted). Java's is `./gradlew test`, which needs the network:
       not run bare.
Every reference is graded in both ways; the verdicts must agree (exit 0 bare,
`pass` in the pool) but for the exercises neither passes.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bare_root import UID, bare_root, chrooted  # noqa: E402

from codeinterview.benchmarks import load_benchmark  # noqa: E402
from codeinterview.exercises.files import render  # noqa: E402
from codeinterview.exercises.frameworks import FRAMEWORKS  # noqa: E402
from codeinterview.exercises.model import Exercise  # noqa: E402
from codeinterview.grading.answer import grade_answer  # noqa: E402
from codeinterview.languages import get as language  # noqa: E402
from codeinterview.sandbox import open_sandbox  # noqa: E402
from codeinterview.sandbox.image import ensure_image  # noqa: E402
from codeinterview.sandbox.types import Limits  # noqa: E402

DATASETS = Path(os.environ.get("CODEINTERVIEW_DATASETS", ROOT.parent / "shared" / "datasets"))
POLYGLOT = DATASETS / "aider-polyglot" / "polyglot-benchmark.tar.gz"
LIMITS = Limits(timeout_s=180.0, memory_mb=1024, cpus=2.0)  # both cores, as bare has
ENV = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": "/tmp"}
CXX = ["g++", "-std=c++17", "-g", "-Wall", "-Wextra", "-Wpedantic", "-Werror", "-DEXERCISM_RUN_ALL_TESTS", "-I."]
BABEL = {"presets": [["/usr/share/nodejs/@babel/preset-env", {"targets": {"node": "current"}}]],
         "babelrc": False, "configFile": False}
JEST_CONFIG = {"testEnvironment": "node", "transform": {"\\.[cm]?js$": ["/usr/share/nodejs/babel-jest", BABEL]},
    "transformIgnorePatterns": ["/node_modules/", "^/usr/share/nodejs/"]}


def aider_commands(lang: str, folder: str, exercise: Exercise) -> list[list[str]] | None:
    """What aider runs in the exercise's folder (benchmark.py, run_unit_tests), as argv lists."""
    if lang == "python":
        return [["python3", "-m", "pytest", "-q", "-p", "no:cacheprovider"]]
    if lang == "go":
        return [["go", "test", "./..."]]
    if lang == "rust":
        return [["cargo", "test", "--offline", "--", "--include-ignored"]]
    if lang == "javascript":
        config = dict(JEST_CONFIG, rootDir=folder)
        return [["node", "/usr/share/nodejs/jest/bin/jest.js", "--config", json.dumps(config), "--ci", "./"]]
    if lang == "cpp":  # what make runs: one object per source (Catch's main too), then link, then the tests
        slug = exercise.task_id.rsplit("/", 1)[-1].replace("-", "_")
        sources = [f"{slug}_test.cpp", *([f"{slug}.cpp"] if f"{slug}.cpp" in exercise.solution else []),
                   "test/tests-main.cpp"]
        compile_each = [[*CXX, "-c", src, "-o", src.replace("/", "_") + ".o"] for src in sources]
        link = ["g++", "-o", "tests", *[src.replace("/", "_") + ".o" for src in sources], "-pthread",
                "-lboost_date_time"]
        return [*compile_each, link, ["./tests"]]
    return None  # java: ./gradlew test needs the network


def bare_run(lang: str, question, tree: dict[str, str], root: Path) -> tuple[float, bool]:
    """Seconds and whether every command exited 0, in a fresh folder holding the whole exercise."""
    exercise = Exercise.of(question.fields)
    with tempfile.TemporaryDirectory(dir=root / "work") as tmp:
        folder = "/work/" + os.path.basename(tmp)
        files = {**tree, **exercise.workspace(exercise.reference)}
        framework = FRAMEWORKS.get(lang)
        files.update({p: framework.unskip(p, t) for p, t in exercise.tests.items()})
        for rel, text in files.items():
            path = Path(tmp, rel)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        home = Path(tmp, ".home")
        home.mkdir()
        if lang == "rust":  # cargo's offline source: Debian's crates, as in the image
            (home / ".cargo").mkdir()
            shutil.copy(root / "opt/toolchain/rust/cargo/config.toml", home / ".cargo" / "config.toml")
        subprocess.run(["chown", "-R", f"{UID}:{UID}", tmp], check=True)
        env = dict(ENV, HOME=folder + "/.home", GOCACHE=folder + "/.home/gocache", GOFLAGS="-mod=mod",
                   NODE_PATH="/usr/share/nodejs",
                   GOPATH=folder + "/.home/go", TMPDIR=folder + "/.home", CARGO_HOME=folder + "/.home/.cargo")
        start = time.perf_counter()
        ok = True
        for argv in aider_commands(lang, folder, exercise) or []:
            done = subprocess.run(argv, env=env, preexec_fn=chrooted(root, folder), capture_output=True,
                                  timeout=LIMITS.timeout_s)
            if done.returncode != 0:
                ok = False
                break
        return time.perf_counter() - start, ok


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--languages", default="python,go,javascript,cpp,rust,java")
    parser.add_argument("--limit", type=int, default=0, help="the first N exercises of each language")
    parser.add_argument("--workers", type=int, default=1, help="exercises graded at once, in each mode")
    args = parser.parse_args()
    suite = load_benchmark(f"aider-polyglot={POLYGLOT}")
    whole = _exercise_trees(POLYGLOT)
    rows = []
    with open_sandbox(workers=args.workers) as sandbox:
        for lang in args.languages.split(","):
            questions = [q for q in suite.questions if q.fields["Language"] == lang]
            questions = questions[:args.limit] if args.limit else questions
            image = ensure_image(family=language(lang).image)
            root = bare_root(image) if aider_commands(lang, "/work", Exercise.of(questions[0].fields)) else None
            grade_answer(sandbox, questions[0], lang, render(questions[0].fields["Reference"], lang),
                         None, LIMITS)  # warm the pool: a container start is paid once per worker

            def pool(q, lang=lang):
                t = time.perf_counter()
                graded = grade_answer(sandbox, q, lang, render(q.fields["Reference"], lang), None, LIMITS)
                return time.perf_counter() - t, graded["status"] == "pass"

            def bare(q, lang=lang, root=root):
                return bare_run(lang, q, whole[q.name], root) if root else (None, None)

            start = time.perf_counter()
            with ThreadPoolExecutor(args.workers) as ex:
                pooled = list(ex.map(pool, questions))
            pool_wall = time.perf_counter() - start
            start = time.perf_counter()
            with ThreadPoolExecutor(args.workers) as ex:
                bared = list(ex.map(bare, questions))
            bare_wall = time.perf_counter() - start if root else None
            agree = [q.name for q, (_, p), (_, b) in zip(questions, pooled, bared) if root and p != b]
            rows.append((lang, len(questions), sum(p for _, p in pooled), pool_wall / len(questions),
                         statistics.median(s for s, _ in pooled),
                         bare_wall / len(questions) if bare_wall else None,
                         statistics.median(s for s, _ in bared) if root else None, agree))
            print(f"{lang}: done", file=sys.stderr)
    print(f"\n{'language':<11}{'n':>4}{'pass':>6}{'pool s/ex':>11}{'median':>8}{'aider bare s/ex':>17}"
          f"{'median':>8}{'bare/pool':>11}  disagree")
    for lang, n, passed, pool_s, pool_med, bare_s, bare_med, agree in rows:
        bare_cells = (f"{bare_s:>17.2f}{bare_med:>8.2f}{bare_s / pool_s:>10.1f}x" if bare_s
                      else f"{'(not run)':>17}{'':>8}{'':>11}")
        print(f"{lang:<11}{n:>4}{passed:>6}{pool_s:>11.2f}{pool_med:>8.2f}{bare_cells}  {', '.join(agree) or '-'}")
    return 0


def _exercise_trees(path: Path) -> dict[str, dict[str, str]]:
    """Every exercise's whole folder as aider has it (the Catch header and main, package.json, ...),
    .docs and .meta left out: {LANGUAGE/SLUG: {relative path: text}}."""
    import tarfile

    trees: dict[str, dict[str, str]] = {}
    with tarfile.open(path) as tar:
        for member in tar:
            parts = member.name.split("/")
            if not member.isfile() or len(parts) < 6 or parts[2:4] != ["exercises", "practice"]:
                continue
            rel = "/".join(parts[5:])
            if rel.startswith(".") or "/." in rel:
                continue
            data = tar.extractfile(member)
            try:
                trees.setdefault(f"{parts[1]}/{parts[4]}", {})[rel] = data.read().decode() if data else ""
            except UnicodeDecodeError:
                pass
    return trees


if __name__ == "__main__":
    sys.exit(main())
