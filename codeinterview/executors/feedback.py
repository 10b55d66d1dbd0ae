"""The feedback executor: wraps any executor and sends sandbox errors back to it.

The loop itself is codeinterview.feedback (loop, tree driver, review, journal,
feedback text); this module is the executor: its options, the executors it
wraps and the provenance its records carry.

For each question: ask the inner executor, grade the answer in the sandbox
(the evaluate stage's own grader), and when it does not pass, continue the
conversation with a feedback message rendered from a template in prompts/
(for completion prompts: a fresh prompt holding the previous code and its
verdict). Stops at the first pass or after --max-attempts. With
--n-candidates N each attempt asks N times and keeps the best-scoring answer,
whose failure is fed back (as LLMcoder does). With --lint ruff,mypy the code
is also read by static analyzers (codeinterview.lint) and their findings join
the feedback.

--search tree (feedback.tree) grows a tree of conversations instead:
each expansion asks --n-candidates answers with distinct sampling (a seed per
candidate, a temperature that rises when candidates repeat; a repeat is asked
again and never expanded), and the open node of best merit (sandbox score,
analyzer findings as tie-breakers; --meta-temperature T > 0 draws by a softmax)
is expanded next, so a dead end is left instead of repaired forever. There
--max-attempts counts model calls, and every call is one attempt (a node:
`attempt` is its id, `parent` the node it continues, 0 the question's prompt).

--feedback-model (with --feedback-executor, --feedback-base-url) asks another
model for the repairs; the first answers are the --model's. --review puts a
person in the loop (feedback.review): each answer is shown with its
verdict, and their words go back to the model as its next turn (with the
verdict under --review-with-verdict); an empty reply approves and ends the question.

The record's answer is the last attempt's; every attempt (answer, code,
verdict, feedback sent, tokens, latency) is kept in `attempts`, and `usage` and
`latency_s` add up all attempts. `feedback` records the policy used.

Resume: each finished attempt is appended (and flushed) to a journal beside
the output, OUTPUT.attempts.ndjson (feedback.journal; a review, given after
its attempt was journaled, is appended as an amendment of it). The main output
only holds finished questions, so a killed run restarts each unfinished
question after its last journaled attempt instead of asking the model again: a
tree search replays its journaled nodes through the same (seeded) choices, and
a half-reviewed question shows the answer left unreviewed.
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Mapping

from ..errors import UserError
from ..feedback.journal import Journal
from ..feedback.loop import FIRST, REPAIR, FeedbackLoop, final_answer
from ..feedback.review import Reviewer
from ..feedback.sampling import Sampling
from ..feedback.text import FEEDBACK_VARIABLES, REVEAL, FeedbackTemplate
from ..feedback.tree import grow
from ..grading.config import GradingConfig
from ..lint import parse_linters
from ..templates import load_template
from . import EXECUTORS
from .base import NOT_A_FLAG, Answer, Executor, Request

SEARCHES = ("linear", "tree")


@dataclass(frozen=True)
class FeedbackOptions:
    """The feedback executor's own options; any other option goes to the executors it wraps."""
    inner: str | None = None                  # the executor that answers
    max_attempts: int = 3
    feedback_template: str | None = None      # None: the prompt kind's default feedback template
    reveal: str = "visible"
    n_candidates: int = 1
    lint: str | list[str] | None = None
    search: str = "linear"
    meta_temperature: float = 0.0
    feedback_executor: str | None = None      # None: --inner
    feedback_model: str | None = None         # None: --model
    feedback_base_url: str | None = None      # None: --base-url
    review: bool | Reviewer = False           # a Reviewer may be handed in, reading another stream
    review_with_verdict: bool = False
    grading: GradingConfig | None = field(default=None, metadata=NOT_A_FLAG)  # None: evaluate's defaults
    # the languages its answers are graded in (interview.py: the input's), so the grading identity
    # names only their image families and an edit to another language's runner leaves it as it was
    grading_languages: tuple[str, ...] | None = field(default=None, metadata=NOT_A_FLAG)


