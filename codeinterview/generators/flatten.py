"""Flattening nested structures into path -> leaf: the separator, how list
items are written and the escape of a separator inside a key are drawn per
seed; the knobs set the nesting depth and the width of each level (lists and
dicts mixed). The traps: empty containers are leaves, a key holding the
separator is escaped, booleans and None are leaves like any other."""

from __future__ import annotations

import random
import string

from .base import Case, Instance, Knob, split_cases

NAME = "flatten"
VERSION = 1
SIGNATURE = "flatten(value)"
KNOBS = (Knob("depth", 1, 4, 30, "levels of nesting", floor=1, step=1),
         Knob("width", 1, 3, 8, "entries per dict or list", floor=1))


def solve(spec: dict, value: dict) -> dict:
    sep, out = spec["sep"], {}

    def key(k: str) -> str:
        return k.replace(sep, "\\" + sep)

    def walk(node: object, path: str) -> None:
        if isinstance(node, dict) and node:
            for k, v in node.items():
                walk(v, path + sep + key(k))
        elif isinstance(node, list) and node:
            for i, v in enumerate(node):
                walk(v, path + (f"[{i}]" if spec["lists"] == "bracket" else sep + str(i)))
        else:
            out[path] = node

    for k, v in value.items():
        walk(v, key(k))
    return out


JAVASCRIPT = r"""
function solve(spec, value) {
  const sep = spec.sep, out = {};
  const key = (k) => k.split(sep).join("\\" + sep);
  function walk(node, path) {
    if (Array.isArray(node) && node.length) {
      node.forEach((v, i) => walk(v, path + (spec.lists === "bracket" ? "[" + i + "]" : sep + i)));
    } else if (node !== null && typeof node === "object" && !Array.isArray(node) && Object.keys(node).length) {
      for (const [k, v] of Object.entries(node)) walk(v, path + sep + key(k));
    } else {
      out[path] = node;
    }
  }
  for (const [k, v] of Object.entries(value)) walk(v, key(k));
  return out;
}
"""


def draw(rng: random.Random, level: dict[str, int]) -> Instance:
    spec = {"sep": rng.choice([".", "/", ":", "->", "__"]), "lists": rng.choice(["bracket", "index"])}
    width, depth = level["width"], level["depth"]

    def name(rng: random.Random) -> str:
        word = "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(1, 4)))
        # a key holding the separator: more of them the wider the level (none at width 1)
        return word + spec["sep"] + word[::-1] if rng.random() < 0.1 * (width - 1) else word

    def leaf(rng: random.Random) -> object:
        return rng.choice([rng.randint(-9, 99), name(rng), True, False, None, {}, []])

    def node(rng: random.Random, left: int) -> object:
        if left == 0:
            return leaf(rng)
        count = rng.randint(1, width)
        deep = rng.randrange(count)  # one child carries the depth, the others are shallow
        children = [node(rng, left - 1) if i == deep else
                    (node(rng, min(1, left - 1)) if rng.random() < 0.3 else leaf(rng)) for i in range(count)]
        if rng.random() < 0.4:
            return children
        keys: list[str] = []
        while len(keys) < count:
            word = name(rng)
            keys += [] if word in keys else [word]
        return dict(zip(keys, children))

    def value(rng: random.Random) -> tuple:
        root = node(rng, depth)  # depth >= 1: a non-empty list or dict
        return (root if isinstance(root, dict) else {"root": root},)

    cases = split_cases(rng, value, 5)
    cases.append(Case(({},), "empty_hidden", False))
    lists = ("name[0], name[1][2]" if spec["lists"] == "bracket" else
             f"name{spec['sep']}0, name{spec['sep']}1{spec['sep']}2")
    return Instance(spec=spec, input="a dictionary `value` (JavaScript: a plain object) whose values may be "
                                     "nested dictionaries and lists", output=(
        "a flat dictionary (JavaScript: a plain object) mapping the path of every leaf to the leaf. A path "
        f"joins the keys from the top with the separator {spec['sep']!r}; list items are written by their "
        f"index, as in {lists}. A key that contains the separator has each occurrence of it written with a "
        f"backslash before it (key 'a{spec['sep']}b' is written 'a\\{spec['sep']}b'). Leaves are the values "
        "that are not dictionaries or lists, and also empty dictionaries and empty lists (kept as they are). "
        "An empty `value` gives an empty dictionary. The input must not be modified."), cases=cases)
