"""The same answers graded on this machine and through Ray, and the per-batch
costs an 8-node estimate needs.

    python bench/bench_ray.py [--samples 20] [--workers 2] [--batch-size 16]

1. local      : evaluate.py --workers W (once before the cluster runs, once after: the mean)
2. ray 1 node : a head without Docker (it grades nothing) + one worker node of
                W CPUs: the same W containers, now behind Ray
3. ray 2 nodes: a second worker node joins (2 cores here: no speed-up to see)
Each figure is the whole command's wall time and the steady grading rate (first
record written to last, from polling the output), so start-up (Ray connect,
actors, warm containers) and the per-batch cost are told apart. Then, on the
cluster: the round trip of one batch (real records and questions out, eval-sized
records back) through an echo actor on a worker node, and the driver's own
per-record cost (reading the input, writing eval records).

The cluster runs inside `unshare -n -p -f --mount-proc -u` (loopback only; every
Ray process ends with the namespace), as tests/test_ray_cluster.py does. Root only.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PORT = 6390
NO_DOCKER = "unix:///nonexistent/codeinterview-bench/docker.sock"


def stage(*args: str) -> str:
    proc = subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True)
    if proc.returncode:
        raise SystemExit(f"{args[0]} failed:\n{proc.stderr[-3000:]}")
    return proc.stdout.strip().splitlines()[-1]


def make_answers(work: Path, samples: int) -> Path:
    """junior-dev's reference answers, each sample made distinct (no verdict reuse)."""
    prompts = stage("prepare.py", "--interview", "junior-dev", "--languages", "python",
                    "--output", str(work / "prompts.ndjson"))
    reference = stage("interview.py", "--input", prompts, "--executor", "reference", "--samples", str(samples),
                      "--output", str(work / "reference.ndjson"))
    out = work / "answers.ndjson"
    with open(reference) as src, out.open("w") as dst:
        for line in src:
            row = json.loads(line)
            row["answer"] = row["answer"].replace("```python\n", f"```python\n# sample {row['sample']}\n", 1)
            dst.write(json.dumps(row) + "\n")
    return out


def timed_evaluate(answers: Path, out: Path, *extra: str) -> dict:
    """Wall time of evaluate.py, and its steady rate: first record to last, polled."""
    marks: list[float] = []
    stop = threading.Event()

    def poll() -> None:
        first = None
        while not stop.is_set():
            n = out.read_text().count("\n") if out.exists() else 0
            if n and first is None:
                first = (time.monotonic(), n)
                marks.append(first[0])
            time.sleep(0.02)
        marks.append(time.monotonic())

    watcher = threading.Thread(target=poll, daemon=True)
    began = time.monotonic()
    watcher.start()
    stage("evaluate.py", "--input", str(answers), "--output", str(out), *extra)
    wall = time.monotonic() - began
    stop.set()
    watcher.join()
    rows = out.read_text().count("\n")
    steady = (marks[-1] - marks[0]) if len(marks) == 2 else wall
    return {"wall_s": round(wall, 2), "records": rows, "steady_s": round(steady, 2),
            "rate": round(rows / steady, 1)}


def ray_start(args: list[str], env: dict) -> None:
    subprocess.run([str(Path(sys.executable).with_name("ray")), "start", "--node-ip-address=127.0.0.1",
                    "--disable-usage-stats", *args], env=env, check=True, capture_output=True, timeout=180)


class Echo:
    """An actor returning eval-sized records for a batch: the batch round trip without grading."""

    def __init__(self, reply: list):
        self.reply = reply

    def grade(self, batch: list) -> tuple[list, int]:
        return self.reply[:len(batch)], 0


def batch_round_trip(ray, answers: Path, evaluated: Path, batch_size: int, node_id: str) -> dict:
    from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy
    from codeinterview.evaluate import QuestionBook

    book = QuestionBook(str(answers), None)
    batch = []
    for line in answers.read_text().splitlines()[:batch_size]:
        record = book.normalise(json.loads(line))
        batch.append((record, book.question(record)))
    reply = [json.loads(line) for line in evaluated.read_text().splitlines()[:batch_size]]
    echo = ray.remote(Echo).options(num_cpus=0, scheduling_strategy=NodeAffinitySchedulingStrategy(
        node_id, soft=False)).remote(reply)
    ray.get(echo.grade.remote(batch))
    times = []
    for _ in range(50):
        t = time.perf_counter()
        ray.get(echo.grade.remote(batch))
        times.append(time.perf_counter() - t)
    return {"batch": batch_size, "round_trip_ms": round(statistics.median(times) * 1000, 2),
            "out_bytes": len(pickle.dumps(batch)), "back_bytes": len(pickle.dumps(reply))}


