"""Running stages on a Ray cluster (optional: `pip install -e ".[ray]"`).

evaluate.py --ray grades on one grader per node (each with its own warm
sandbox pool and verdict cache, containers never leave their node);
interview.py --ray spreads prompts over model replicas. The driver keeps the
one RecordWriter, so records, resume and exactly-once keys are today's.
Nothing here imports ray until --ray is given (cluster.connect).
"""

from __future__ import annotations

from typing import Any

# What a batch costs is one round trip to a node: big enough to hide it,
# small enough that a lost node re-sends little.
DEFAULT_BATCH = 16


def add_evaluate_arguments(group: Any) -> None:
    group.add_argument("--ray", metavar="ADDRESS",
                       help="grade on a Ray cluster: 'auto' (this machine's cluster) or HOST:PORT of its head "
                            "(needs the 'ray' extra; default: grade on this machine)")
    group.add_argument("--workers-per-node", type=int,
                       help="--ray: cap on each node's sandbox containers (default: the node's CPUs; "
                            "--workers is for this machine only)")
    group.add_argument("--batch-size", type=int, default=DEFAULT_BATCH,
                       help=f"--ray: answers sent to a node at a time (default {DEFAULT_BATCH}; "
                            "raised to the largest node's workers)")


def add_interview_arguments(group: Any) -> None:
    group.add_argument("--ray", metavar="ADDRESS",
                       help="transformers/llamacpp: run model replicas on a Ray cluster: 'auto' or HOST:PORT "
                            "(needs the 'ray' extra; API backends need no Ray)")
    group.add_argument("--replicas", type=int,
                       help="--ray: model replicas (default: one per node, or with --gpus-per-replica "
                            "as many as the cluster's GPUs hold)")
    group.add_argument("--gpus-per-replica", type=float,
                       help="--ray: GPUs each replica reserves (default 0: CPU)")
