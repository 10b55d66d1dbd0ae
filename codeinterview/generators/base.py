"""What every generator shares: knobs, the instance it draws, and the one
function that turns an instance into an ordinary question (the can-ai-code
fields, Checks whose expected values come from the generator's own Python
reference, References in Python and JavaScript, and its provenance).

A generator's reference is one generic function per language, `solve(spec,
*args)`, written once in the module; a question's Reference is that function
with the instance's spec as a literal and a wrapper named as the Signature
says. The Python one also computes the expected values on the host (it is our
code, never the model's), so the Python and JavaScript references checked in
the sandbox are two independent implementations of the same text.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import random
from dataclasses import dataclass, field
from typing import Any, Callable, Protocol


@dataclass(frozen=True)
class Knob:
    name: str
    lo: int         # the default range lo..hi (what --generate NAME uses)
    hi: int
    limit: int      # the hardest value the generator can draw (epochs grow up to it)
    help: str
    floor: int = 0  # the easiest value it can draw
    step: int = 1   # the default grid's spacing

    def default_values(self) -> tuple[int, ...]:
        return tuple(range(self.lo, self.hi + 1, self.step))

    def describe(self) -> str:
        step = f"/{self.step}" if self.step != 1 else ""
        return f"{self.name}={self.lo}..{self.hi}{step} (any of {self.floor}..{self.limit}: {self.help})"


@dataclass(frozen=True)
class Case:
    """One call of the function under test; visible=False keeps it out of feedback."""
    args: tuple[Any, ...]
    name: str
    visible: bool = True


@dataclass
class Instance:
    """What a generator draws for one seed and one level."""
    spec: Any                # JSON-able data the references are parameterised by
    input: str               # the question's Input text
    output: str              # the question's Output text (the generated rules)
    cases: list[Case] = field(default_factory=list)


class Generator(Protocol):
    NAME: str
    VERSION: int
    SIGNATURE: str            # e.g. "run_program(program)"
    KNOBS: tuple[Knob, ...]
    JAVASCRIPT: str           # `function solve(spec, ...args) {...}`

    def draw(self, rng: random.Random, level: dict[str, int]) -> Instance: ...

    def solve(self, spec: Any, *args: Any) -> Any: ...
    # solve() is shipped as the Python reference: self-contained (helpers nested
    # inside), builtin types only, ValueError for an input the rules reject.


def rng_for(name: str, version: int, seed: int, level: dict[str, int], index: int) -> random.Random:
    """A generator's random stream for one instance: a pure function of what the record keeps."""
    key = json.dumps([name, version, seed, sorted(level.items()), index])
    return random.Random(int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big"))


def py_literal(value: Any) -> str:
    return repr(value)


def references(gen: Generator, spec: Any) -> dict[str, str]:
    function, args = gen.SIGNATURE.split("(")[0], gen.SIGNATURE.split("(")[1].rstrip(")")
    python = inspect.getsource(gen.solve).replace("def solve(", "def _solve(")
    python = f"{python}\n\nSPEC = {py_literal(spec)}\n\n\ndef {function}({args}):\n    return _solve(SPEC, {args})\n"
    javascript = gen.JAVASCRIPT.strip().replace("function solve(", "function _solve(")
    javascript = (f"{javascript}\n\nconst SPEC = {json.dumps(spec)};\n\n"
                  f"function {function}({args}) {{\n  return _solve(SPEC, {args});\n}}\n")
    return {"python": python, "javascript": javascript}


def question_fields(gen: Generator, instance: Instance, provenance: dict[str, Any]) -> dict[str, Any]:
    """The question as a YAML suite would hold it (plus `Generator`, its provenance)."""
    checks: dict[str, Any] = {}
    for case in instance.cases:
        expr = f"f.call({', '.join(py_literal(a) for a in case.args)})"
        try:
            expected: dict[str, Any] = {"eq": gen.solve(instance.spec, *case.args)}
        except ValueError:  # the rules reject this input: the answer must raise too
            expected = {"raises": True}
        checks[case.name] = {"assert": expr, **expected, **({} if case.visible else {"visible": False})}
    return {"Signature": gen.SIGNATURE, "Input": instance.input, "Output": instance.output,
            "Checks": checks, "Reference": references(gen, instance.spec), "Generator": provenance}


def split_cases(rng: random.Random, make: Callable[[random.Random], tuple[Any, ...]], count: int,
                prefix: str = "case") -> list[Case]:
    """`count` drawn cases, the first half visible, the rest hidden (hidden checks at every level)."""
    visible = max(1, count // 2)
    return [Case(make(rng), f"{prefix}_{i}" if i < visible else f"{prefix}_{i}_hidden", i < visible)
            for i in range(count)]
