"""A human reviewer in the terminal (--review), as the pseudocode feedback loop
of the systems this project descends from has it (`review=True`).

Each graded answer is shown in rich panels: the question, the code with its
syntax coloured, the sandbox's verdict. The reviewer then types feedback for
the model, or nothing to approve. rich is imported only when a review starts
(pip install 'codeinterview[review]'). review_attempt() turns the reviewer's
words into the attempt's feedback: the model's next turn (with the sandbox's
verdict under --review-with-verdict); an empty reply approves.
"""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass
from typing import Any, TextIO

from ..errors import UserError

PROMPT = "feedback for the model, empty to approve"
HTTP_LOGGERS = ("httpx", "httpx2", "httpcore")   # a line per request would scroll the review away


@dataclass
class Shown:
    """What one review shows."""
    title: str          # e.g. "t/Add python - attempt 2 of 3"
    question: str
    language: str
    code: str
    status: str
    verdict: str


class Reviewer:
    def __init__(self, stdin: TextIO | None = None, stdout: TextIO | None = None):
        try:
            from rich.console import Console
        except ModuleNotFoundError:
            raise UserError("--review needs the Python package 'rich': "
                            "pip install 'codeinterview[review]'") from None
        self.stdin = stdin or sys.stdin
        if stdin is None and not self.stdin.isatty():
            raise UserError("--review asks a person at a terminal, but stdin is not one; run "
                            "interview.py in a terminal (or without --review)")
        self.console = Console(file=stdout or sys.stderr, highlight=False)
        for name in HTTP_LOGGERS:
            logging.getLogger(name).setLevel(logging.WARNING)

    def ask(self, shown: Shown) -> str:
        """The reviewer's feedback ("" approves)."""
        from rich.panel import Panel
        from rich.syntax import Syntax
        from rich.text import Text  # plain text: brackets in a question are not rich markup

        style = "green" if shown.status == "pass" else "red"
        self.console.rule(Text(shown.title))
        self.console.print(Panel(Text(shown.question.strip()), title="Question", border_style="blue"))
        self.console.print(Panel(Syntax(shown.code or "(no code found)", shown.language,
                                        line_numbers=True, word_wrap=True),
                                 title="Code Review", border_style="cyan"))
        self.console.print(Panel(Text(shown.verdict.strip() or shown.status),
                                 title=Text(f"Sandbox verdict: {shown.status}"), border_style=style))
        self.console.print(f"[bold]{PROMPT}[/bold]: ", end="")
        line = self.stdin.readline()
        if not line:
            raise UserError("--review: the terminal closed before the review was given; "
                            "run the same command again to continue at this answer")
        return line.strip()


def question_text(prompt: Any) -> str:
    """The question as the model first read it: the first user message, or the text prompt."""
    if isinstance(prompt, str):
        return prompt
    return next((m["content"] for m in prompt if m.get("role") == "user"), "")


def review_attempt(reviewer: Reviewer, attempt: dict[str, Any], *, suite: str, name: str, language: str,
                   prompt: Any, max_attempts: int, with_verdict: bool) -> dict[str, Any]:
    """Show one attempt; the fields it gains (`review`, `feedback`: the reviewer's words as
    the next turn). The sandbox's feedback, if any, was rendered with the attempt."""
    number = attempt["attempt"]
    rendered = attempt.get("feedback") or []
    verdict_text = "\n\n".join(m["content"] for m in rendered) or attempt["verdict"].get("summary", "")
    text = reviewer.ask(Shown(
        title=f"{suite}/{name} {language} - attempt {number} of {max_attempts}",
        question=question_text(prompt), language=language,
        code=attempt.get("code") or attempt["answer"], status=str(attempt["status"]),
        verdict=verdict_text))
    review: dict[str, Any] = {"approved": not text, "text": text or None, "with_verdict": with_verdict}
    feedback = None
    if text and number < max_attempts:
        content = "\n\n".join([text, *(m["content"] for m in rendered)]) if with_verdict else text
        feedback = [{"role": "user", "content": content}]
    return {"review": review, "feedback": feedback}
