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

--search tree (codeinterview.search) grows a tree of conversations instead:
each expansion asks --n-candidates answers with distinct sampling (a seed per
candidate, a temperature that rises when candidates repeat; a repeat is asked
again and never expanded), and the open node of best merit (sandbox score,
analyzer findings as tie-breakers; --meta-temperature T > 0 draws by a softmax)
is expanded next, so a dead end is left instead of repaired forever. There
--max-attempts counts model calls, and every call is one attempt (a node:
`attempt` is its id, `parent` the node it continues, 0 the question's prompt).

--feedback-model (with --feedback-executor, --feedback-base-url) asks another
model for the repairs; the first answers are the --model's. --review puts a
person in the loop (codeinterview.search.review): each answer is shown with its
verdict, and their words go back to the model as its next turn (with the
verdict under --review-with-verdict); an empty reply approves and ends the question.

The record's answer is the last attempt's; every attempt (answer, code,
verdict, feedback sent, tokens, latency) is kept in `attempts`, and `usage` and
`latency_s` add up all attempts. `feedback` records the policy used.

Resume: each finished attempt is appended (and flushed) to a journal beside
the output, OUTPUT.attempts.ndjson (a review, given after its attempt was
journaled, is appended as an amendment of it). The main output only holds
finished questions, so a killed run restarts each unfinished question after its
last journaled attempt instead of asking the model again: a tree search replays
its journaled nodes through the same (seeded) choices, and a half-reviewed
question shows the answer left unreviewed.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Mapping

from ..errors import InfrastructureError, UserError
from ..extract import extract_code
from ..feedback import REVEAL, FeedbackTemplate, verdict
from ..grading import grade_answer
from ..verdicts import VerdictCache
from ..grading_config import GradingConfig
from ..lint import lint, parse_linters
from ..questions import Question, question_from_fields
from ..records import Status
from ..search.review import Reviewer, Shown, question_text
from ..search.sampling import Sampler, Sampling
from ..search.tree import Tree
from . import EXECUTORS
from .base import NOT_A_FLAG, Answer, Executor, Request

log = logging.getLogger(__name__)

SEARCHES = ("linear", "tree")
FIRST, REPAIR = "first", "repair"   # which model answers: the first answer, or a repair


@dataclass
class _Asked:
    """One question being worked on."""
    request: Request
    question: Question
    language: str
    template: FeedbackTemplate


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
        self._templates: dict[tuple[bool, bool], FeedbackTemplate] = {}
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
        self.limits = self.grading.limits
        self._timing = self.grading.relative_timeout()
        self._verdicts = VerdictCache()  # attempts identical to an earlier one take its verdict
        self._sandbox = None
        self._lock = threading.Lock()
        self.journal: Journal | None = None
        # the analyzers read each answer on the host while the sandbox grades it
        self._analyzing = ThreadPoolExecutor(self.concurrency, thread_name_prefix="analyze") \
            if self.linters else None

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
        if self.review and not request.is_chat:
            raise UserError(f"record {request.key}: --review sends the reviewer's words as the next "
                            "message of a conversation; prepare the prompts with a chat template")
        question = question_from_fields(str(record.get("name")), fields, str(record.get("suite")),
                                        f"record {request.key}")
        asked = _Asked(request, question, language,
                       self._template(request.is_chat, question.kind == "program"))
        done = self.journal.done(request.key) if self.journal else []
        if self.search == "tree":
            attempts, kept = self._tree(asked, done)
        else:
            attempts = self._linear(asked, done)
            kept = len(attempts)
        return _final_answer(request.key, attempts, kept)

    def _linear(self, asked: _Asked, attempts: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """One conversation, attempt after attempt (today's loop; with --review, the person's)."""
        request = asked.request
        prompt, code_prefix = request.prompt, request.record.get("code_prefix")
        for past in attempts:  # rebuild the conversation the journal left off at
            if self.reviewer and "review" not in past:  # killed while it waited for its review
                self._review(asked, past)
            prompt, code_prefix = _next_prompt(prompt, past, request.is_chat, code_prefix)
        while not _finished(attempts, self.max_attempts, self.review):
            number = len(attempts) + 1
            attempt = {"attempt": number,
                       **self._attempt(asked, prompt, code_prefix, FIRST if number == 1 else REPAIR)}
            self._add_feedback(asked, attempt, number)
            if self.journal:
                self.journal.append(request.key, attempt)
            if self.reviewer:
                self._review(asked, attempt)
            attempts.append(attempt)
            prompt, code_prefix = _next_prompt(prompt, attempt, request.is_chat, code_prefix)
        return attempts

    def _tree(self, asked: _Asked, journaled: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], int]:
        """Best-first search over conversations; (every node in call order, the kept node's id).
        Journaled nodes are replayed through the same choices instead of asking again."""
        request = asked.request
        tree = Tree(self.meta_temperature, seed=Journal.slot(request.key))
        sampler = Sampler()
        attempts: list[dict[str, Any]] = []
        while len(attempts) < self.max_attempts:
            parent = tree.select()
            if parent is None:  # every branch passed on, repeated itself, or was refused
                break
            prompt, code_prefix = request.prompt, request.record.get("code_prefix")
            for ancestor in tree.path(parent):
                prompt, code_prefix = _next_prompt(prompt, attempts[ancestor - 1], request.is_chat, code_prefix)
            fresh = calls = 0   # a repeat is asked again, at most n times per expansion
            while fresh < self.n_candidates and calls < 2 * self.n_candidates \
                    and len(attempts) < self.max_attempts:
                number = len(attempts) + 1
                if number <= len(journaled):
                    attempt = journaled[number - 1]
                else:
                    attempt = self._node(asked, tree, number, parent, sampler.at(calls), prompt, code_prefix)
                    if self.journal:
                        self.journal.append(request.key, attempt)
                attempts.append(attempt)
                calls += 1
                node = tree.add(attempt)
                if attempt.get("duplicate_of") is not None:
                    sampler.repeated()
                    continue
                fresh += 1
                if node.passed:
                    return _kept(attempts, node.id)
        return _kept(attempts, tree.best())

    def _node(self, asked: _Asked, tree: Tree, number: int, parent: int, sampling: Sampling,
              prompt, code_prefix: str | None) -> dict[str, Any]:
        """One model call of the tree search, graded, as its node's record."""
        role = FIRST if parent == 0 else REPAIR
        answer, graded = self._call(asked, prompt, code_prefix, self._answerer(role, sampling))
        attempt = {"attempt": number, "parent": parent, **self._describe(asked, answer, graded, code_prefix)}
        duplicate = tree.duplicate_of(graded.get("code"), answer.text)
        if duplicate is not None:
            attempt["duplicate_of"] = duplicate
        else:
            self._add_feedback(asked, attempt, tree.nodes[parent].depth + 1 if parent else 1,
                               last=number >= self.max_attempts)
        attempt.pop("graded", None)
        return attempt

    def _add_feedback(self, asked: _Asked, attempt: dict[str, Any], number: int,
                      last: bool | None = None) -> None:
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

    def _review(self, asked: _Asked, attempt: dict[str, Any]) -> None:
        """Show the attempt to the reviewer; their words become the next turn (journaled as an
        amendment of the attempt). The sandbox's feedback, if any, was rendered with the attempt."""
        assert self.reviewer is not None
        number = attempt["attempt"]
        rendered = attempt.get("feedback") or []
        verdict_text = "\n\n".join(m["content"] for m in rendered) or attempt["verdict"].get("summary", "")
        text = self.reviewer.ask(Shown(
            title=f"{asked.question.suite}/{asked.question.name} {asked.language} - attempt {number} "
                  f"of {self.max_attempts}",
            question=question_text(asked.request.prompt), language=asked.language,
            code=attempt.get("code") or attempt["answer"], status=str(attempt["status"]),
            verdict=verdict_text))
        review: dict[str, Any] = {"approved": not text, "text": text or None,
                                  "with_verdict": self.review_with_verdict}
        feedback = None
        if text and number < self.max_attempts:
            content = "\n\n".join([text, *(m["content"] for m in rendered)]) if self.review_with_verdict \
                else text
            feedback = [{"role": "user", "content": content}]
        attempt.update(review=review, feedback=feedback)
        if self.journal:
            self.journal.amend(asked.request.key, number, {"review": review, "feedback": feedback})

    def _attempt(self, asked: _Asked, prompt, code_prefix: str | None, role: str) -> dict[str, Any]:
        """Ask n candidates, grade each, keep the best (the first of equals)."""
        candidates = [self._call(asked, prompt, code_prefix, self._answerer(role))
                      for _ in range(self.n_candidates)]
        best = max(range(len(candidates)), key=lambda i: (candidates[i][1]["status"] == Status.PASS,
                                                         candidates[i][1]["score"], -i))
        answer, graded = candidates[best]
        attempt = self._describe(asked, *candidates[best], code_prefix)
        attempt["usage"] = _sum_usage([a for a, _ in candidates])
        attempt["latency_s"] = round(sum(a.latency_s or 0 for a, _ in candidates), 4)
        attempt["retries"] = sum(a.retries for a, _ in candidates)
        if len(candidates) > 1:
            attempt["best_candidate"] = best
            attempt["candidates"] = [{"answer": a.text, "status": g["status"], "score": g["score"],
                                      "usage": _sum_usage([a]), "latency_s": a.latency_s}
                                     for a, g in candidates]
        return attempt

    def _call(self, asked: _Asked, prompt, code_prefix: str | None,
              answerer: Executor) -> tuple[Answer, dict[str, Any]]:
        """Ask, then grade in the sandbox while the analyzers (--lint) read the same code
        on the host; their findings go into `graded` under "lint"."""
        request = asked.request
        answer = answerer._timed_ask(Request(request.key, prompt, request.sample, request.record))
        findings = None
        if self._analyzing is not None:
            question, language = asked.question, asked.language
            code = extract_code(answer.text, language, question.function_name, code_prefix)
            findings = self._analyzing.submit(lint, self.linters, code, language,
                                              _preamble(question, language, code))
        graded = self._grade(asked.question, asked.language, answer.text, code_prefix)
        if findings is not None:
            graded["lint"] = findings.result()
        return answer, graded

    def _describe(self, asked: _Asked, answer: Answer, graded: dict[str, Any],
                  code_prefix: str | None) -> dict[str, Any]:
        """One answer's attempt record (its `graded` is dropped once feedback is rendered)."""
        attempt = {
            "answer": answer.text, "code": graded.get("code"), "code_prefix": code_prefix,
            "status": graded["status"], "passed": graded["passed"], "total": graded["total"],
            "score": graded["score"],
            "verdict": verdict(graded, asked.question, asked.language, self.reveal,
                               self.limits.check_timeout_s),
            "feedback": None, "finish_reason": answer.finish_reason,
            "usage": _sum_usage([answer]), "latency_s": answer.latency_s, "retries": answer.retries,
            "params_sent": answer.params_sent, "graded": graded,
        }
        if "lint" in graded:
            attempt["lint"] = graded["lint"]
        if answer.reasoning:
            attempt["reasoning"] = answer.reasoning
        return attempt

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
        if self._analyzing is not None:
            self._analyzing.shutdown()
        if self._sandbox is not None:
            self._sandbox.close()
            self._sandbox = None
        if self.journal:
            self.journal.close()
        for executor in [self.inner, self.repairer, *self._answerers.values()]:
            if executor is not None:
                executor.close()
        self._answerers.clear()


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


def _finished(attempts: list[dict[str, Any]], max_attempts: int, review: bool = False) -> bool:
    if not attempts:
        return False
    last = attempts[-1]
    return ((last["status"] == Status.PASS and not review)   # a reviewer may still ask for more
            or len(attempts) >= max_attempts
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


def _kept(attempts: list[dict[str, Any]], node: int) -> tuple[list[dict[str, Any]], int]:
    """The tree's nodes, the one the record keeps marked."""
    for attempt in attempts:
        attempt.pop("kept", None)
    attempts[node - 1]["kept"] = True
    return attempts, node


def _final_answer(key: str, attempts: list[dict[str, Any]], kept: int) -> Answer:
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
            if "amend" in entry:  # a review given after its attempt was journaled
                if 0 < entry["amend"] <= len(done):
                    done[entry["amend"] - 1] = {**done[entry["amend"] - 1], **entry["fields"]}
            elif entry["attempt"]["attempt"] == len(done) + 1:
                done.append(entry["attempt"])
        if ignored:
            log.warning("%s: ignoring %d attempts journaled by a different run", self.path, ignored)

    @staticmethod
    def slot(key: str) -> str:
        """The request key without its run id: a run killed before its first
        record was written resumes as a new instance, with the same fingerprint."""
        return key.split("|", 1)[-1]

    def done(self, key: str) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._attempts.get(self.slot(key), []))

    def append(self, key: str, attempt: dict[str, Any]) -> None:
        self._write({"key": self.slot(key), "fingerprint": self.fingerprint, "attempt": attempt})

    def amend(self, key: str, number: int, fields: dict[str, Any]) -> None:
        """Fields added to attempt `number` after it was journaled (a review)."""
        self._write({"key": self.slot(key), "fingerprint": self.fingerprint, "amend": number,
                     "fields": fields})

    def _write(self, entry: dict[str, Any]) -> None:
        line = json.dumps(entry, ensure_ascii=False, default=str)
        with self._lock:
            self._handle.write(line + "\n")
            self._handle.flush()

    def close(self) -> None:
        with self._lock:
            if not self._handle.closed:
                self._handle.close()
