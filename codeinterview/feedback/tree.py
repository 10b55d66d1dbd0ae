"""The tree of conversations a feedback search grows (--search tree).

Every model call makes one node, numbered in call order (its `attempt`); a
node's parent is the node whose conversation it continues (0: the question's
own prompt). A node stays open, worth expanding, while it failed, is not a
repeat of a node already in the tree, and was given feedback. Expanding takes
the open node of best merit (--meta-temperature 0) or draws one by a softmax
of the merits (T > 0) from a generator seeded by the question and the step, so
a resumed run draws the same. A node is expanded once: a branch whose
children all repeat or fail worse is left for a better one (backtracking).

grow() drives the search with the loop's attempts (loop.FeedbackLoop): each
expansion asks n_candidates answers with distinct sampling (sampling.py; a
repeat is asked again and never expanded), max_attempts counts model calls,
and journaled nodes are replayed through the same choices instead of asking again.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Any

from ..records import Status
from .journal import slot
from .loop import FIRST, REPAIR, Asked, FeedbackLoop, next_prompt
from .sampling import Sampler, Sampling, identity

LINT_WEIGHT = 1e-3   # analyzer findings break ties between equal sandbox scores


@dataclass
class Node:
    id: int
    parent: int
    depth: int                 # answers in its conversation, itself included
    merit: float               # sandbox score, less a little per analyzer finding
    passed: bool
    open: bool
    key: str                   # what makes two candidates the same (sampling.identity)


def merit(attempt: dict[str, Any]) -> float:
    return float(attempt.get("score") or 0.0) - LINT_WEIGHT * len(attempt.get("lint") or [])


class Tree:
    def __init__(self, meta_temperature: float = 0.0, seed: str = ""):
        self.meta_temperature = meta_temperature
        self.seed = seed
        self.nodes: dict[int, Node] = {}
        self._keys: dict[str, int] = {}
        self.steps = 0     # expansions chosen so far

    def duplicate_of(self, code: str | None, answer: str) -> int | None:
        return self._keys.get(identity(code, answer))

    def add(self, attempt: dict[str, Any]) -> Node:
        """A node from its attempt record (fresh or replayed from the journal)."""
        parent = int(attempt.get("parent") or 0)
        depth = self.nodes[parent].depth + 1 if parent else 1
        passed = attempt["status"] == Status.PASS
        node = Node(int(attempt["attempt"]), parent, depth, merit(attempt), passed,
                    open=not passed and attempt.get("duplicate_of") is None
                    and attempt.get("feedback") is not None and attempt.get("finish_reason") != "error",
                    key=identity(attempt.get("code"), attempt.get("answer") or ""))
        self.nodes[node.id] = node
        self._keys.setdefault(node.key, node.id)
        return node

    def path(self, node_id: int) -> list[int]:
        """The node ids from the first answer down to `node_id`."""
        out = []
        while node_id:
            out.append(node_id)
            node_id = self.nodes[node_id].parent
        return out[::-1]

    def select(self) -> int | None:
        """The node to expand next (0 before any answer), or None when none is open.
        The chosen node is closed: each is expanded once."""
        if not self.nodes:
            return 0
        open_nodes = [n for n in self.nodes.values() if n.open]
        if not open_nodes:
            return None
        self.steps += 1
        if self.meta_temperature > 0:
            top = max(n.merit for n in open_nodes)
            weights = [math.exp((n.merit - top) / self.meta_temperature) for n in open_nodes]
            chosen = random.Random(f"{self.seed}:{self.steps}").choices(open_nodes, weights)[0]
        else:  # the best; of equals the earliest (the shallower, asked first)
            chosen = max(open_nodes, key=lambda n: (n.merit, -n.id))
        chosen.open = False
        return chosen.id

    def best(self) -> int:
        """The answer the record keeps: the first that passed, else the best merit (earliest of equals)."""
        return max(self.nodes.values(), key=lambda n: (n.passed, n.merit, -n.id)).id


def grow(loop: FeedbackLoop, asked: Asked, journaled: list[dict[str, Any]],
         meta_temperature: float = 0.0) -> tuple[list[dict[str, Any]], int]:
    """Best-first search over conversations: every node in call order, and the kept node's id."""
    request = asked.request
    tree = Tree(meta_temperature, seed=slot(request.key))
    sampler = Sampler()
    attempts: list[dict[str, Any]] = []
    while len(attempts) < loop.max_attempts:
        parent = tree.select()
        if parent is None:  # every branch passed on, repeated itself, or was refused
            break
        prompt, code_prefix = request.prompt, request.record.get("code_prefix")
        for ancestor in tree.path(parent):
            prompt, code_prefix = next_prompt(prompt, attempts[ancestor - 1], request.is_chat, code_prefix)
        fresh = calls = 0   # a repeat is asked again, at most n times per expansion
        while fresh < loop.n_candidates and calls < 2 * loop.n_candidates \
                and len(attempts) < loop.max_attempts:
            number = len(attempts) + 1
            if number <= len(journaled):
                attempt = journaled[number - 1]
            else:
                attempt = _node(loop, asked, tree, number, parent, sampler.at(calls), prompt, code_prefix)
                loop.record(asked, attempt)
            attempts.append(attempt)
            calls += 1
            node = tree.add(attempt)
            if attempt.get("duplicate_of") is not None:
                sampler.repeated()
                continue
            fresh += 1
            if node.passed:
                return _kept(attempts, node.id)
    return _kept(attempts, tree.best())


def _node(loop: FeedbackLoop, asked: Asked, tree: Tree, number: int, parent: int, sampling: Sampling,
          prompt: Any, code_prefix: str | None) -> dict[str, Any]:
    """One model call of the tree search, graded, as its node's record."""
    role = FIRST if parent == 0 else REPAIR
    candidate = loop.call(asked, prompt, code_prefix, loop.answerer(role, sampling))
    attempt = {"attempt": number, "parent": parent, **loop.describe(asked, candidate, code_prefix)}
    duplicate = tree.duplicate_of(candidate.graded.get("code"), candidate.answer.text)
    if duplicate is not None:
        attempt["duplicate_of"] = duplicate
    else:
        loop.add_feedback(asked, attempt, tree.nodes[parent].depth + 1 if parent else 1,
                          last=number >= loop.max_attempts)
    attempt.pop("graded", None)
    return attempt


def _kept(attempts: list[dict[str, Any]], node: int) -> tuple[list[dict[str, Any]], int]:
    """The tree's nodes, the one the record keeps marked."""
    for attempt in attempts:
        attempt.pop("kept", None)
    attempts[node - 1]["kept"] = True
    return attempts, node
