"""A throwaway Ray cluster on loopback: run as PID 1's child inside
`unshare -n -p -f --mount-proc -u` (tests/test_ray_cluster.py does), so every
Ray process ends with it and nothing binds an external address.

    python tests/ray_cluster.py WORKDIR HOSTNAME -- COMMAND...

brings `lo` up, names the namespace's host HOSTNAME (the sandbox containers'
owner label, so no other process on the machine takes them for strays), starts
a head (no Docker: DOCKER_HOST points at a missing socket, so its grader's
engine check fails for real) and two worker nodes (resources ci_a, ci_b; each
raylet's --node-manager-port is 6401 / 6402, how a scenario finds it to kill),
then runs COMMAND with RAY_ADDRESS set, and exits with its status.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

RAY = str(Path(sys.executable).with_name("ray"))
PORT = 6390
NO_DOCKER = "unix:///nonexistent/codeinterview-ray-test/docker.sock"
WORKERS = {"ci_a": 6401, "ci_b": 6402}


def start(args: list[str], env: dict[str, str], log: Path) -> None:
    with log.open("a") as out:
        subprocess.run([RAY, "start", "--node-ip-address=127.0.0.1", "--disable-usage-stats", *args],
                       env=env, stdout=out, stderr=subprocess.STDOUT, check=True, timeout=180)


def main() -> int:
    workdir, hostname = Path(sys.argv[1]), sys.argv[2]
    command = sys.argv[sys.argv.index("--") + 1:]
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    socket.sethostname(hostname)
    env = {**os.environ, "RAY_USAGE_STATS_ENABLED": "0"}
    log = workdir / "ray_start.log"
    began = time.monotonic()
    # Node deaths are noticed in ~3 s instead of Ray's default ~30 s.
    system = json.dumps({"health_check_period_ms": 1000, "health_check_failure_threshold": 3})
    start(["--head", f"--port={PORT}", "--num-cpus=1", '--resources={"ci_head": 1}', "--include-dashboard=false",
           f"--temp-dir={workdir / 'ray'}", f"--system-config={system}"],
          {**env, "DOCKER_HOST": NO_DOCKER}, log)
    for name, port in WORKERS.items():
        start([f"--address=127.0.0.1:{PORT}", "--num-cpus=2", f'--resources={{"{name}": 1}}',
               f"--node-manager-port={port}"], env, log)
    (workdir / "cluster_start_s").write_text(f"{time.monotonic() - began:.1f}\n")
    return subprocess.run(command, env={**env, "RAY_ADDRESS": f"127.0.0.1:{PORT}"}).returncode


if __name__ == "__main__":
    sys.exit(main())
