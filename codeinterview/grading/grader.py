"""The evaluate stage's engine: a stream of answer records graded in the
sandbox, each eval record written as it finishes (Grader), locally or, through
distributed.grading's RayGrader, on a cluster's nodes. The stage
(codeinterview/evaluate.py) parses flags, finds the questions and picks the grader.
"""

from __future__ import annotations

import argparse
import sys
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Any, Iterator, Protocol

from tqdm import tqdm

from ..errors import InfrastructureError
from ..questions import Question
from ..records import (EvalFields, KeySet, RecordWriter, RunIdentity, Status, input_for, now, provenance,
                       read_records, slot_key, stage_fields)
from ..reference_metrics import reference_metrics
from ..sandbox.types import Limits, Sandbox
from .answer import grade_answer
from .config import GradingConfig
from .program import RelativeTimeout
from .scoring import DEFAULT_SCORING, Scoring
from .verdicts import VerdictCache


class QuestionSource(Protocol):
    """Where the grader finds each record's question (evaluate.QuestionBook)."""

    def normalise(self, record: dict[str, Any]) -> dict[str, Any]: ...

    def question(self, record: dict[str, Any]) -> Question: ...


def grade_record(sandbox: Sandbox, record: dict[str, Any], question: Question, grading: GradingConfig,
                 run: RunIdentity, timing: RelativeTimeout | None = None,
                 verdicts: VerdictCache | None = None) -> dict[str, Any]:
    """One eval record: the input record (its stale eval fields dropped), the
    verdict (reused from `verdicts` when an identical answer was graded), the
    grading config, the code's distance to the question's reference solution
    (reference_metrics), and this run's id."""
    base = input_for("eval", record)
    limits = grading.limits
    fields = grade_answer(sandbox, question, record["language"], record.get("answer") or "",
                          record.get("code_prefix"), limits, timing, grading.scoring,
                          record.get("code_suffix"), verdicts)
    if record.get("answer_error") and fields["status"] == Status.NO_CODE:
        fields["error"] = f"the backend gave no answer: {record['answer_error']}"
    if isinstance(record.get("attempts"), list) and record["attempts"]:
        fields["attempts_graded"] = grade_attempts(sandbox, record, question, limits, fields, timing,
                                                   grading.scoring, verdicts)
        if any(a["status"] == Status.SANDBOX_ERROR for a in fields["attempts_graded"]):
            fields["status"] = Status.SANDBOX_ERROR  # not fully graded: redone when the stage is re-run
    fields = stage_fields(EvalFields, {**fields, "evaluated_at": now(), "grading": run.config["grading"]})
    # a description of the code beside its verdict, never part of it (null: no reference to compare)
    fields["reference_metrics"] = reference_metrics(fields.get("code"), question.reference(record["language"]),
                                                    record["language"])
    return run.stamp({**base, **fields, **provenance()}, record)


def grade_attempts(sandbox: Sandbox, record: dict[str, Any], question: Question, limits: Limits,
                   final: dict[str, Any], timing: RelativeTimeout | None = None,
                   scoring: Scoring = DEFAULT_SCORING,
                   verdicts: VerdictCache | None = None) -> list[dict[str, Any]]:
    """Grade every attempt of a feedback interview afresh (the interview's own
    grades are not trusted); the report turns these into pass rate per attempt."""
    graded: list[dict[str, Any]] = []
    for attempt in record["attempts"]:
        prefix = attempt["code_prefix"] if "code_prefix" in attempt else record.get("code_prefix")
        if attempt.get("answer") == record.get("answer") and prefix == record.get("code_prefix"):
            fields = final  # the last attempt is the record's own answer
        else:
            fields = grade_answer(sandbox, question, record["language"], attempt.get("answer") or "",
                                  prefix, limits, timing, scoring, record.get("code_suffix"), verdicts)
        graded.append({"attempt": attempt.get("attempt", len(graded) + 1), "status": fields["status"],
                       "passed": fields["passed"], "total": fields["total"], "score": fields["score"],
                       "usage": attempt.get("usage") or {}})
        if question.kind == "exercise":  # aider's percent_cases_well_formed: every file given back
            graded[-1]["well_formed"] = fields["status"] != Status.NO_CODE and not (fields.get("tests") or {}).get(
                "missing")
    return graded


