"""The feedback executor: wraps any executor and sends sandbox errors back to it.

For each question: ask the inner executor, grade the answer in the sandbox
(grading.grade_answer, the evaluate stage's own grader), and when it does not
pass, continue the conversation with a feedback message rendered from a
template in prompts/ (for completion prompts: a fresh prompt holding the
previous code and its verdict). Stops at the first pass or after
--max-attempts. With --n-candidates N each attempt asks N times and keeps the
best-scoring answer, whose failure is fed back (as LLMcoder does). With
--lint ruff,mypy the code is also read by static analyzers (codeinterview.lint)
and their findings join the feedback.

The record's answer is the last attempt's; every attempt (answer, code,
verdict, feedback sent, tokens, latency) is kept in `attempts`, and `usage` and
`latency_s` add up all attempts. `feedback` records the policy used.

Resume: each finished attempt is appended (and flushed) to a journal beside
the output, OUTPUT.attempts.ndjson. The main output only holds finished
questions, so a killed run restarts each unfinished question after its last
journaled attempt instead of asking the model again.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from pathlib import Path
from typing import Any

from ..errors import InfrastructureError, UserError
from ..feedback import REVEAL, FeedbackTemplate, verdict
from ..grading import grade_answer
from ..verdicts import VerdictCache
from ..grading_config import GradingConfig
from ..lint import lint, parse_linters
from ..questions import question_from_fields
from ..records import Status
from . import get_executor_class
from .base import Answer, Executor, Request

log = logging.getLogger(__name__)

class FeedbackExecutor(Executor):
    name = "feedback"
    needs_model = False   # the inner executor decides
    grades_answers = True  # interview.py hands it the grading config (evaluate.py's flags)

    def __init__(self, model=None, params=None, concurrency=1, lenient=False, *,
                 inner: str | None = None, max_attempts: int | None = None,
                 feedback_template: str | None = None, reveal: str | None = None,
                 n_candidates: int | None = None, lint: str | list[str] | None = None,
                 grading: GradingConfig | None = None, **inner_options: Any):
        if not inner:
            raise UserError("executor 'feedback' needs --inner NAME, the executor that answers "
                            "(e.g. --inner openai)")
        if inner == self.name:
            raise UserError("--inner feedback: the feedback executor cannot wrap itself")
        inner_class = get_executor_class(inner)
        # The wrapper honours exactly what the model behind it honours.
        self.supported_params = inner_class.supported_params
        super().__init__(model, params, concurrency, lenient)
        self.max_attempts = 3 if max_attempts is None else int(max_attempts)
        self.n_candidates = 1 if n_candidates is None else int(n_candidates)
        self.reveal = reveal or "visible"
        if self.max_attempts < 1:
            raise UserError("--max-attempts must be at least 1")
        if self.n_candidates < 1:
            raise UserError("--n-candidates must be at least 1")
        if self.reveal not in REVEAL:
            raise UserError(f"--reveal {self.reveal}: choose one of {', '.join(REVEAL)}")
        self.linters = parse_linters(lint)
        self.template_name = feedback_template
        self._templates: dict[tuple[bool, bool], FeedbackTemplate] = {}
        if feedback_template:  # a wrong name or kind fails now, not after the first answer
            FeedbackTemplate(feedback_template, chat=_template_is_chat(feedback_template))
        self.inner = inner_class(model=model, params=self.params, concurrency=1, lenient=lenient,
                                 **inner_options)
        self.model = self.inner.model
        self.grading = grading or GradingConfig()
        self.limits = self.grading.limits
        self._timing = self.grading.relative_timeout()
        self._verdicts = VerdictCache()  # attempts identical to an earlier one take its verdict
        self._sandbox = None
        self._lock = threading.Lock()
        self.journal: Journal | None = None

    # --- provenance ---

    def policy(self) -> dict[str, Any]:
        """What every record says about how it was interviewed (its `feedback` field)."""
        return {"inner": self.inner.name, "max_attempts": self.max_attempts, "reveal": self.reveal,
                "template": self.template_name, "n_candidates": self.n_candidates,
                "lint": self.linters}

    def describe(self) -> dict[str, Any]:
        inner = self.inner.describe()
        return {**inner, "executor": self.name, "feedback": self.policy(),
                "feedback_grading": self.grading.identity()}

    def use_journal(self, output: str | Path) -> Path:
        """Journal attempts beside `output` (interview.py calls this once it knows the output)."""
        fingerprint = json.dumps([self.describe(), self.params], sort_keys=True, default=str)
        self.journal = Journal(Path(str(output)).with_suffix(".attempts.ndjson"),
                               hashlib.sha256(fingerprint.encode()).hexdigest()[:16],
                               fresh=not Path(output).exists())
        return self.journal.path

    # --- the loop ---

    def ask(self, request: Request) -> Answer:
        record = request.record
        language = str(record.get("language"))
        fields = record.get("question")
        if not isinstance(fields, dict) or ("Checks" not in fields and fields.get("Kind") != "program"):
            raise UserError(f"record {request.key} carries no question with checks or tests; the "
                            "feedback executor needs records written by prepare.py")
        question = question_from_fields(str(record.get("name")), fields, str(record.get("suite")),
                                        f"record {request.key}")
        code_prefix = record.get("code_prefix")
        template = self._template(request.is_chat, question.kind == "program")
        attempts = self.journal.done(request.key) if self.journal else []
        prompt = request.prompt
        for past in attempts:  # rebuild the conversation the journal left off at
            prompt, code_prefix = _next_prompt(prompt, past, request.is_chat, code_prefix)
        while not _finished(attempts, self.max_attempts):
            number = len(attempts) + 1
            attempt = {"attempt": number,
                       **self._attempt(request, prompt, question, language, code_prefix)}
            if attempt["status"] != Status.PASS and number < self.max_attempts \
                    and attempt["finish_reason"] != "error":
                feedback, prefix = template.render(
                    question, language, attempt["graded"], attempt["answer"], number,
                    self.max_attempts, self.reveal, self.limits.check_timeout_s,
                    attempt.get("lint") or [])
                attempt["feedback"] = feedback
                if not request.is_chat:
                    attempt["next_code_prefix"] = prefix
            attempt.pop("graded")
            if self.journal:
                self.journal.append(request.key, attempt)
            attempts.append(attempt)
            prompt, code_prefix = _next_prompt(prompt, attempt, request.is_chat, code_prefix)
        return _final_answer(request.key, attempts)

    def _attempt(self, request: Request, prompt, question, language: str,
                 code_prefix: str | None) -> dict[str, Any]:
        """Ask n candidates, grade each, keep the best (the first of equals)."""
        candidates = []
        for _ in range(self.n_candidates):
            answer = self.inner._timed_ask(Request(request.key, prompt, request.sample, request.record))
            graded = self._grade(question, language, answer.text, code_prefix)
            candidates.append((answer, graded))
        best = max(range(len(candidates)), key=lambda i: (candidates[i][1]["status"] == Status.PASS,
                                                         candidates[i][1]["score"], -i))
        answer, graded = candidates[best]
        attempt = {
            "answer": answer.text, "code": graded.get("code"), "code_prefix": code_prefix,
            "status": graded["status"], "passed": graded["passed"], "total": graded["total"],
            "score": graded["score"],
            "verdict": verdict(graded, question, language, self.reveal, self.limits.check_timeout_s),
            "feedback": None, "finish_reason": answer.finish_reason,
            "usage": _sum_usage([a for a, _ in candidates]),
            "latency_s": round(sum(a.latency_s or 0 for a, _ in candidates), 4),
            "retries": sum(a.retries for a, _ in candidates), "params_sent": answer.params_sent,
            "graded": graded,
        }
        if self.linters:
            attempt["lint"] = lint(self.linters, graded.get("code"), language,
                                   _preamble(question, language, graded.get("code")))
        if answer.reasoning:
            attempt["reasoning"] = answer.reasoning
        if len(candidates) > 1:
            attempt["best_candidate"] = best
            attempt["candidates"] = [{"answer": a.text, "status": g["status"], "score": g["score"],
                                      "usage": _sum_usage([a]), "latency_s": a.latency_s}
                                     for a, g in candidates]
        return attempt

    def _grade(self, question, language: str, text: str, code_prefix: str | None) -> dict[str, Any]:
        """Grade in the sandbox; an infrastructure error is retried once, then stops the run
        (it is never fed back to the model as its own failure)."""
        for _ in range(2):
            graded = grade_answer(self._pool(), question, language, text, code_prefix, self.limits,
                                  self._timing, self.grading.scoring, verdicts=self._verdicts)
            if graded["status"] != Status.SANDBOX_ERROR:
                return graded
        raise InfrastructureError(f"the sandbox failed while grading {question.suite}/{question.name} "
                                  f"({graded.get('error')})")

    def _pool(self):
        """The sandbox pool, started on first use (a resumed run may never need it)."""
        with self._lock:
            if self._sandbox is None:
                self._sandbox = self.grading.open_sandbox(self.concurrency)
            return self._sandbox

    def _template(self, chat: bool, program: bool) -> FeedbackTemplate:
        with self._lock:
            if (chat, program) not in self._templates:
                self._templates[chat, program] = FeedbackTemplate(self.template_name, chat, program)
            return self._templates[chat, program]

    def close(self) -> None:
        if self._sandbox is not None:
            self._sandbox.close()
            self._sandbox = None
        if self.journal:
            self.journal.close()
        self.inner.close()


def _template_is_chat(name: str) -> bool:
    from ..templates import load_template
    from ..feedback import FEEDBACK_VARIABLES

    return load_template(name, FEEDBACK_VARIABLES).kind == "chat"


def _preamble(question, language: str, code: str | None) -> str:
    """What a benchmark's test program runs before the answer's code (its prompt,
    with the imports the answer may rely on); nothing for a function question."""
    if question.kind != "program" or not code:
        return ""
    from ..benchmarks.program import assemble

    body = assemble(question, language, code)
    return body[:-len(code)] if body and body.endswith(code) else ""


def _finished(attempts: list[dict[str, Any]], max_attempts: int) -> bool:
    if not attempts:
        return False
    last = attempts[-1]
    return (last["status"] == Status.PASS or len(attempts) >= max_attempts
            or last.get("finish_reason") == "error"    # the prompt itself was refused
            or last.get("feedback") is None)           # nothing more to say (e.g. resumed with fewer attempts)


def _next_prompt(prompt, attempt: dict[str, Any], chat: bool, code_prefix: str | None):
    """The prompt (and code prefix) for the attempt after `attempt`."""
    if attempt.get("feedback") is None:
        return prompt, code_prefix
    if chat:  # continue the same conversation
        return ([*prompt, {"role": "assistant", "content": attempt["answer"]}, *attempt["feedback"]],
                code_prefix)
    return attempt["feedback"], attempt.get("next_code_prefix")


def _sum_usage(answers: list[Answer]) -> dict[str, int | None]:
    def total(values):
        values = list(values)
        return None if any(v is None for v in values) else sum(values)

    return {"prompt_tokens": total(a.prompt_tokens for a in answers),
            "completion_tokens": total(a.completion_tokens for a in answers)}


def _final_answer(key: str, attempts: list[dict[str, Any]]) -> Answer:
    last = attempts[-1]

    def total(field):
        values = [(a.get("usage") or {}).get(field) for a in attempts]
        return None if any(v is None for v in values) else sum(values)

    return Answer(key=key, text=last["answer"], finish_reason=last.get("finish_reason"),
                  prompt_tokens=total("prompt_tokens"), completion_tokens=total("completion_tokens"),
                  latency_s=round(sum(a.get("latency_s") or 0 for a in attempts), 4),
                  reasoning=last.get("reasoning"), retries=sum(a.get("retries", 0) for a in attempts),
                  params_sent=last.get("params_sent") or {}, extra={"attempts": attempts})


class Journal:
    """Finished attempts, one JSON line each, appended and flushed as they happen.

    Lines carry the run's fingerprint (executor, model, params, feedback
    policy); lines of another run are ignored. A torn last line is ignored.
    """

    def __init__(self, path: Path, fingerprint: str, fresh: bool):
        self.path = path
        self.fingerprint = fingerprint
        self._lock = threading.Lock()
        self._attempts: dict[str, list[dict[str, Any]]] = {}
        if fresh and path.exists():
            path.unlink()  # a journal without its output belongs to an earlier, discarded run
        if path.exists():
            self._load()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._handle = self.path.open("a", encoding="utf-8")

    def _load(self) -> None:
        data = self.path.read_bytes()
        if data and not data.endswith(b"\n"):  # torn by a kill: cut it off before appending
            data = data[:data.rfind(b"\n") + 1]
            with self.path.open("r+b") as handle:
                handle.truncate(len(data))
        ignored = 0
        for line in data.splitlines():
            try:
                entry = json.loads(line)
            except json.JSONDecodeError:
                raise UserError(f"{self.path}: malformed journal line; remove the file to start "
                                "the unfinished questions afresh") from None
            if entry.get("fingerprint") != self.fingerprint:
                ignored += 1
                continue
            done = self._attempts.setdefault(entry["key"], [])
            if entry["attempt"]["attempt"] == len(done) + 1:
                done.append(entry["attempt"])
        if ignored:
            log.warning("%s: ignoring %d attempts journaled by a different run", self.path, ignored)

    @staticmethod
    def _slot(key: str) -> str:
        """The request key without its run id: a run killed before its first
        record was written resumes as a new instance, with the same fingerprint."""
        return key.split("|", 1)[-1]

    def done(self, key: str) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._attempts.get(self._slot(key), []))

    def append(self, key: str, attempt: dict[str, Any]) -> None:
        line = json.dumps({"key": self._slot(key), "fingerprint": self.fingerprint, "attempt": attempt},
                          ensure_ascii=False, default=str)
        with self._lock:
            self._handle.write(line + "\n")
            self._handle.flush()
            self._attempts.setdefault(key, []).append(attempt)

    def close(self) -> None:
        with self._lock:
            if not self._handle.closed:
                self._handle.close()
