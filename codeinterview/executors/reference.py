"""The reference executor: answers with the question's own reference solution.

Used for the demo run and to self-test a suite (every reference answer must
pass every check). It samples nothing, so every parameter is trivially honoured.
A fill-in-the-middle prompt is answered with the hidden middle alone, raw, as
a FIM model answers.
"""

from __future__ import annotations

from ..errors import UserError
from ..exercises.files import render
from ..params import CANONICAL
from .base import Answer, Executor, Request


class ReferenceExecutor(Executor):
    name = "reference"
    supported_params = frozenset(CANONICAL)
    needs_model = False

    def ask(self, request: Request) -> Answer:
        record = request.record
        language = record.get("language")
        question = record.get("question") or {}
        if record.get("code_suffix") is not None:  # fill-in-the-middle: the middle, no fence
            middle = (question.get("Middle") or {}).get(language)
            if middle is None:
                raise UserError(f"question '{record.get('name')}' ({record.get('suite')}) has no Middle "
                                f"for {language}; use --executor replay or a model")
            return Answer(key=request.key, text=middle, finish_reason="stop", params_sent={})
        reference = question.get("Reference") or {}
        if question.get("Kind") == "exercise":  # files: each under its path, as an answer gives them
            if not reference:
                raise UserError(f"exercise '{record.get('name')}' ({record.get('suite')}) has no Reference; "
                                f"use --executor replay or a model")
            return Answer(key=request.key, text=render(reference, str(language)), finish_reason="stop", params_sent={})
        code = reference.get(language)
        if not code:
            raise UserError(f"question '{record.get('name')}' ({record.get('suite')}) has no Reference "
                            f"solution for {language}; use --executor replay or a model")
        return Answer(key=request.key, text=f"```{language}\n{code.rstrip()}\n```\n",
                      finish_reason="stop", params_sent={})