class Grader:
    """Grades a stream of records with a bounded number in flight, writing
    each as it finishes: memory stays flat however long the input."""

    IN_FLIGHT_PER_WORKER = 4
    SANDBOX_FAILURES_IN_A_ROW = 10   # then the sandbox is down, not unlucky: stop (exit 3)

    def __init__(self, args: argparse.Namespace, grading: GradingConfig, run: RunIdentity,
                 writer: RecordWriter):
        self.args, self.grading, self.run, self.writer = args, grading, run, writer
        self.counts: dict[str, int] = {}
        self.failures_in_a_row = 0
        self.repeated = 0
        self.duplicates = 0   # graded records whose key was written already (a re-sent batch's late twin)
        self._sandbox: Sandbox | None = None
        self.verdicts = VerdictCache()  # identical answers in this run share one sandbox run

    def todo(self, book: QuestionSource, bar: tqdm) -> Iterator[tuple[dict[str, Any], Question]]:
        """The input's records not graded yet (each key once)."""
        seen = KeySet()
        for record in read_records(self.args.input, accept=("interview", "eval")):
            record = book.normalise(record)
            key = self.run.key_of(record, slot_key(record))
            if key in seen:
                self.repeated += 1
            elif key not in self.writer.done:
                seen.add(key)
                yield record, book.question(record)
                continue
            seen.add(key)
            bar.update()
        if self.repeated:  # said, never silent: they may be another run's answers with nothing to tell them apart
            print(f"warning: {self.repeated} input records repeat the key (run, question, language, sample) "
                  "of an earlier one and were not graded; if they are another run's answers (say, "
                  "can-ai-code files concatenated), grade each file on its own", file=sys.stderr)

    def grade(self, book: QuestionSource, total: int | None) -> None:
        timing = self.grading.relative_timeout()
        in_flight = self.IN_FLIGHT_PER_WORKER * self.args.workers
        with ThreadPoolExecutor(self.args.workers, thread_name_prefix="grade") as pool, \
                tqdm(total=total, desc="evaluate", unit="answer", file=sys.stderr, dynamic_ncols=True) as bar:
            try:
                pending: set[Future] = set()
                for record, question in self.todo(book, bar):
                    pending.add(pool.submit(grade_record, self.sandbox(), record, question, self.grading,
                                            self.run, timing, self.verdicts))
                    if len(pending) >= in_flight:
                        done, pending = wait(pending, return_when=FIRST_COMPLETED)
                        self._write(done, bar)
                self._write(wait(pending).done, bar)
            finally:
                if self._sandbox is not None:
                    self._sandbox.close()
        self.summarize()

    def summarize(self) -> None:
        if self.counts:
            summary = ", ".join(f"{status} {n}" for status, n in sorted(self.counts.items()))
            print(f"graded {sum(self.counts.values())}: {summary}", file=sys.stderr)
        if self.verdicts.hits:
            print(f"{self.verdicts.hits} answers took the verdict of an identical answer graded before "
                  "(no second sandbox run)", file=sys.stderr)

    def sandbox(self) -> Sandbox:
        """The sandbox pool, started on the first answer to grade (a finished run needs none)."""
        if self._sandbox is None:
            self._sandbox = self.grading.open_sandbox(self.args.workers)
        return self._sandbox

    def _write(self, done: set[Future], bar: tqdm) -> None:
        for future in done:
            self.take(future.result(), bar)

    def take(self, graded: dict[str, Any], bar: tqdm) -> None:
        """Write one graded record (once: a key already written is refused and counted)."""
        if not self.writer.write(graded):
            self.duplicates += 1
            return
        status = graded["status"]
        self.counts[status] = self.counts.get(status, 0) + 1
        bar.set_postfix(self.counts, refresh=False)
        bar.update()
        self.failures_in_a_row = self.failures_in_a_row + 1 if status == Status.SANDBOX_ERROR else 0
        if self.failures_in_a_row >= self.SANDBOX_FAILURES_IN_A_ROW:
            raise InfrastructureError(
                f"the sandbox failed on {self.failures_in_a_row} answers in a row "
                f"(last: {graded.get('error')}); those answers are marked sandbox_error "
                "and are graded again when the run resumes")

