"""The tree of conversations a feedback search grows (--search tree).

Every model call makes one node, numbered in call order (its `attempt`); a
node's parent is the node whose conversation it continues (0: the question's
own prompt). A node stays open, worth expanding, while it failed, is not a
repeat of a node already in the tree, and was given feedback. Expanding takes
the open node of best merit (--meta-temperature 0) or draws one by a softmax
of the merits (T > 0) from a generator seeded by the question and the step, so
a resumed run draws the same. A node is expanded once: a branch whose
children all repeat or fail worse is left for a better one (backtracking).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Any

from ..records import Status
from .sampling import identity

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
