"""Cheapest routes on a described graph: whether edges are one-way, which
nodes are closed and how ties are broken are set per seed; the knobs set the
number of nodes and of closed nodes. The traps: ties (cheapest, then fewest
edges, then the alphabetically first sequence of node names), closed nodes,
one-way edges, parallel edges, and a start equal to the goal."""

from __future__ import annotations

import random

from .base import Case, Instance, Knob, split_cases

NAME = "graph"
VERSION = 1
SIGNATURE = "route(edges, start, goal)"
KNOBS = (Knob("nodes", 4, 16, 60, "nodes in the graph", floor=2, step=6),
         Knob("closed", 0, 2, 8, "nodes no route may pass through (at most nodes - 2)"))


def solve(spec: dict, edges: list, start: str, goal: str) -> list | None:
    closed = set(spec["closed"])
    if start in closed or goal in closed:
        return None
    best = {start: (0, 0, [start])}
    changed = True
    while changed:
        changed = False
        for a, b, cost in edges:
            for u, v in ([(a, b)] if spec["directed"] else [(a, b), (b, a)]):
                if u in best and v not in closed:
                    c, h, path = best[u]
                    candidate = (c + cost, h + 1, path + [v])
                    if v not in best or candidate < best[v]:
                        best[v], changed = candidate, True
    return best[goal][2] if goal in best else None


JAVASCRIPT = r"""
function solve(spec, edges, start, goal) {
  const closed = new Set(spec.closed);
  if (closed.has(start) || closed.has(goal)) return null;
  const best = new Map([[start, [0, 0, [start]]]]);
  const less = (x, y) => {
    if (x[0] !== y[0]) return x[0] < y[0];
    if (x[1] !== y[1]) return x[1] < y[1];
    for (let i = 0; i < Math.min(x[2].length, y[2].length); i++)
      if (x[2][i] !== y[2][i]) return x[2][i] < y[2][i];
    return x[2].length < y[2].length;
  };
  let changed = true;
  while (changed) {
    changed = false;
    for (const [a, b, cost] of edges) {
      for (const [u, v] of (spec.directed ? [[a, b]] : [[a, b], [b, a]])) {
        if (best.has(u) && !closed.has(v)) {
          const [c, h, path] = best.get(u);
          const candidate = [c + cost, h + 1, [...path, v]];
          if (!best.has(v) || less(candidate, best.get(v))) { best.set(v, candidate); changed = true; }
        }
      }
    }
  }
  return best.has(goal) ? best.get(goal)[2] : null;
}
"""


def draw(rng: random.Random, level: dict[str, int]) -> Instance:
    names = sorted(rng.sample([a + b for a in "ABCDEFGHKLMNPRST" for b in "aeiou"], level["nodes"]))
    closed = sorted(rng.sample(names, min(level["closed"], len(names) - 2)))
    spec = {"directed": rng.random() < 0.5, "closed": closed}

    def graph(rng: random.Random) -> tuple:
        edges = []
        for _ in range(level["nodes"] * 2):
            a, b = rng.sample(names, 2)
            edges.append([a, b, rng.randint(1, 4)])  # small costs: ties are common
        open_nodes = [n for n in names if n not in closed]
        return (edges, rng.choice(open_nodes), rng.choice(open_nodes))

    cases = split_cases(rng, graph, 6)
    edges = graph(rng)[0]
    cases.append(Case((edges, names[0], names[0]), "start_is_goal_hidden", False))
    if closed:
        cases.append(Case((edges, closed[0], names[-1]), "closed_start_hidden", False))
    way = ("one-way: [a, b, cost] leads from a to b only" if spec["directed"]
           else "two-way: [a, b, cost] leads from a to b and from b to a")
    shut = f"The nodes {', '.join(closed)} are closed: no route may start at, end at or pass through them. " \
        if closed else "No node is closed. "
    return Instance(spec=spec, input="a list `edges` of [a, b, cost] (node names are strings, cost a positive "
                                     "integer; there may be several edges between two nodes), and node "
                                     "names `start` and `goal`", output=(
        f"the cheapest route from start to goal as the list of node names it visits, start and goal included. "
        f"Edges are {way}. {shut}Among routes of equal total cost take the one with the fewest edges, and "
        "among those the one whose list of node names comes first alphabetically (compared name by name). "
        "A route from a node to itself is [start]. Return None (Python) / null (JavaScript) when no route "
        "exists."), cases=cases)
