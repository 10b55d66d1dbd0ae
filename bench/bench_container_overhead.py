"""What a sandbox container costs per path lookup and per process start, against the host.

    python bench/bench_container_overhead.py [--rounds 2000]

One probe (below) times os.stat('/work') and starting /usr/bin/true, run
  1. in a pool container (the pool's own options, volumes as the pool uses them),
  2. the same with Docker's seccomp filter off (a diagnosis only: the pool never runs so),
  3. on the host.
With the fuse-overlayfs storage driver every absolute path is looked up through
the container's FUSE root, volumes or not; the seccomp filter weighs on each
process start. This is what is left of the compiled languages' pool/bare gap
(bench_languages.py) once the toolchain is on volumes.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from codeinterview.sandbox import Limits, volumes  # noqa: E402
from codeinterview.sandbox.docker_backend import container_options, owned  # noqa: E402
from codeinterview.sandbox.image import docker_client, ensure_image  # noqa: E402

PROBE = r"""
import json, os, subprocess, sys, time
rounds = int(sys.argv[1])
t = time.perf_counter()
for _ in range(rounds):
    os.stat('/work' if os.path.isdir('/work') else '/tmp')
stat_us = (time.perf_counter() - t) / rounds * 1e6
starts = max(20, rounds // 20)
t = time.perf_counter()
for _ in range(starts):
    subprocess.run(['/usr/bin/true'])
print(json.dumps({'stat_us': stat_us, 'start_ms': (time.perf_counter() - t) / starts * 1e3}))
"""


def in_container(client, image: str, rounds: int, seccomp: bool) -> dict:
    opts = container_options(image, Limits(), swap_ok=False, volumes=volumes.mounts_for(client, image, owned()))
    opts.update(command=["python3", "-I", "-c", PROBE, str(rounds)], stdin_open=False)
    if not seccomp:
        opts["security_opt"] = opts["security_opt"] + ["seccomp=unconfined"]
    container = client.containers.create(**opts)
    try:
        container.start()
        container.wait(timeout=600)
        return json.loads(container.logs(stdout=True, stderr=False).decode().strip().splitlines()[-1])
    finally:
        container.remove(force=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=2000, help="stat calls per mode (process starts: 1/20 of it)")
    args = parser.parse_args()
    client = docker_client()
    image = ensure_image(client)
    rows = [("pool container", in_container(client, image, args.rounds, seccomp=True)),
            ("  seccomp off", in_container(client, image, args.rounds, seccomp=False)),
            ("host", json.loads(subprocess.run([sys.executable, "-I", "-c", PROBE, str(args.rounds)],
                                               capture_output=True, text=True, check=True).stdout))]
    print(f"storage driver: {client.info().get('Driver')}; volumes in use: {volumes.wanted(client)}")
    host = rows[-1][1]
    print(f"{'mode':<16}{'stat us':>9}{'x host':>8}{'start ms':>10}{'x host':>8}")
    for label, row in rows:
        print(f"{label:<16}{row['stat_us']:>9.1f}{row['stat_us'] / host['stat_us']:>8.1f}"
              f"{row['start_ms']:>10.2f}{row['start_ms'] / host['start_ms']:>8.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
