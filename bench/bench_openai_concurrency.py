"""How close does the openai executor get to perfect concurrency?

Starts a local OpenAI-compatible server (in its own process, so it does not
share our GIL) that takes L seconds per request, sends N prompts at
concurrency C through OpenAIExecutor.run, and prints the wall time against
the lower bound N*L/C. Target: ratio <= 1.15 for N=200, L=0.2, C=16.

    python bench/bench_openai_concurrency.py [--n 200] [--latency 0.2] [--concurrency 16]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from codeinterview.executors import EXECUTORS  # noqa: E402
from codeinterview.executors.base import Request  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--latency", type=float, default=0.2)
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--target", type=float, default=1.15)
    args = ap.parse_args()

    server = subprocess.Popen([sys.executable, str(ROOT / "tests" / "fixtures_models.py"), "fake-server",
                               str(args.latency)], stdout=subprocess.PIPE, text=True)
    try:
        base_url = server.stdout.readline().strip()
        executor = EXECUTORS.get("openai")("bench", {"max_tokens": 16}, concurrency=args.concurrency,
                                                base_url=base_url)
        with executor:
            # warm-up: one request, so client import and first connect are not timed
            list(executor.run([Request("warm", "warm")]))
            requests = [Request(f"k{i}", [{"role": "user", "content": f"prompt {i}"}]) for i in range(args.n)]
            start = time.monotonic()
            answers = list(executor.run(requests))
            wall = time.monotonic() - start
    finally:
        server.terminate()
        server.wait()
    assert len({a.key for a in answers}) == args.n
    bound = args.n * args.latency / args.concurrency
    ratio = wall / bound
    print(f"N={args.n} L={args.latency}s C={args.concurrency}: wall {wall:.3f}s, "
          f"bound N*L/C {bound:.3f}s, ratio {ratio:.3f} (target <= {args.target})")
    return 0 if ratio <= args.target else 1


if __name__ == "__main__":
    sys.exit(main())
