"""evaluate: answer records -> code extracted -> checks run in the sandbox -> eval records.

Reads interview or eval files (ours, or can-ai-code's: for records that carry
no checks, --interview supplies the questions by name). Grades carried by an
eval file are dropped first, so re-grading never trusts stale fields.
"""

from __future__ import annotations

import argparse
import sys
from concurrent.futures import ThreadPoolExecutor, as_completed
from typing import Any

from tqdm import tqdm

from .cli import derive_output
from .errors import UserError
from .benchmarks.program import RelativeTimeout
from .grading import grade_answer
from .passk import describe, write_summary
from .questions import Question, load_suites, question_from_fields
from .records import EVAL_FIELDS, RecordWriter, now, provenance, read_records, record_key, strip_fields
from .sandbox import Limits, SandboxUnavailable, open_sandbox


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="evaluate.py", description=__doc__)
    parser.add_argument("--input", required=True, help="an interview or eval ndjson file")
    parser.add_argument("--output", help="ndjson file to write or resume (default: derived under results/)")
    parser.add_argument("--workers", type=int, default=2, help="sandbox containers grading in parallel (default 2)")
    parser.add_argument("--interview", action="append",
                        help="suite(s) supplying the questions (needed for can-ai-code files, "
                             "which carry no checks; when given, it overrides the records' copy)")
    parser.add_argument("--check-timeout", type=float, default=5.0, help="seconds per check (default 5)")
    parser.add_argument("--job-timeout", type=float, default=20.0,
                        help="seconds per answer, all checks together (default 20)")
    parser.add_argument("--memory-mb", type=int, default=512, help="sandbox memory limit (default 512)")
    parser.add_argument("--timeout-factor", type=float, default=4.0,
                        help="program questions: timeout = max(floor, factor x the reference's runtime) "
                             "(default 4; 0: a fixed timeout of --timeout-floor)")
    parser.add_argument("--timeout-floor", type=float, default=3.0,
                        help="program questions: the least timeout in seconds (default 3)")
    parser.add_argument("--sandbox", choices=("docker", "process"), default="docker",
                        help="docker (default) or process: no isolation, needs --unsafe-process-sandbox")
    parser.add_argument("--unsafe-process-sandbox", action="store_true",
                        help="allow --sandbox process, which runs model code on this host UNISOLATED")
    return parser


class QuestionBook:
    """Finds the question (with its checks) for each record."""

    def __init__(self, input_path: str, suites: list[str] | None):
        self.input_path = input_path
        self.by_name: dict[str, Question] = {}
        self.suite_name: str | None = None
        for suite in load_suites(suites) if suites else []:
            self.suite_name = self.suite_name or suite.name
            for question in suite.questions:
                self.by_name.setdefault(question.name, question)
        self.cache: dict[tuple, Question] = {}

    def normalise(self, record: dict[str, Any]) -> dict[str, Any]:
        """A can-ai-code record gets the suite and sample our keys need."""
        record = dict(record)
        if not record.get("suite") and self.suite_name:
            record["suite"] = self.suite_name
        record.setdefault("sample", 0)
        return record

    def question(self, record: dict[str, Any]) -> Question:
        name = record.get("name")
        if name in self.by_name:
            return self.by_name[name]
        fields = record.get("question")
        if not isinstance(fields, dict) or ("Checks" not in fields and fields.get("Kind") != "program"):
            raise UserError(f"{self.input_path}: record {record_key(record)} carries no checks "
                            "(a can-ai-code file?); pass --interview SUITE to supply the questions")
        cache_key = (record.get("suite"), name, record.get("suite_hash"))
        if cache_key not in self.cache:
            self.cache[cache_key] = question_from_fields(
                str(name), fields, str(record.get("suite")), f"{self.input_path}: record {record_key(record)}")
        return self.cache[cache_key]


