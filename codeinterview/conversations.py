"""Conversations: one readable Markdown file per question and run.

From interview or eval records (streamed: one record in memory at a time),
each file holds the prompt, then every attempt of a feedback interview in
the order the model was called: its place in the search tree (parent,
repeats), the answer, the sandbox's verdict, the static analyzers'
findings, the reviewer's words and the feedback sent back; then the
record's final verdict (the eval stage's, when the record has one) and its
distance to the reference solution. A record without attempts is one answer.

Files go to DIR/<model>-<run>/<suite>/<question>.<language>.<sample>.md; a
record read twice (the same key) writes its file once more, in place.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from .records import KeySet, read_records, record_run, record_stage
from .records.values import bounded_text

TEXT_CHARS = 20_000   # one answer, message or traceback in a file (a runaway answer is cut)


def write_conversations(paths: list[Path], out_dir: Path) -> int:
    """Write one file per record of `paths` under `out_dir`; the number of files written."""
    written = KeySet()
    for path in paths:
        for record in read_records(path, accept=("interview", "eval")):
            target = out_dir / conversation_path(record)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(render(record), encoding="utf-8")
            written.add(str(target))
    return len(written)


def conversation_path(record: dict[str, Any]) -> Path:
    run = f"{_safe(record.get('model') or record.get('executor') or 'model')}-{_safe(record_run(record) or 'run')}"
    name = f"{_safe(record.get('name'))}.{_safe(record.get('language'))}.{record.get('sample', 0)}.md"
    return Path(run, _safe(record.get("suite") or "suite"), name)


def _safe(value: Any) -> str:
    """A file-name part: letters, digits and `._-` only, never empty or a dot alone."""
    text = re.sub(r"[^A-Za-z0-9._-]+", "_", str(value or "")).strip("._")[:80]
    return text or "_"


def render(record: dict[str, Any]) -> str:
    out: list[str] = [f"# {record.get('suite')}/{record.get('name')} - {record.get('language')}, "
                      f"sample {record.get('sample', 0)}", ""]
    about = [("model", record.get("model")), ("executor", record.get("executor")),
             ("parameters", record.get("params_name")), ("template", record.get("template")),
             ("run", record_run(record))]
    policy = record.get("feedback")
    if isinstance(policy, dict):
        about.append(("feedback", ", ".join(f"{k} {_word(v)}" for k, v in policy.items() if v not in (None, [], {}))))
    out += [f"- {k}: {v}" for k, v in about if v] + [""]
    out += _prompt(record.get("prompt"))
    attempts = record.get("attempts")
    if isinstance(attempts, list) and attempts:
        for number, attempt in enumerate(attempts, 1):
            out += _attempt(attempt, number)
    else:
        out += ["## Answer", "", _fenced(record.get("answer"), "")]
    out += _outcome(record)
    return "\n".join(out).rstrip() + "\n"


def _prompt(prompt: Any) -> list[str]:
    out = ["## Prompt", ""]
    if isinstance(prompt, list):
        for message in prompt:
            if isinstance(message, dict):
                out += [f"**{message.get('role', 'message')}**", "", _fenced(message.get("content"), "text"), ""]
    elif prompt is not None:
        out += [_fenced(prompt, "text"), ""]
    return out


def _attempt(attempt: dict[str, Any], number: int) -> list[str]:
    heading = f"## Attempt {attempt.get('attempt', number)}"
    where = []
    if "parent" in attempt:  # tree search: the node it grew from
        where.append(f"from attempt {attempt['parent']}" if attempt["parent"] else "from the prompt")
        sampled = {k: v for k, v in (attempt.get("params_sent") or {}).items() if k in ("temperature", "seed")}
        where += [f"{k} {v}" for k, v in sampled.items()]
    if attempt.get("duplicate_of") is not None:
        where.append(f"a repeat of attempt {attempt['duplicate_of']}")
    if attempt.get("kept"):
        where.append("the record's answer")
    out = [heading + (f" ({', '.join(where)})" if where else "") + f": {attempt.get('status', '?')}", ""]
    out += [_fenced(attempt.get("answer"), ""), ""]
    out += _verdict(attempt)
    candidates = attempt.get("candidates")
    if isinstance(candidates, list) and candidates:
        best = attempt.get("best_candidate")
        out += ["**Candidates** (the best one is shown above)", ""]
        out += [f"- {i}: {c.get('status')} (score {c.get('score')})" + (" - kept" if i == best else "")
                for i, c in enumerate(candidates) if isinstance(c, dict)] + [""]
    findings = attempt.get("lint")
    if isinstance(findings, list) and findings:
        out += ["**Static analysis**", ""]
        out += [f"- line {f.get('line')}: {f.get('message')} ({f.get('tool')} {f.get('code')})"
                for f in findings if isinstance(f, dict)] + [""]
    review = attempt.get("review")
    if isinstance(review, dict):
        said = "approved" if review.get("approved") else _quoted(review.get("text"))
        out += ["**Reviewer**", "", said, ""]
    feedback = attempt.get("feedback")
    if feedback:
        out += ["**Feedback sent**", ""]
        messages = feedback if isinstance(feedback, list) else [{"role": "prompt", "content": feedback}]
        for message in messages:
            if isinstance(message, dict):
                out += [f"*{message.get('role')}*", "", _fenced(message.get("content"), "text"), ""]
    return out


def _verdict(attempt: dict[str, Any]) -> list[str]:
    verdict = attempt.get("verdict")
    if not isinstance(verdict, dict):
        return []
    out = [f"**Verdict**: {verdict.get('summary') or attempt.get('status')}"]
    error = verdict.get("error")
    if isinstance(error, dict) and error.get("message"):
        where = f" (line {error['line']})" if error.get("line") else ""
        out.append(f"- {error['message']}{where}")
    for failure in verdict.get("failures") or []:
        if isinstance(failure, dict):
            got = failure.get("error") or f"got {failure.get('got')}"
            out.append(f"- `{failure.get('call')}`: expected {failure.get('expected')}, {got}")
    return out + [""]


def _outcome(record: dict[str, Any]) -> list[str]:
    out = ["## Outcome", ""]
    if record_stage(record) == "eval":
        out.append(f"- graded: {record.get('status')} ({record.get('passed')} of {record.get('total')} checks)")
        if record.get("error"):
            out.append(f"- error: {_one_line(record['error'])}")
        failed = [c for c in record.get("checks") or [] if isinstance(c, dict) and not c.get("passed")]
        out += [f"- failed `{c.get('assert')}`: expected {c.get('expected')!r}, "
                + (_one_line(c["error"]) if c.get("error") else f"got {c.get('got')!r}") for c in failed]
        graded = record.get("attempts_graded")
        if isinstance(graded, list) and graded:
            out.append("- attempts re-graded: " + ", ".join(f"{a.get('attempt')} {a.get('status')}" for a in graded))
        metrics = record.get("reference_metrics")
        if isinstance(metrics, dict):
            out.append("- reference: " + ", ".join(f"{k} {v}" for k, v in metrics.items()))
    else:
        out.append("- not graded yet (an interview record; evaluate grades it)")
    usage = record.get("usage") or {}
    tokens = [f"{usage[k]} {k.split('_')[0]}" for k in ("prompt_tokens", "completion_tokens") if usage.get(k)]
    if tokens or record.get("latency_s") is not None:
        out.append(f"- tokens: {', '.join(tokens) or 'not reported'}; time {record.get('latency_s')} s")
    return out


def _fenced(text: Any, info: str) -> str:
    """`text` in a code fence longer than any run of backticks inside it (answers hold fences)."""
    body = bounded_text(str(text if text is not None else ""), TEXT_CHARS)
    longest = max((len(run) for run in re.findall(r"`+", body)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{info}\n{body.rstrip()}\n{fence}"


def _quoted(text: Any) -> str:
    return "\n".join(f"> {line}" for line in str(text or "").splitlines()) or "> (nothing)"


def _word(value: Any) -> str:
    return ", ".join(map(str, value)) if isinstance(value, list) else str(value)


def _one_line(text: Any) -> str:
    lines = str(text).strip().splitlines()
    return lines[-1][:300] if lines else ""