def driver_cost(answers: Path, evaluated: Path) -> dict:
    """Per record: the input read and normalised (todo) and the eval record written (RecordWriter)."""
    from codeinterview.evaluate import QuestionBook
    from codeinterview.records import RecordWriter, read_records

    rows = [json.loads(line) for line in evaluated.read_text().splitlines()]
    book = QuestionBook(str(answers), None)
    t = time.perf_counter()
    n = 0
    for record in read_records(answers, accept=("interview",)):
        book.question(book.normalise(record))
        n += 1
    read_s = (time.perf_counter() - t) / n
    with tempfile.TemporaryDirectory() as tmp:
        with RecordWriter(Path(tmp) / "e.ndjson", "eval") as writer:
            t = time.perf_counter()
            for i, row in enumerate(rows * 5):
                writer.write({**row, "sample": i})
            write_s = (time.perf_counter() - t) / (len(rows) * 5)
    return {"read_us": round(read_s * 1e6, 1), "write_us": round(write_s * 1e6, 1)}


def inner(work: Path, workers: int, batch_size: int) -> None:
    """Inside the namespace: the two cluster runs and the batch costs; results to work/ray.json."""
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    socket.sethostname("ci-bench-ray")
    env = {**os.environ, "RAY_USAGE_STATS_ENABLED": "0"}
    answers = work / "answers.ndjson"
    ray_start(["--head", f"--port={PORT}", "--num-cpus=1", "--include-dashboard=false",
               f"--temp-dir={work / 'ray'}"], {**env, "DOCKER_HOST": NO_DOCKER})
    address = f"127.0.0.1:{PORT}"
    results: dict = {}
    for nodes in (1, 2):
        ray_start([f"--address={address}", f"--num-cpus={workers}", f'--resources={{"bench_{nodes}": 1}}'], env)
        results[f"ray_{nodes}"] = timed_evaluate(answers, work / f"ray_{nodes}.ndjson", "--ray", address,
                                                 "--batch-size", str(batch_size))
    import ray

    ray.init(address=address, logging_level="ERROR", log_to_driver=False)
    node = next(n for n in ray.nodes() if n["Alive"] and "bench_1" in n["Resources"])
    results["batch"] = batch_round_trip(ray, answers, work / "ray_1.ndjson", batch_size, node["NodeID"])
    results["driver"] = driver_cost(answers, work / "ray_1.ndjson")
    (work / "ray.json").write_text(json.dumps(results))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--samples", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--inner", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inner:
        return inner(Path(args.inner), args.workers, args.batch_size)
    with tempfile.TemporaryDirectory(prefix="bench_ray_") as tmp:
        work = Path(tmp)
        answers = make_answers(work, args.samples)
        before = timed_evaluate(answers, work / "local.ndjson", "--workers", str(args.workers))
        subprocess.run(["unshare", "-n", "-p", "-f", "--mount-proc", "-u", sys.executable, __file__,
                        "--inner", str(work), "--workers", str(args.workers), "--batch-size",
                        str(args.batch_size)], check=True, timeout=1200)
        found = json.loads((work / "ray.json").read_text())
        _remove_containers("ci-bench-ray")
        # local again after: the machine is shared, so the local figure is the mean of a run either side
        after = timed_evaluate(answers, work / "local2.ndjson", "--workers", str(args.workers))
        local = {k: round((before[k] + after[k]) / 2, 2) for k in ("wall_s", "steady_s", "rate")}
        local["records"] = before["records"]
        print(f"local runs: {before['wall_s']} s and {after['wall_s']} s", file=sys.stderr)
    report(local, found, args)


def _remove_containers(hostname: str) -> None:
    from codeinterview.sandbox.docker_backend import remove_stray_containers

    remove_stray_containers(host=hostname)


def report(local: dict, found: dict, args: argparse.Namespace) -> None:
    print(f"{local['records']} answers, {args.workers} sandbox workers per grading node, batch {args.batch_size}")
    print(f"{'':12} {'wall s':>8} {'steady s':>9} {'answers/s':>10} {'wall x':>7} {'steady x':>9}")
    for name, row in [("local", local), ("ray 1 node", found["ray_1"]), ("ray 2 nodes", found["ray_2"])]:
        print(f"{name:12} {row['wall_s']:8.2f} {row['steady_s']:9.2f} {row['rate']:10.1f} "
              f"{row['wall_s'] / local['wall_s']:7.2f} {row['steady_s'] / local['steady_s']:9.2f}")
    b, d = found["batch"], found["driver"]
    print(f"batch round trip ({b['batch']} answers: {b['out_bytes']} B out, {b['back_bytes']} B back): "
          f"{b['round_trip_ms']} ms median")
    print(f"driver per answer: read+normalise {d['read_us']} us, write {d['write_us']} us")
    per_node = local["rate"]
    driver_cap = 1e6 / (d["read_us"] + d["write_us"])
    dispatch_cap = b["batch"] / (b["round_trip_ms"] / 1000)  # one batch at a time, no overlap: the floor
    print(f"8 nodes like this one: ~{8 * per_node:.0f} answers/s wanted; the driver writes up to "
          f"~{driver_cap:.0f}/s and one serial batch stream carries ~{dispatch_cap:.0f}/s "
          f"(2 batches in flight per node overlap these)")


if __name__ == "__main__":
    main()
