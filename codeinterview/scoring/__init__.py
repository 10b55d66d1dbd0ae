"""Scorings: the rules that turn what an answer's checks returned into credit.

`evaluate.py --scoring NAME` picks one; the grading config records it, so an
eval record says which scoring graded it and a resume with another is refused.

  codeinterview  (default) our documented rules: the answer is loaded once and
                 bound to the function the Signature names; a check earns its
                 whole weight or nothing (grading.py).
  can-ai-code    can-ai-code's evaluate.py rules, so numbers compare with its
                 leaderboard (canaicode.py).
"""

from __future__ import annotations

from enum import Enum


class Scoring(str, Enum):
    CODEINTERVIEW = "codeinterview"
    CAN_AI_CODE = "can-ai-code"

    __str__ = str.__str__


SCORINGS = tuple(s.value for s in Scoring)  # the --scoring choices
