"""String rewriting with an ordered rule list (a Markov algorithm): the
alphabet, the rules, which of them stop the run and the step cap are drawn
per seed; the knobs set how many rules there are and how long the input is
(so how many rewrites interact). The traps: only the leftmost occurrence of
the first applicable rule is rewritten per step, the scan starts again from
the first rule, terminal rules stop at once, and the cap ends a run that
would never stop."""

from __future__ import annotations

import random

from .base import Instance, Knob, split_cases

NAME = "rewrite"
VERSION = 1
SIGNATURE = "rewrite(text)"
KNOBS = (Knob("rules", 1, 5, 12, "rules in the list", floor=1, step=2),
         Knob("length", 3, 15, 200, "characters in the input", floor=1, step=6))


def solve(spec: dict, text: str) -> str:
    for _ in range(spec["cap"]):
        applied = None
        for pattern, replacement, terminal in spec["rules"]:
            at = text.find(pattern)
            if at >= 0:
                text, applied = text[:at] + replacement + text[at + len(pattern):], terminal
                break
        if applied is None or applied:  # no rule applies, or a terminal one did
            return text
    return text


JAVASCRIPT = r"""
function solve(spec, text) {
  for (let step = 0; step < spec.cap; step++) {
    let applied = null;
    for (const [pattern, replacement, terminal] of spec.rules) {
      const at = text.indexOf(pattern);
      if (at >= 0) {
        text = text.slice(0, at) + replacement + text.slice(at + pattern.length);
        applied = terminal;
        break;
      }
    }
    if (applied === null || applied) return text;
  }
  return text;
}
"""


def draw(rng: random.Random, level: dict[str, int]) -> Instance:
    alphabet = "".join(rng.sample("abcdexyz", 3))

    def word(rng: random.Random, lo: int, hi: int) -> str:
        return "".join(rng.choice(alphabet) for _ in range(rng.randint(lo, hi)))

    rules: list[list] = []
    while len(rules) < level["rules"]:
        pattern = word(rng, 1, 3)
        if all(pattern != r[0] for r in rules):
            rules.append([pattern, word(rng, 0, len(pattern) + 1), rng.random() < 0.15])
    spec = {"rules": rules, "cap": rng.choice([20, 50, 100])}
    cases = split_cases(rng, lambda rng: (word(rng, level["length"], level["length"]),), 6)
    listed = "\n".join(f"{i + 1}. '{p}' -> '{r}'{' (terminal)' if t else ''}" for i, (p, r, t) in enumerate(rules))
    return Instance(spec=spec, input=f"a string `text` over the letters {', '.join(alphabet)}", output=(
        "the string after rewriting it with these rules, in this order:\n" + listed + "\n"
        "One step: take the first rule in the list whose left side occurs in the string and replace the "
        "leftmost occurrence of it (only that one) with its right side ('' means nothing). Repeat from the "
        "first rule. Stop when no rule applies, right after a step that used a terminal rule, or after "
        f"{spec['cap']} steps, whichever comes first, and return the string."), cases=cases)