def grade_record(sandbox: Any, record: dict[str, Any], question: Question, limits: Limits,
                 timing: RelativeTimeout | None = None) -> dict[str, Any]:
    base = {**strip_fields(record, EVAL_FIELDS), "stage": "eval"}
    fields = grade_answer(sandbox, question, record.get("language"), record.get("answer") or "",
                          record.get("code_prefix"), limits, timing)
    if record.get("answer_error") and fields["status"] == "no_code":
        fields["error"] = f"the backend gave no answer: {record['answer_error']}"
    if isinstance(record.get("attempts"), list) and record["attempts"]:
        fields["attempts_graded"] = grade_attempts(sandbox, record, question, limits, fields, timing)
        if any(a["status"] == "sandbox_error" for a in fields["attempts_graded"]):
            fields["status"] = "sandbox_error"  # not fully graded: redone when the stage is re-run
    return {**base, **fields, "evaluated_at": now(), **provenance()}


def grade_attempts(sandbox: Any, record: dict[str, Any], question: Question, limits: Limits,
                   final: dict[str, Any], timing: RelativeTimeout | None = None) -> list[dict[str, Any]]:
    """Grade every attempt of a feedback interview afresh (the interview's own
    grades are not trusted); the report turns these into pass rate per attempt."""
    graded = []
    for attempt in record["attempts"]:
        prefix = attempt["code_prefix"] if "code_prefix" in attempt else record.get("code_prefix")
        if attempt.get("answer") == record.get("answer") and prefix == record.get("code_prefix"):
            fields = final  # the last attempt is the record's own answer
        else:
            fields = grade_answer(sandbox, question, record.get("language"), attempt.get("answer") or "",
                                  prefix, limits, timing)
        graded.append({"attempt": attempt.get("attempt", len(graded) + 1), "status": fields["status"],
                       "passed": fields["passed"], "total": fields["total"], "score": fields["score"],
                       "usage": attempt.get("usage") or {}})
    return graded


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.workers < 1:
        raise UserError("--workers must be at least 1")
    if args.sandbox == "process" and not args.unsafe_process_sandbox:
        raise UserError("--sandbox process runs model code on this host without isolation; "
                        "add --unsafe-process-sandbox if you accept that")
    book = QuestionBook(args.input, args.interview)
    records = [book.normalise(r) for r in read_records(args.input, accept=("interview", "eval"))]
    output = args.output or derive_output(args.input, "eval")
    limits = Limits(timeout_s=args.job_timeout, check_timeout_s=args.check_timeout, memory_mb=args.memory_mb)
    with RecordWriter(output, "eval", redo=lambda r: r.get("status") == "sandbox_error") as writer:
        todo, seen = [], set(writer.done)
        for record in records:
            key = record_key(record)
            if key not in seen:
                seen.add(key)
                todo.append((record, book.question(record)))
        if len(records) > len(todo):
            print(f"resuming: {len(records) - len(todo)} records already graded in {output}", file=sys.stderr)
        if todo:
            _grade_all(todo, writer, args, limits,
                       RelativeTimeout(factor=args.timeout_factor, floor_s=args.timeout_floor))
    passk_path, passk = write_summary(output, read_records(output, accept=("eval",)))
    print(f"{describe(passk)}\npass@k per question and per run: {passk_path}", file=sys.stderr)
    print(output)
    return 0


def _grade_all(todo, writer: RecordWriter, args, limits: Limits, timing: RelativeTimeout) -> None:
    try:
        sandbox = open_sandbox(backend=args.sandbox, workers=args.workers,
                               unsafe=args.unsafe_process_sandbox)
    except SandboxUnavailable as exc:
        raise UserError(f"the sandbox is unavailable: {exc}") from None
    counts: dict[str, int] = {}
    with sandbox, ThreadPoolExecutor(args.workers, thread_name_prefix="grade") as pool, \
            tqdm(total=len(todo), desc="evaluate", unit="answer", file=sys.stderr, dynamic_ncols=True) as bar:
        futures = [pool.submit(grade_record, sandbox, record, question, limits, timing)
                   for record, question in todo]
        for future in as_completed(futures):
            graded = future.result()
            writer.write(graded)
            counts[graded["status"]] = counts.get(graded["status"], 0) + 1
            bar.set_postfix(counts, refresh=False)
            bar.update()
    summary = ", ".join(f"{status} {n}" for status, n in sorted(counts.items()))
    print(f"graded {len(todo)}: {summary}", file=sys.stderr)
