"""evaluate.py --ray: one grader per node, batches out, eval records back to
the driver's one writer.

Each NodeGrader is a Ray actor pinned to its node; it opens that node's own
warm sandbox pool (its Docker engine, finding or building the images there)
and keeps its own verdict cache. A node whose sandbox does not start reports
why and gets no work. A lost node's batches go to the others; a record that
comes back twice is written once (RecordWriter refuses a key already done).
"""

from __future__ import annotations

import sys
from concurrent.futures import ThreadPoolExecutor
from typing import Any, NamedTuple

from tqdm import tqdm

from ..errors import InfrastructureError
from ..grading.grader import Grader, grade_record
from ..grading.config import GradingConfig
from ..questions import Question
from ..records import RunIdentity
from ..sandbox.types import Sandbox
from ..grading.verdicts import VerdictCache
from .cluster import Node, alive_nodes, connect, on_node, say
from .dispatch import Dispatcher, Remote, chunked, lost_errors

BATCHES_PER_NODE = 2   # one grading, one waiting: the node's pool never idles between batches


class GradedBatch(NamedTuple):
    records: list[dict[str, Any]]   # the batch's eval records, in its order
    verdict_reuses: int             # the node's verdict reuses so far


class NodeGrader:
    """The grader on one node (a Ray actor): its sandbox pool, its verdict cache."""

    def __init__(self, grading: GradingConfig, run: RunIdentity, workers: int):
        self.grading, self.run, self.workers = grading, run, workers
        self.timing = grading.relative_timeout()
        self.verdicts = VerdictCache()
        self.pool = ThreadPoolExecutor(workers, thread_name_prefix="grade")
        self.sandbox: Sandbox | None = None

    def start(self) -> str | None:
        """Open the node's sandbox (engine reachable, image found or built); None, or why not."""
        try:
            self.sandbox = self.grading.open_sandbox(self.workers)
        except Exception as exc:  # any failure: this node takes no work, the run goes on elsewhere
            return f"{type(exc).__name__}: {exc}"
        return None

    def grade(self, batch: list[tuple[dict[str, Any], Question]]) -> GradedBatch:
        """The batch's eval records (in its order), and this node's verdict reuses so far."""
        sandbox = self.sandbox
        if sandbox is None:
            raise InfrastructureError("this node's grader was given work before its sandbox started")
        futures = [self.pool.submit(grade_record, sandbox, record, question, self.grading, self.run,
                                    self.timing, self.verdicts) for record, question in batch]
        return GradedBatch([f.result() for f in futures], self.verdicts.hits)

    def close(self) -> None:
        if self.sandbox is not None:
            self.sandbox.close()
            self.sandbox = None
        self.pool.shutdown()


class Fleet:
    """One NodeGrader per alive node; the ones whose sandbox started take work."""

    def __init__(self, ray: Any, grading: GradingConfig, run: RunIdentity, cap: int | None):
        self.ray = ray
        self.nodes = alive_nodes(ray)
        self.actors: list[tuple[Node, Any]] = []
        self.most_workers = 1
        actor_class = ray.remote(NodeGrader)
        for node in self.nodes:
            workers = max(1, min(node.cpus or 1, cap or node.cpus or 1))
            self.most_workers = max(self.most_workers, workers)
            # num_cpus=0: the containers' CPUs are outside Ray's books; max_concurrency: batches overlap
            actor = actor_class.options(scheduling_strategy=on_node(node), num_cpus=0, max_restarts=0,
                                        max_concurrency=BATCHES_PER_NODE + 1).remote(grading, run, workers)
            self.actors.append((node, actor))
        self.ready: list[Remote] = []
        self.refused: list[tuple[Node, str]] = []
        say(f"ray: {len(self.nodes)} nodes; each opens its sandbox (finding or building the images)")
        for (node, actor), error in zip(self.actors, self._starts()):
            if error is None:
                self.ready.append(Remote(actor, node.label))
            else:
                self.refused.append((node, error))
                say(f"{node.label}: no working sandbox, it takes no work ({error})")
        if not self.ready:
            raise InfrastructureError("no node of the Ray cluster can grade: " + "; ".join(
                f"{node.label}: {error}" for node, error in self.refused))

    def _starts(self) -> list[str | None]:
        lost = lost_errors(self.ray)
        errors: list[str | None] = []
        starting = [actor.start.remote() for _, actor in self.actors]  # every node at once (image builds)
        for ref in starting:
            try:
                errors.append(self.ray.get(ref))
            except lost as exc:
                errors.append(f"the grader died at start-up ({type(exc).__name__})")
        return errors

    def close(self) -> None:
        """Each node closes its own containers; then the actors go."""
        closing = [remote.actor.close.remote() for remote in self.ready if remote.alive]
        try:
            self.ray.wait(closing, num_returns=len(closing), timeout=60)
        finally:
            for _, actor in self.actors:
                self.ray.kill(actor)

    def summary(self) -> list[str]:
        lines = [f"  {r.label}: {r.items} answers in {r.batches} batches" + ("" if r.alive else " (lost mid-run)")
                 for r in self.ready]
        lines += [f"  {node.label}: none (no working sandbox: {error})" for node, error in self.refused]
        return lines


class RayGrader(Grader):
    """Grader whose answers are graded on the cluster's nodes; writing,
    resume, counts and the sandbox-failure stop are the local Grader's."""

    def grade(self, book: Any, total: int | None) -> None:
        ray = connect(self.args.ray)
        if self.args.batch_size < 1 or (self.args.workers_per_node or 1) < 1:
            raise InfrastructureError("--batch-size and --workers-per-node must be at least 1")
        fleet: Fleet | None = None
        dispatcher: Dispatcher = Dispatcher(ray, lambda actor, batch: actor.grade.remote(batch), BATCHES_PER_NODE)
        hits: dict[int, int] = {}
        with tqdm(total=total, desc="evaluate (ray)", unit="answer", file=sys.stderr,
                  dynamic_ncols=True) as bar:
            todo = self.todo(book, bar)
            first = next(todo, None)  # a finished run starts no grader
            if first is not None:
                fleet = Fleet(ray, self.grading, self.run, self.args.workers_per_node)
                try:
                    # a batch at least as big as a node's pool: two in flight keep every container busy
                    size = max(self.args.batch_size, fleet.most_workers)
                    batches = chunked(_then(first, todo), size)
                    for worker, _, (records, node_hits) in dispatcher.run(fleet.ready, batches):
                        hits[id(worker)] = node_hits
                        for graded in records:
                            self.take(graded, bar)
                finally:
                    fleet.close()
        self.verdicts.hits = sum(hits.values())
        self.summarize()
        if fleet is not None:
            say("graded per node:\n" + "\n".join(fleet.summary()))
            if dispatcher.resent:
                say(f"{dispatcher.resent} batches were re-sent after their node was lost "
                    f"({self.duplicates} records came back twice and were written once)")


def _then(first: Any, rest: Any) -> Any:
    yield first
    yield from rest
