"""Peak memory and time of each stage as the number of records grows.

    .venv/bin/python bench/bench_scale.py [--sizes 10000,100000,1000000] [--workdir DIR]
                                          [--graded 200] [--gzip] [--keep]

The records are the bundled suites' own: the real pipeline is run once
(prepare junior-dev,senior-dev in Python and JavaScript, interview with the
reference executor, evaluate in the sandbox), then its interview and eval
records are repeated as further samples (sample = i // number of base records)
until there are N of each, so every key is distinct and every record is as
large as a real one (about 9 KB an eval record: 1M records is about 9 GB; the
free disk is checked before they are written). Each stage runs as a fresh
process of its real script, and the peak RSS of that process (and of the
processes it waited for; Docker's sandbox containers are not among them) is
read with wait4:

    evaluate (resume)  --input interview(N) --output a complete eval(N): nothing to grade
    evaluate (graded)  the same, the eval file's last --graded records cut off: grades those
    interview (replay) --input interview(N) --executor replay --replay interview(N)
                       --samples N/base: N answers written
    report             eval(N) --output-dir a scratch folder

The bound the stages keep (issue 10): under 300 MB and roughly flat from 10k
to 1M records. Needs the venv and the sandbox image (bash scripts/setup.sh)
and a running Docker engine; run it with the venv's python.
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
BOUND_MB = 300
STAGES = ("evaluate (resume)", "evaluate (graded)", "interview (replay)", "report")
SAMPLE = "__bench_sample__"  # stands for the sample index in a record's serialised line


def run_stage(args: list[str], log: Path) -> tuple[float, float, int]:
    """Run one stage script as a fresh process: (seconds, peak RSS in MB, exit code)."""
    start = time.monotonic()
    with log.open("w") as out:
        proc = subprocess.Popen([PY, *args], cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
        # wait4 gives this child's own rusage: its peak RSS, not the benchmark's.
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
    return time.monotonic() - start, usage.ru_maxrss / 1024, proc.returncode


def checked(args: list[str], log: Path) -> str:
    """Run a stage that must succeed (building the base records); its output path."""
    _, _, code = run_stage(args, log)
    lines = log.read_text(errors="replace").splitlines()
    if code != 0:
        sys.exit(f"{' '.join(args[:1])} failed (exit {code}); its log {log}:\n" + "\n".join(lines[-20:]))
    return lines[-1].strip()


def base_records(workdir: Path) -> tuple[Path, Path]:
    """The real pipeline once, on the bundled suites with reference answers."""
    base = workdir / "base"
    shutil.rmtree(base, ignore_errors=True)
    base.mkdir(parents=True)
    prepared = checked(["prepare.py", "--interview", "junior-dev,senior-dev", "--languages", "python,javascript",
                        "--output", str(base / "prepare.ndjson")], base / "prepare.log")
    answers = checked(["interview.py", "--input", prepared, "--executor", "reference",
                       "--output", str(base / "interview.ndjson")], base / "interview.log")
    graded = checked(["evaluate.py", "--input", answers, "--workers", "2",
                      "--output", str(base / "eval.ndjson")], base / "eval.log")
    return Path(answers), Path(graded)


def templates(path: Path) -> list[tuple[str, str]]:
    """Each record's line split around its sample index, so a copy is a string join
    rather than a JSON dump of a 9 KB record (a million of those take minutes)."""
    out = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                record = json.loads(line)
                record["sample"] = SAMPLE
                before, after = json.dumps(record, ensure_ascii=False).split(json.dumps(SAMPLE), 1)
                out.append((before, after))
    return out


def replicate(source: Path, target: Path, copies: int) -> None:
    """copies x the source's records, the k-th copy's samples all k: distinct keys."""
    parts = templates(source)
    opener = gzip.open if target.suffix == ".gz" else open
    with opener(target, "wt", encoding="utf-8", newline="\n") as out:
        for sample in range(copies):
            out.writelines(f"{before}{sample}{after}\n" for before, after in parts)


def cut_last_lines(path: Path, count: int) -> int:
    """Truncate a file to all but its last `count` lines; the byte size kept."""
    with path.open("rb") as handle:
        handle.seek(0, os.SEEK_END)
        end = handle.tell()
        pos, seen = end, 0
        while pos > 0:  # scan backwards in blocks: the file may be gigabytes
            step = min(1 << 20, pos)
            pos -= step
            handle.seek(pos)
            block = handle.read(step)
            for index in range(len(block) - 1, -1, -1):
                if block[index] == 10 and pos + index != end - 1:
                    seen += 1
                    if seen == count:
                        os.truncate(path, pos + index + 1)
                        return pos + index + 1
    os.truncate(path, 0)
    return 0


def count_lines(path: Path, start: int = 0) -> int:
    with path.open("rb") as handle:
        handle.seek(start)
        return sum(block.count(b"\n") for block in iter(lambda: handle.read(1 << 20), b""))


def measure(size: int, answers: Path, graded: Path, base_count: int, workdir: Path,
            args: argparse.Namespace) -> dict[str, tuple[float, float, str]]:
    """Every stage at one size: {stage: (seconds, peak MB, note)}."""
    copies = math.ceil(size / base_count)
    n = copies * base_count  # whole copies, so interview --samples asks exactly these
    folder = workdir / f"n{size}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    interview_n = folder / ("interview.ndjson.gz" if args.gzip else "interview.ndjson")
    eval_n = folder / "eval.ndjson"
    start = time.monotonic()
    replicate(answers, interview_n, copies)
    replicate(graded, eval_n, copies)
    print(f"[{size}] {n} records written in {time.monotonic() - start:.0f}s: "
          f"{interview_n.stat().st_size / 1e6:.0f} MB interview, {eval_n.stat().st_size / 1e6:.0f} MB eval",
          file=sys.stderr, flush=True)
    results = {}

    def stage(name: str, argv: list[str], note) -> None:
        print(f"[{size}] {name} ...", file=sys.stderr, flush=True)
        log = folder / (name.replace(" ", "_").replace("(", "").replace(")", "") + ".log")
        seconds, peak, code = run_stage(argv, log)
        text = note() if code == 0 else f"exit {code}: " + log.read_text(errors="replace").strip()[-300:]
        results[name] = (seconds, peak, text)
        print(f"[{size}] {name}: {seconds:.1f}s, {peak:.0f} MB; {text}", file=sys.stderr, flush=True)

    evaluate = ["evaluate.py", "--input", str(interview_n), "--output", str(eval_n)]
    complete = eval_n.stat().st_size

    def resumed() -> str:  # a finished run resumed must write nothing
        if eval_n.stat().st_size == complete:
            return "nothing written"
        return f"{count_lines(eval_n, complete)} records written (0 expected)"

    stage("evaluate (resume)", evaluate, resumed)
    kept = cut_last_lines(eval_n, args.graded)
    stage("evaluate (graded)", evaluate + ["--sandbox", "docker", "--workers", "2"],
          lambda: f"{count_lines(eval_n, kept)} records graded ({args.graded} expected)")
    replayed = folder / "replayed.ndjson"
    stage("interview (replay)", ["interview.py", "--input", str(interview_n), "--executor", "replay",
                                 "--replay", str(interview_n), "--samples", str(copies),
                                 "--output", str(replayed)],
          lambda: f"{count_lines(replayed)} answers ({n} expected)")
    stage("report", ["report.py", str(eval_n), "--output-dir", str(folder / "report")],
          lambda: "ok")
    if not args.keep:
        shutil.rmtree(folder, ignore_errors=True)
    return results


def table(sizes: list[int], figures: dict[int, dict[str, tuple[float, float, str]]]) -> str:
    head = ["stage"] + [f"{size:,} records" for size in sizes] + [f"RSS at {sizes[-1]:,} / at {sizes[0]:,}"]
    rows = []
    for name in STAGES:
        cells = [f"{figures[s][name][0]:.1f} s  {figures[s][name][1]:.0f} MB" for s in sizes]
        ratio = figures[sizes[-1]][name][1] / max(figures[sizes[0]][name][1], 1)
        worst = max(figures[s][name][1] for s in sizes)
        rows.append([name, *cells, f"x{ratio:.2f}" + ("" if worst < BOUND_MB else f"  OVER {BOUND_MB} MB")])
    widths = [max(len(str(row[i])) for row in [head, *rows]) for i in range(len(head))]
    lines = ["  ".join(str(cell).ljust(width) for cell, width in zip(row, widths)) for row in [head, *rows]]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000,1000000", help="record counts (comma-separated)")
    parser.add_argument("--workdir", default=str(Path(tempfile.gettempdir()) / "codeinterview-bench-scale"),
                        help="where the synthetic files go (default under the temp folder)")
    parser.add_argument("--graded", type=int, default=200, help="records the graded slice grades (default 200)")
    parser.add_argument("--gzip", action="store_true", help="stage inputs as .ndjson.gz")
    parser.add_argument("--keep", action="store_true", help="keep each size's files")
    args = parser.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)

    start = time.monotonic()
    answers, graded = base_records(workdir)
    base_count = count_lines(graded)
    print(f"base: {base_count} records from the real pipeline in {time.monotonic() - start:.0f}s",
          file=sys.stderr)

    # A size's files at once: interview records twice (input, replayed) and eval records
    # (the replay's index, a slim copy, and report's outputs are small next to them).
    per_record = (2 * answers.stat().st_size + graded.stat().st_size) / base_count
    need_gb = per_record * (sum(sizes) if args.keep else sizes[-1]) / 1e9
    free_gb = shutil.disk_usage(workdir).free / 1e9
    print(f"disk: {free_gb:.0f} GB free in {workdir}, about {need_gb:.1f} GB needed "
          f"({graded.stat().st_size / base_count / 1e3:.1f} KB an eval record)", file=sys.stderr)
    if free_gb < need_gb * 1.2:
        sys.exit(f"not enough free disk in {workdir}: {free_gb:.0f} GB free, about {need_gb:.0f} GB needed; "
                 "pass --workdir or smaller --sizes")
    figures = {size: measure(size, answers, graded, base_count, workdir, args) for size in sizes}

    print(f"\npeak RSS and wall seconds per stage (base: {base_count} records, repeated as samples; "
          f"bound {BOUND_MB} MB)\n")
    print(table(sizes, figures))
    notes = [f"  {size:,} {name}: {figures[size][name][2]}" for size in sizes for name in STAGES]
    print("\n" + "\n".join(notes))
    return 1 if any(code.startswith("exit ") for size in sizes for *_, code in figures[size].values()) else 0


if __name__ == "__main__":
    sys.exit(main())
