"""Connecting to a Ray cluster and finding its nodes; ray is imported here only."""

from __future__ import annotations

import importlib
import logging
import socket
import sys
from dataclasses import dataclass, field
from typing import Any

from ..errors import UserError

STANDARD_RESOURCES = {"CPU", "GPU", "memory", "object_store_memory", "accelerator_type"}


def import_ray() -> Any:
    try:
        return importlib.import_module("ray")
    except ImportError:
        raise UserError('--ray needs the optional package ray: pip install -e ".[ray]" '
                        "(on the driver and on every node)") from None


def _reachable(address: str) -> None:
    """A HOST:PORT that takes no connection fails now, not after ray.init's minute of retries."""
    host, _, port = address.rpartition(":")
    if not host or not port.isdigit():
        raise UserError(f"--ray {address}: give 'auto' or the head's HOST:PORT (ray start --head prints it)")
    try:
        socket.create_connection((host, int(port)), timeout=5).close()
    except OSError as exc:
        raise UserError(f"--ray {address}: no Ray cluster answers there ({exc}); start one with "
                        "`ray start --head` on the head machine, or check the address") from None


def connect(address: str) -> Any:
    """The ray module, connected to the cluster at `address` ('auto' or HOST:PORT)."""
    ray = import_ray()
    if ray.is_initialized():
        return ray
    if address != "auto":
        _reachable(address)
    try:
        ray.init(address=address, namespace="codeinterview", logging_level=logging.WARNING,
                 log_to_driver=False, configure_logging=False)
    except ConnectionError as exc:
        raise UserError(f"--ray {address}: cannot connect to a Ray cluster ({exc}); start one with "
                        "`ray start --head`, or pass the head's HOST:PORT") from None
    return ray


@dataclass
class Node:
    """One alive node of the cluster, as the run summary names it."""

    id: str
    address: str
    hostname: str
    resources: dict[str, float] = field(default_factory=dict)

    @property
    def cpus(self) -> int:
        return int(self.resources.get("CPU", 0))

    @property
    def gpus(self) -> float:
        return float(self.resources.get("GPU", 0))

    @property
    def label(self) -> str:
        """hostname/address node-id-prefix [custom resources]: enough to tell nodes apart."""
        custom = sorted(k for k in self.resources if k not in STANDARD_RESOURCES and not k.startswith("node:"))
        tags = f" [{','.join(custom)}]" if custom else ""
        return f"{self.hostname}/{self.address} {self.id[:8]}{tags}"


def alive_nodes(ray: Any) -> list[Node]:
    nodes = [Node(n["NodeID"], n.get("NodeManagerAddress", "?"), n.get("NodeManagerHostname", "?"),
                  dict(n.get("Resources") or {}))
             for n in ray.nodes() if n.get("Alive")]
    if not nodes:
        raise UserError("the Ray cluster has no alive node")
    return nodes


def on_node(node: Node) -> Any:
    """A scheduling strategy that pins an actor to `node` (never elsewhere)."""
    from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

    return NodeAffinitySchedulingStrategy(node_id=node.id, soft=False)


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
