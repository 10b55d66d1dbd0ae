"""interview.py --ray: model replicas (Ray actors) answering batches of
prompts, answers streamed back to the driver's one writer.

For the in-process backends (transformers, llamacpp): one replica per node by
default, or --replicas of them each reserving --gpus-per-replica GPUs (Ray
places them). The driver never loads the model; replica 0 describes the run
(backend, device, dtype, the parameters it honours), so the run identity is
what a local run on that machine would have. A lost replica's batches go to
the others. API backends need no Ray: their --concurrency already saturates
the server.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Iterator

from ..errors import UserError
from ..executors import Answer, Executor, Request
from .cluster import alive_nodes, connect, on_node, say
from .dispatch import Dispatcher, Remote, chunked

IN_PROCESS = ("transformers", "llamacpp")
BATCHES_PER_REPLICA = 2
DEFAULT_BATCH = 8


class Replica:
    """One model loaded on one node (a Ray actor)."""

    def __init__(self, executor_class: type[Executor], options: dict[str, Any]):
        self.executor = executor_class(**options)

    def identity(self) -> tuple[str, dict[str, Any], dict[str, Any], list[str]]:
        e = self.executor
        return e.name, e.describe(), e.params, e.dropped_params

    def answer(self, requests: list[Request]) -> list[Answer]:
        return list(self.executor.run(requests))

    def close(self) -> None:
        self.executor.close()


@dataclass(frozen=True)
class RayOptions:
    """Where interview.py --ray places the model replicas (each field the flag of its name)."""
    ray: str                        # the cluster: 'auto' or HOST:PORT
    replicas: int | None = None     # None: one per node, or with gpus_per_replica as many as the GPUs hold
    gpus_per_replica: float = 0.0   # 0: CPU


class RayExecutor(Executor):
    """Stands in for the executor on the driver: run() spreads requests over replicas."""

    needs_model = False

    def __init__(self, placement: RayOptions, executor_class: type[Executor], options: dict[str, Any]):
        address, replicas, gpus_per_replica = placement.ray, placement.replicas, placement.gpus_per_replica
        if executor_class.name not in IN_PROCESS:
            raise UserError(f"--ray is for the in-process backends ({', '.join(IN_PROCESS)}); executor "
                            f"'{executor_class.name}' needs no Ray: an API backend is saturated by "
                            "--concurrency, and the others run where the driver runs")
        if (replicas is not None and replicas < 1) or gpus_per_replica < 0:
            raise UserError("--replicas must be at least 1 and --gpus-per-replica at least 0")
        self.ray = ray = connect(address)
        nodes = alive_nodes(ray)
        actor_class = ray.remote(Replica)
        self.replicas: list[Remote] = []
        if replicas is None and not gpus_per_replica:  # one per node, pinned
            placed = [(actor_class.options(scheduling_strategy=on_node(node), num_cpus=0, max_restarts=0),
                       node.label) for node in nodes]
        else:
            if replicas is None:
                replicas = int(sum(node.gpus for node in nodes) // gpus_per_replica)
                if replicas < 1:
                    raise UserError(f"--gpus-per-replica {gpus_per_replica:g}: the cluster's GPUs hold no replica")
            placed = [(actor_class.options(num_gpus=gpus_per_replica, num_cpus=0 if gpus_per_replica else 1,
                                           scheduling_strategy="SPREAD", max_restarts=0), f"replica {i}")
                      for i in range(replicas)]
        for options_, label in placed:
            self.replicas.append(Remote(options_.remote(executor_class, options), label))
        say(f"ray: loading {len(self.replicas)} replicas of the model")
        # replica 0's view of the run stands for all (the same code and model everywhere)
        try:
            identities = ray.get([r.actor.identity.remote() for r in self.replicas])
        except ray.exceptions.RayTaskError as exc:  # a replica could not load the model: say why, as locally
            self.close()
            raise exc.as_instanceof_cause() from None
        self.name, self._described, self.params, self.dropped_params = identities[0]
        self.model = options.get("model")
        self.batch = int(options.get("batch_size") or DEFAULT_BATCH)
        self.dispatcher: Dispatcher = Dispatcher(ray, lambda actor, batch: actor.answer.remote(batch),
                                                 BATCHES_PER_REPLICA)

    def describe(self) -> dict[str, Any]:
        return dict(self._described)

    def ask(self, request: Request) -> Answer:
        return next(self.run([request]))

    def run(self, requests: Iterable[Request]) -> Iterator[Answer]:
        for _, _, answers in self.dispatcher.run(self.replicas, chunked(requests, self.batch)):
            yield from answers

    def summary(self) -> list[str]:
        return [f"  {r.label}: {r.items} answers in {r.batches} batches" + ("" if r.alive else " (lost mid-run)")
                for r in self.replicas]

    def close(self) -> None:
        if not self.replicas:
            return
        if any(r.items for r in self.replicas):
            say("answered per replica:\n" + "\n".join(self.summary()))
        closing = [r.actor.close.remote() for r in self.replicas if r.alive]
        try:
            self.ray.wait(closing, num_returns=len(closing), timeout=60)
        finally:
            for r in self.replicas:
                self.ray.kill(r.actor)
            self.replicas = []
