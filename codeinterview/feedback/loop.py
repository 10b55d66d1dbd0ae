"""The feedback loop: ask, grade in the sandbox, feed the verdict back.

For each question: ask the answering executor, grade the answer in the sandbox
(grading.answer.grade_answer, the evaluate stage's own grader), and when it
does not pass, continue the conversation with a feedback message rendered from
a template in prompts/ (text.FeedbackTemplate; for completion prompts, a fresh
prompt holding the previous code and its verdict). The linear loop stops at
the first pass or after max_attempts. With n_candidates N each attempt asks N
times and keeps the best-scoring answer, whose failure is fed back (as LLMcoder
does). With linters (codeinterview.lint) the code is also read by static
analyzers and their findings join the feedback. tree.py drives the same
attempts as a tree search; review.py puts a person in the loop; journal.py
keeps finished attempts for a resume.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Callable, Optional

from ..errors import InfrastructureError, UserError
from ..executors.base import Answer, Executor, Request
from ..extract import extract_code
from ..grading.answer import grade_answer
from ..grading.config import GradingConfig
from ..grading.program import assemble
from ..grading.verdicts import VerdictCache
from ..lint import lint
from ..questions import Question, question_from_fields
from ..records import Status
from ..sandbox.types import Sandbox
from .journal import Journal
from .review import Reviewer, review_attempt
from .sampling import Sampling
from .text import FeedbackTemplate, verdict

FIRST, REPAIR = "first", "repair"   # which model answers: the first answer, or a repair

# The executor for a role (FIRST or REPAIR) at a sampling (None: the run's own parameters).
Answerer = Callable[[str, Optional[Sampling]], Executor]


@dataclass
class Asked:
    """One question being worked on."""
    request: Request
    question: Question
    language: str
    template: FeedbackTemplate


@dataclass
class Candidate:
    """One model call and its grade (`graded`: grade_answer's fields, plus "lint")."""
    answer: Answer
    graded: dict[str, Any]


class SandboxGrader:
    """Grades attempts as evaluate.py would (the same GradingConfig); the sandbox
    pool starts on first use (a resumed run may never need it)."""

    def __init__(self, grading: GradingConfig, workers: int):
        self.grading, self.workers = grading, workers
        self.limits = grading.limits
        self.timing = grading.relative_timeout()
        self.verdicts = VerdictCache()  # attempts identical to an earlier one take its verdict
        self._sandbox: Sandbox | None = None
        self._lock = threading.Lock()

    def grade(self, question: Question, language: str, text: str, code_prefix: str | None) -> dict[str, Any]:
        """An infrastructure error is retried once, then stops the run (it is never fed
        back to the model as its own failure)."""
        for _ in range(2):
            graded = grade_answer(self._pool(), question, language, text, code_prefix, self.limits,
                                  self.timing, self.grading.scoring, verdicts=self.verdicts)
            if graded["status"] != Status.SANDBOX_ERROR:
                return graded
        raise InfrastructureError(f"the sandbox failed while grading {question.suite}/{question.name} "
                                  f"({graded.get('error')})")

    def _pool(self) -> Sandbox:
        with self._lock:
            if self._sandbox is None:
                self._sandbox = self.grading.open_sandbox(self.workers)
            return self._sandbox

    def close(self) -> None:
        if self._sandbox is not None:
            self._sandbox.close()
            self._sandbox = None


class FeedbackLoop:
    """The attempts of one question at a time (thread-safe across questions)."""

    def __init__(self, answerer: Answerer, grading: GradingConfig, *, max_attempts: int, n_candidates: int,
                 reveal: str, template: str | None, linters: list[str], concurrency: int,
                 reviewer: Reviewer | None = None, review_with_verdict: bool = False):
        self.answerer = answerer
        self.grader = SandboxGrader(grading, concurrency)
        self.limits = grading.limits
        self.max_attempts, self.n_candidates, self.reveal = max_attempts, n_candidates, reveal
        self.template_name = template
        self.linters = linters
        self.reviewer = reviewer
        self.review_with_verdict = review_with_verdict
        self.journal: Journal | None = None
        self._templates: dict[tuple[bool, str], FeedbackTemplate] = {}
        self._lock = threading.Lock()
        # the analyzers read each answer on the host while the sandbox grades it
        self._analyzing = ThreadPoolExecutor(concurrency, thread_name_prefix="analyze") if linters else None

    # --- one question ---

    def start(self, request: Request) -> tuple[Asked, list[dict[str, Any]]]:
        """The question a request asks, and its attempts journaled by an earlier run."""
        record = request.record
        fields = record.get("question")
        tested = isinstance(fields, dict) and ("Checks" in fields or fields.get("Kind") in ("program", "exercise"))
        if not tested:
            raise UserError(f"record {request.key} carries no question with checks or tests; the "
                            "feedback executor needs records written by prepare.py")
        if self.reviewer and not request.is_chat:
            raise UserError(f"record {request.key}: --review sends the reviewer's words as the next "
                            "message of a conversation; prepare the prompts with a chat template")
        question = question_from_fields(str(record.get("name")), fields, str(record.get("suite")),
                                        f"record {request.key}")
        asked = Asked(request, question, str(record.get("language")),
                      self.template(request.is_chat, question.kind))
        return asked, self.journal.done(request.key) if self.journal else []

    def linear(self, asked: Asked, attempts: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """One conversation, attempt after attempt (with a reviewer, the person's)."""
        request = asked.request
        prompt, code_prefix = request.prompt, request.record.get("code_prefix")
        for past in attempts:  # rebuild the conversation the journal left off at
            if self.reviewer and "review" not in past:  # killed while it waited for its review
                self.review(asked, past)
            prompt, code_prefix = next_prompt(prompt, past, request.is_chat, code_prefix)
        while not finished(attempts, self.max_attempts, self.reviewer is not None):
            number = len(attempts) + 1
            attempt = {"attempt": number,
                       **self.attempt(asked, prompt, code_prefix, FIRST if number == 1 else REPAIR)}
            self.add_feedback(asked, attempt, number)
            self.record(asked, attempt)
            if self.reviewer:
                self.review(asked, attempt)
            attempts.append(attempt)
            prompt, code_prefix = next_prompt(prompt, attempt, request.is_chat, code_prefix)
        return attempts

    # --- one attempt ---

    def attempt(self, asked: Asked, prompt: Any, code_prefix: str | None, role: str) -> dict[str, Any]:
        """Ask n candidates, grade each, keep the best (the first of equals)."""
        candidates = [self.call(asked, prompt, code_prefix, self.answerer(role, None))
                      for _ in range(self.n_candidates)]
        best = max(range(len(candidates)), key=lambda i: (candidates[i].graded["status"] == Status.PASS,
                                                         candidates[i].graded["score"], -i))
        attempt = self.describe(asked, candidates[best], code_prefix)
        answers = [c.answer for c in candidates]
        attempt["usage"] = sum_usage(answers)
        attempt["latency_s"] = round(sum(a.latency_s or 0 for a in answers), 4)
        attempt["retries"] = sum(a.retries for a in answers)
        if len(candidates) > 1:
            attempt["best_candidate"] = best
            attempt["candidates"] = [{"answer": c.answer.text, "status": c.graded["status"],
                                      "score": c.graded["score"], "usage": sum_usage([c.answer]),
                                      "latency_s": c.answer.latency_s} for c in candidates]
        return attempt

    def call(self, asked: Asked, prompt: Any, code_prefix: str | None, answerer: Executor) -> Candidate:
        """Ask, then grade in the sandbox while the analyzers (linters) read the same code
        on the host; their findings go into `graded` under "lint"."""
        request = asked.request
        answer = answerer.ask_timed(Request(request.key, prompt, request.sample, request.record))
        findings = None
        if self._analyzing is not None:
            question, language = asked.question, asked.language
            code = extract_code(answer.text, language, question.function_name, code_prefix)
            findings = self._analyzing.submit(lint, self.linters, code, language,
                                              preamble(question, language, code))
        graded = self.grader.grade(asked.question, asked.language, answer.text, code_prefix)
        if findings is not None:
            graded["lint"] = findings.result()
        return Candidate(answer, graded)

    def describe(self, asked: Asked, candidate: Candidate, code_prefix: str | None) -> dict[str, Any]:
        """One answer's attempt record (its `graded` is dropped once feedback is rendered)."""
        answer, graded = candidate.answer, candidate.graded
        attempt = {
            "answer": answer.text, "code": graded.get("code"), "code_prefix": code_prefix,
            "status": graded["status"], "passed": graded["passed"], "total": graded["total"],
            "score": graded["score"],
            "verdict": verdict(graded, asked.question, asked.language, self.reveal,
                               self.limits.check_timeout_s),
            "feedback": None, "finish_reason": answer.finish_reason,
            "usage": sum_usage([answer]), "latency_s": answer.latency_s, "retries": answer.retries,
            "params_sent": answer.params_sent, "graded": graded,
        }
        if "lint" in graded:
            attempt["lint"] = graded["lint"]
        if answer.reasoning:
            attempt["reasoning"] = answer.reasoning
        return attempt

    def add_feedback(self, asked: Asked, attempt: dict[str, Any], number: int, last: bool | None = None) -> None:
        """The feedback message(s) on a failed attempt, when another attempt may follow."""
        last = number >= self.max_attempts if last is None else last
        if attempt["status"] != Status.PASS and not last and attempt["finish_reason"] != "error":
            feedback, prefix = asked.template.render(
                asked.question, asked.language, attempt["graded"], attempt["answer"], number,
                self.max_attempts, self.reveal, self.limits.check_timeout_s, attempt.get("lint") or [])
            attempt["feedback"] = feedback
            if not asked.request.is_chat:
                attempt["next_code_prefix"] = prefix
        attempt.pop("graded", None)

    def record(self, asked: Asked, attempt: dict[str, Any]) -> None:
        """Journal a finished attempt (when the run keeps a journal)."""
        if self.journal:
            self.journal.append(asked.request.key, attempt)

    def review(self, asked: Asked, attempt: dict[str, Any]) -> None:
        """The reviewer's words on the attempt become its feedback (journaled as an amendment)."""
        assert self.reviewer is not None
        fields = review_attempt(self.reviewer, attempt, suite=asked.question.suite, name=asked.question.name,
                                language=asked.language, prompt=asked.request.prompt,
                                max_attempts=self.max_attempts, with_verdict=self.review_with_verdict)
        attempt.update(fields)
        if self.journal:
            self.journal.amend(asked.request.key, attempt["attempt"], fields)

    def template(self, chat: bool, kind: str) -> FeedbackTemplate:
        with self._lock:
            if (chat, kind) not in self._templates:
                self._templates[chat, kind] = FeedbackTemplate(self.template_name, chat, kind == "program",
                                                               kind == "exercise")
            return self._templates[chat, kind]

    def close(self) -> None:
        if self._analyzing is not None:
            self._analyzing.shutdown()
        self.grader.close()
        if self.journal:
            self.journal.close()


def preamble(question: Question, language: str, code: str | None) -> str:
    """What a benchmark's test program runs before the answer's code (its prompt,
    with the imports the answer may rely on); nothing for a function question."""
    if question.kind != "program" or not code:
        return ""
    body = assemble(question, language, code)
    return body[:-len(code)] if body and body.endswith(code) else ""


def finished(attempts: list[dict[str, Any]], max_attempts: int, review: bool = False) -> bool:
    if not attempts:
        return False
    last = attempts[-1]
    return ((last["status"] == Status.PASS and not review)   # a reviewer may still ask for more
            or len(attempts) >= max_attempts
            or last.get("finish_reason") == "error"    # the prompt itself was refused
            or last.get("feedback") is None)           # nothing more to say (e.g. resumed with fewer attempts)


def next_prompt(prompt: Any, attempt: dict[str, Any], chat: bool, code_prefix: str | None) -> tuple[Any, str | None]:
    """The prompt (and code prefix) for the attempt after `attempt`."""
    if attempt.get("feedback") is None:
        return prompt, code_prefix
    if chat:  # continue the same conversation
        return ([*prompt, {"role": "assistant", "content": attempt["answer"]}, *attempt["feedback"]],
                code_prefix)
    return attempt["feedback"], attempt.get("next_code_prefix")


def sum_usage(answers: list[Answer]) -> dict[str, int | None]:
    def total(values):
        values = list(values)
        return None if any(v is None for v in values) else sum(values)

    return {"prompt_tokens": total(a.prompt_tokens for a in answers),
            "completion_tokens": total(a.completion_tokens for a in answers)}


def final_answer(key: str, attempts: list[dict[str, Any]], kept: int) -> Answer:
    """The record's answer is the kept attempt's (the last, for a linear loop); usage
    and latency add up every attempt."""
    last = attempts[kept - 1]

    def total(field):
        values = [(a.get("usage") or {}).get(field) for a in attempts]
        return None if any(v is None for v in values) else sum(values)

    return Answer(key=key, text=last["answer"], finish_reason=last.get("finish_reason"),
                  prompt_tokens=total("prompt_tokens"), completion_tokens=total("completion_tokens"),
                  latency_s=round(sum(a.get("latency_s") or 0 for a in attempts), 4),
                  reasoning=last.get("reasoning"), retries=sum(a.get("retries", 0) for a in attempts),
                  params_sent=last.get("params_sent") or {}, extra={"attempts": attempts})