class FeedbackExecutor(Executor):
    name = "feedback"
    needs_model = False   # the inner executor decides
    grades_answers = True  # interview.py hands it the grading config (evaluate.py's flags)
    Options = FeedbackOptions
    options: FeedbackOptions

    @classmethod
    def option_names(cls, given: Mapping[str, Any], *, flags_only: bool = False) -> list[str]:
        """Its own, and those of the executors it wraps (--inner, --feedback-executor)."""
        names = super().option_names(given, flags_only=flags_only)
        for wrapped in (given.get("inner"), given.get("feedback_executor")):
            if wrapped and wrapped in EXECUTORS and EXECUTORS.canonical(wrapped) != cls.name:
                names += [n for n in EXECUTORS.get(wrapped).option_names(given, flags_only=flags_only)
                          if n not in names]
        return names

    def __init__(self, model=None, params=None, concurrency=1, lenient=False, **options: Any):
        opts: FeedbackOptions = self.make_options(options)
        inner_options = {k: v for k, v in options.items() if k not in {f.name for f in fields(FeedbackOptions)}}
        inner, feedback_executor, review = opts.inner, opts.feedback_executor, opts.review
        feedback_template, feedback_model, feedback_base_url = \
            opts.feedback_template, opts.feedback_model, opts.feedback_base_url
        if not inner:
            raise UserError("executor 'feedback' needs --inner NAME, the executor that answers "
                            "(e.g. --inner openai)")
        if self.name in (inner, feedback_executor):
            raise UserError(f"--{'inner' if inner == self.name else 'feedback-executor'} feedback: "
                            "the feedback executor cannot wrap itself")
        inner_class = EXECUTORS.get(inner)
        # The wrapper honours exactly what the model behind it honours.
        self.supported_params = inner_class.supported_params
        super().__init__(model, params, concurrency, lenient)
        self.options = opts
        self.max_attempts = int(opts.max_attempts)
        self.n_candidates = int(opts.n_candidates)
        self.reveal = opts.reveal
        self.search = opts.search
        self.meta_temperature = float(opts.meta_temperature)
        self.review = bool(review or opts.review_with_verdict)
        self.review_with_verdict = bool(opts.review_with_verdict)
        if self.max_attempts < 1:
            raise UserError("--max-attempts must be at least 1")
        if self.n_candidates < 1:
            raise UserError("--n-candidates must be at least 1")
        if self.reveal not in REVEAL:
            raise UserError(f"--reveal {self.reveal}: choose one of {', '.join(REVEAL)}")
        if self.search not in SEARCHES:
            raise UserError(f"--search {self.search}: choose one of {', '.join(SEARCHES)}")
        if self.meta_temperature < 0 or (self.meta_temperature and self.search != "tree"):
            raise UserError("--meta-temperature must be 0 or more, and only applies to --search tree")
        if self.review and (self.search != "linear" or self.concurrency > 1):
            raise UserError("--review shows one answer at a time to one person: use it with "
                            "--search linear and --concurrency 1")
        self.linters = parse_linters(opts.lint)
        self.template_name = feedback_template
        if feedback_template:  # a wrong name or kind fails now, not after the first answer
            FeedbackTemplate(feedback_template, chat=_template_is_chat(feedback_template))
        self.inner = inner_class(model=model, params=self.params, concurrency=1, lenient=lenient,
                                 **inner_options)
        self.model = self.inner.model
        # (class, model, options) of each role; the repairs' model is the first's unless told
        self._roles: dict[str, tuple[type[Executor], str | None, dict[str, Any]]] = {
            FIRST: (inner_class, model, inner_options)}
        self._answerers: dict[tuple[str, str], Executor] = {}
        self.repairer: Executor | None = None
        if feedback_executor or feedback_model or feedback_base_url:
            repair_class = EXECUTORS.get(feedback_executor or inner)
            repair_options = {**inner_options, **({"base_url": feedback_base_url} if feedback_base_url else {})}
            self._roles[REPAIR] = (repair_class, feedback_model or model, repair_options)
            self.repairer = repair_class(model=feedback_model or model, params=self.params, concurrency=1,
                                         lenient=lenient, **repair_options)
        self.lenient = lenient
        # (a Reviewer may be handed in, reading another stream than the terminal's)
        self.reviewer = review if isinstance(review, Reviewer) else Reviewer() if self.review else None
        self.grading = opts.grading or GradingConfig()
        # (what describe() says of the grading: hashing the runner's files once, not per call)
        self.grading_identity = self.grading.identity(opts.grading_languages)
        self._lock = threading.Lock()
        self.journal: Journal | None = None
        self.loop = FeedbackLoop(self._answerer, self.grading, max_attempts=self.max_attempts,
                                 n_candidates=self.n_candidates, reveal=self.reveal, template=feedback_template,
                                 linters=self.linters, concurrency=self.concurrency, reviewer=self.reviewer,
                                 review_with_verdict=self.review_with_verdict)

    # --- provenance ---

    def policy(self) -> dict[str, Any]:
        """What every record says about how it was interviewed (its `feedback` field).
        Keys beyond the linear loop's appear only when used, so the identity of
        runs made before they existed is unchanged."""
        out: dict[str, Any] = {
            "inner": self.inner.name, "max_attempts": self.max_attempts, "reveal": self.reveal,
            "template": self.template_name, "n_candidates": self.n_candidates, "lint": self.linters}
        if self.search != "linear":
            out.update(search=self.search, meta_temperature=self.meta_temperature)
        if self.repairer is not None:
            out["feedback_model"] = {"executor": self.repairer.name, "model": self.repairer.model}
        if self.review:
            out["review"] = {"with_verdict": self.review_with_verdict}
        return out

    def describe(self) -> dict[str, Any]:
        inner = self.inner.describe()
        return {**inner, "executor": self.name, "feedback": self.policy(),
                "feedback_grading": self.grading_identity}

    def use_journal(self, output: str | Path) -> Path:
        """Journal attempts beside `output` (interview.py calls this once it knows the output)."""
        fingerprint = json.dumps([self.describe(), self.params], sort_keys=True, default=str)
        self.journal = self.loop.journal = Journal(Path(str(output)).with_suffix(".attempts.ndjson"),
                                                   hashlib.sha256(fingerprint.encode()).hexdigest()[:16],
                                                   fresh=not Path(output).exists())
        return self.journal.path

    # --- the loop (codeinterview.feedback) ---

    def ask(self, request: Request) -> Answer:
        asked, done = self.loop.start(request)
        if self.search == "tree":
            attempts, kept = grow(self.loop, asked, done, self.meta_temperature)
        else:
            attempts = self.loop.linear(asked, done)
            kept = len(attempts)
        return final_answer(request.key, attempts, kept)

    def _answerer(self, role: str, sampling: Sampling | None = None) -> Executor:
        """The executor for a role (the repairs' falls back to the first's), at a sampling:
        one per distinct override, built on first use (backends take parameters when built)."""
        role = role if role in self._roles else FIRST
        base = self.repairer if role == REPAIR and self.repairer is not None else self.inner
        overrides = sampling.overrides(self.params, base.supported_params) if sampling else {}
        if not overrides or all(self.params.get(k) == v for k, v in overrides.items()):
            return base
        key = (role, json.dumps(overrides, sort_keys=True))
        with self._lock:
            if key not in self._answerers:
                cls, model, options = self._roles[role]
                self._answerers[key] = cls(model=model, params={**self.params, **overrides}, concurrency=1,
                                           lenient=self.lenient, **options)
            return self._answerers[key]

    def close(self) -> None:
        self.loop.close()
        for executor in [self.inner, self.repairer, *self._answerers.values()]:
            if executor is not None:
                executor.close()
        self._answerers.clear()


def _template_is_chat(name: str) -> bool:
    return load_template(name, FEEDBACK_VARIABLES).kind == "chat"
