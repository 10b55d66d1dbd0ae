"""Batches to remote workers (Ray actors), a bounded number in flight per
worker; a worker that is lost (its node, or its process, died) has its
batches sent to the others. Results come back in completion order.

Memory stays flat: at most workers x per_worker batches are out, and the
input iterator is read only as fast as they come back.
"""

from __future__ import annotations

import itertools
from collections import deque
from dataclasses import dataclass
from typing import Any, Callable, Generic, Iterable, Iterator, TypeVar

from ..errors import InfrastructureError
from .cluster import say

T = TypeVar("T")


@dataclass(eq=False)
class Remote:
    """One worker: the actor and what the run summary says of it."""

    actor: Any
    label: str
    in_flight: int = 0
    alive: bool = True
    items: int = 0       # items whose results came back from it
    batches: int = 0


def chunked(items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


def lost_errors(ray: Any) -> tuple[type[BaseException], ...]:
    """What a call raises when its worker is gone (not when the worker's code raised)."""
    e = ray.exceptions
    return (e.RayActorError, e.WorkerCrashedError, e.NodeDiedError, e.ObjectLostError)


class Dispatcher(Generic[T]):
    """call(actor, batch) -> an ObjectRef; run() yields (worker, batch, result)."""

    def __init__(self, ray: Any, call: Callable[[Any, list[T]], Any], per_worker: int = 2):
        self.ray, self.call, self.per_worker = ray, call, max(1, per_worker)
        self.resent = 0

    def run(self, workers: list[Remote], batches: Iterator[list[T]]) -> Iterator[tuple[Remote, list[T], Any]]:
        retry: deque[list[T]] = deque()
        in_flight: dict[Any, tuple[Remote, list[T]]] = {}
        exhausted = False
        lost = lost_errors(self.ray)
        while True:
            while True:  # fill every free slot: re-sent batches first
                free = [w for w in workers if w.alive and w.in_flight < self.per_worker]
                if not free or (exhausted and not retry):
                    break
                batch = retry.popleft() if retry else next(batches, None)
                if batch is None:
                    exhausted = True
                    break
                worker = min(free, key=lambda w: w.in_flight)
                in_flight[self.call(worker.actor, batch)] = (worker, batch)
                worker.in_flight += 1
            if not in_flight:
                if retry or not exhausted:
                    raise InfrastructureError(
                        "every worker node was lost; what was written is kept, re-run the same "
                        "command to finish")
                return
            [ref], _ = self.ray.wait(list(in_flight), num_returns=1)
            worker, batch = in_flight.pop(ref)
            worker.in_flight -= 1
            try:
                result = self.ray.get(ref)
            except lost as exc:
                if worker.alive:
                    say(f"lost {worker.label} ({type(exc).__name__}); its unfinished batches go to "
                        "the other nodes")
                worker.alive = False
                self.resent += 1
                retry.append(batch)
                continue
            except self.ray.exceptions.RayTaskError as exc:
                raise exc.as_instanceof_cause() from None  # the worker's code raised: as on one machine
            worker.items += len(batch)
            worker.batches += 1
            yield worker, batch, result
