"""export: answers to benchmark questions as samples jsonl for the official tools.

    python -m codeinterview.export --input results/eval_X.ndjson [--output-dir results/]

Writes samples_<suite>_<input>.jsonl per suite, one line per answer, with the
keys the official evaluators read: `task_id`; `completion` (prompt +
completion is the program's answer part: openai/human-eval, evalplus);
`solution` (that whole code: evalplus prefers it); and the completion again
under the language's own keys (Language.export_keys: `generation` for the
HumanEval-X languages, read by THUDM/CodeGeeX's evaluator). An answer that
wrote the whole function cannot continue the prompt's unfinished first line,
so it carries `solution` only.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from . import languages
from .grading.program import assemble
from .cli import run_main, slug
from .errors import UserError
from .extract import extract_code
from .paths import results_dir
from .questions import question_from_fields
from .records import read_records, record_key


def sample(record: dict) -> dict | None:
    """The samples-jsonl line for one interview or eval record (None: not a benchmark answer)."""
    fields = record.get("question") or {}
    if fields.get("Kind") != "program":
        return None
    language = str(record["language"])  # every prompt record names its language
    question = question_from_fields(str(record.get("name")), fields, str(record.get("suite")), record_key(record))
    code = record["code"] if "code" in record else extract_code(
        record.get("answer") or "", language, question.function_name, record.get("code_prefix"),
        record.get("code_suffix"))
    body = assemble(question, language, code) if code else None
    prompt = fields["Prompt"][language].strip()  # extraction may have trimmed its blank ends
    line = {"task_id": fields.get("TaskId", record.get("name")), "sample": record.get("sample", 0),
            "solution": body or ""}
    if body is None or body.lstrip().startswith(prompt):
        line["completion"] = body.lstrip()[len(prompt):] if body else ""
        for key in languages.get(language).export_keys:
            line[key] = line["completion"]
    return line


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m codeinterview.export", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--input", required=True, help="an interview or eval ndjson file")
    parser.add_argument("--output-dir", default=str(results_dir()), help="where to write (default: results/)")
    args = parser.parse_args(argv)
    by_suite: dict[str, list[dict]] = {}
    for record in read_records(args.input, accept=("interview", "eval")):
        line = sample(record)
        if line is not None:
            by_suite.setdefault(str(record.get("suite")), []).append(line)
    if not by_suite:
        raise UserError(f"{args.input}: no answers to benchmark questions (prepare.py --interview NAME=PATH)")
    out = Path(args.output_dir)
    out.mkdir(parents=True, exist_ok=True)
    for suite, lines in sorted(by_suite.items()):
        path = out / f"{slug('samples', suite, Path(args.input).stem)}.jsonl"
        path.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines))
        print(f"{suite}: {len(lines)} samples", file=sys.stderr)
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(run_main(main))
