"""A tokenizer and evaluator for a generated expression grammar: the operator
symbols, what each computes, their precedence levels and associativity are
drawn per seed; the knobs set how many operators there are and how deeply
parentheses nest. The traps: right-associative levels, results reduced with
Python's % (never negative), and malformed text that must be refused."""

from __future__ import annotations

import random
from typing import Any

from .base import Case, Instance, Knob, split_cases

NAME = "expr"
VERSION = 1
SIGNATURE = "evaluate(text)"
KNOBS = (Knob("ops", 2, 4, 6, "binary operators in the grammar", floor=1),
         Knob("depth", 0, 2, 12, "nesting of parentheses"))
SYMBOLS = ("+", "-", "*", "#", "@", "&", "$", "~", "^", "%", "!", "?")
FUNCTIONS = {"add": "a + b", "sub": "a - b", "mul": "a * b", "max": "the larger of a and b",
             "min": "the smaller of a and b", "diff": "the absolute difference |a - b|"}


def solve(spec: dict, text: str) -> int:
    ops, mod = {o["sym"]: o for o in spec["ops"]}, spec["mod"]
    tokens: list = []
    i = 0
    while i < len(text):
        c = text[i]
        if c in " \t":
            i += 1
        elif c in "0123456789":
            j = i
            while j < len(text) and text[j] in "0123456789":
                j += 1
            tokens.append(int(text[i:j]))
            i = j
        elif c in ops or c in "()":
            tokens.append(c)
            i += 1
        else:
            raise ValueError(f"unexpected character {c!r}")
    pos = 0

    def primary() -> int:
        nonlocal pos
        if pos >= len(tokens):
            raise ValueError("unexpected end")
        token = tokens[pos]
        pos += 1
        if isinstance(token, int):
            return token
        if token == "(":
            value = expression(0)
            if pos >= len(tokens) or tokens[pos] != ")":
                raise ValueError("missing )")
            pos += 1
            return value
        raise ValueError(f"unexpected {token}")

    def expression(least: int) -> int:
        nonlocal pos
        left = primary()
        while pos < len(tokens) and tokens[pos] in ops and ops[tokens[pos]]["prec"] >= least:
            op = ops[tokens[pos]]
            pos += 1
            right = expression(op["prec"] if op["assoc"] == "right" else op["prec"] + 1)
            a, b = left, right
            left = {"add": a + b, "sub": a - b, "mul": a * b, "max": max(a, b), "min": min(a, b),
                    "diff": abs(a - b)}[op["fn"]] % mod
        return left

    result = expression(0)
    if pos != len(tokens):
        raise ValueError("trailing input")
    return result


JAVASCRIPT = r"""
function solve(spec, text) {
  const ops = {}, mod = spec.mod;
  for (const o of spec.ops) ops[o.sym] = o;
  const tokens = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === " " || c === "\t") i += 1;
    else if (c >= "0" && c <= "9") {
      let j = i;
      while (j < text.length && text[j] >= "0" && text[j] <= "9") j += 1;
      tokens.push(Number(text.slice(i, j)));
      i = j;
    } else if (Object.prototype.hasOwnProperty.call(ops, c) || c === "(" || c === ")") { tokens.push(c); i += 1; }
    else throw new Error("unexpected character " + c);
  }
  let pos = 0;
  const isOp = (t) => typeof t === "string" && Object.prototype.hasOwnProperty.call(ops, t);
  function primary() {
    if (pos >= tokens.length) throw new Error("unexpected end");
    const token = tokens[pos++];
    if (typeof token === "number") return token;
    if (token === "(") {
      const value = expression(0);
      if (pos >= tokens.length || tokens[pos] !== ")") throw new Error("missing )");
      pos += 1;
      return value;
    }
    throw new Error("unexpected " + token);
  }
  function expression(least) {
    let left = primary();
    while (pos < tokens.length && isOp(tokens[pos]) && ops[tokens[pos]].prec >= least) {
      const op = ops[tokens[pos++]];
      const b = expression(op.assoc === "right" ? op.prec : op.prec + 1), a = left;
      const r = {add: a + b, sub: a - b, mul: a * b, max: Math.max(a, b), min: Math.min(a, b),
                 diff: Math.abs(a - b)}[op.fn];
      left = ((r % mod) + mod) % mod;
    }
    return left;
  }
  const result = expression(0);
  if (pos !== tokens.length) throw new Error("trailing input");
  return result;
}
"""


def draw(rng: random.Random, level: dict[str, int]) -> Instance:
    count = level["ops"]
    levels = rng.randint(1, min(count, 3))
    assoc = ["left", *(rng.choice(["left", "right"]) for _ in range(levels - 1))]  # the loosest level: left
    ops: list[dict[str, Any]] = []
    for i, (sym, fn) in enumerate(zip(rng.sample(SYMBOLS, count), rng.sample(list(FUNCTIONS), count))):
        prec = i % levels + 1 if i < levels else rng.randint(1, levels)  # every level has an operator
        ops.append({"sym": sym, "fn": fn, "prec": prec, "assoc": assoc[prec - 1]})
    spec: dict[str, Any] = {"ops": ops, "mod": rng.choice([101, 997, 1000, 10007])}

    def expr(rng: random.Random, depth: int) -> str:
        count = rng.randint(2, 4)
        deep = rng.randrange(count)  # one operand carries the nesting, so the text grows with depth, not 2**depth
        parts = []
        for k in range(count):
            if k:
                parts.append(" " * rng.randint(0, 1) + rng.choice(ops)["sym"] + " " * rng.randint(0, 1))
            parts.append(f"({expr(rng, depth - 1)})" if depth and k == deep else
                         f"({expr(rng, 0)})" if depth and rng.random() < 0.2 else str(rng.randint(0, 99)))
        return "".join(parts)

    cases = split_cases(rng, lambda rng: (expr(rng, level["depth"]),), 6)
    good = expr(rng, level["depth"])
    cases += [Case(("(" + good,), "unbalanced_hidden", False),
              Case((good + " " + ops[0]["sym"],), "dangling_operator_hidden", False),
              Case((good.replace(" ", "", 1) + " = 1",), "unknown_character_hidden", False)]
    table = "; ".join(f"a {o['sym']} b = {FUNCTIONS[o['fn']]} (level {o['prec']}, {o['assoc']}-associative)"
                      for o in ops)
    return Instance(spec=spec, input="a string `text`: an expression of non-negative decimal integers, binary "
                                     "operators and parentheses, with spaces or tabs anywhere between tokens",
                    output=(f"the integer value of the expression. Operators: {table}. A higher level binds "
                            "tighter; operators of one level group left to right when left-associative and "
                            "right to left when right-associative. Parentheses group as usual. After every "
                            f"operation the result is reduced modulo {spec['mod']} to a value in "
                            f"0..{spec['mod'] - 1} (so -3 becomes {spec['mod'] - 3}). Raise an exception "
                            "(Python) / throw an Error (JavaScript) on any other character, unbalanced "
                            "parentheses, a missing operand or an operator where a number belongs."),
                    cases=cases)
