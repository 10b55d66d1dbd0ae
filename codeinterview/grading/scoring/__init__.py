"""Scorings: the rules that turn what an answer's checks returned into credit.

`evaluate.py --scoring NAME` picks one; the grading config records it, so an
eval record says which scoring graded it and a resume with another is refused.
Each is a module with one function grading a function question's extracted
code, registered in SCORINGS (a new scoring: one module, one `.add` line here;
`Scoring` is the type of a registered scoring's name):

  codeinterview  (default) our documented rules: the answer is loaded once and
                 bound to the function the Signature names; a check earns its
                 whole weight or nothing (codeinterview.py).
  can-ai-code    can-ai-code's evaluate.py rules, so numbers compare with its
                 leaderboard (canaicode.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from ...registry import Registry

if TYPE_CHECKING:
    from ...questions import Question
    from ...sandbox.types import Limits, Sandbox


class ScoringFunction(Protocol):
    def __call__(self, sandbox: "Sandbox", question: "Question", language: str, code: str,
                 limits: "Limits") -> dict[str, Any]:
        """The eval fields (code, checks, status, passed, total, score, ...) of extracted code."""


SCORINGS: Registry[ScoringFunction] = Registry("scoring", __name__, flag="--scoring")
SCORINGS.add("codeinterview", ".codeinterview:grade_function",
             summary="our rules: the function the Signature names, a check's whole weight or nothing")
SCORINGS.add("can-ai-code", ".canaicode:grade_canaicode",
             summary="can-ai-code's evaluate.py rules, to compare with its leaderboard")


class Scoring(str):
    """A registered scoring's name: Scoring("nope") is the UserError that lists the known ones."""

    def __new__(cls, name: str) -> "Scoring":
        return super().__new__(cls, SCORINGS.canonical(str(name)))

    @property
    def value(self) -> str:
        return str(self)


DEFAULT_SCORING = Scoring("codeinterview")
