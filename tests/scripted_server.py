"""A scripted "model" behind a real OpenAI-compatible HTTP server on 127.0.0.1.

It stands in for a model that fixes a mistake only once the error it made is
in the conversation. A script maps (function name, language) to steps:

    {("add", "python"): [Step(SYNTAX_ERROR, "SyntaxError"),   # until "SyntaxError" is said
                         Step(WRONG, "got -1"),                # until "got -1" is said
                         Step(RIGHT)]}

The server answers with the step after the furthest one whose trigger appears
in what followed the first prompt (the feedback the harness sent), so it is
stateless: the conversation alone decides the answer, as it would for a model. A step may
hold several alternative answers; repeated identical requests cycle through
them (best-of-n). Sampled requests (temperature above 0) pick an alternative
by their seed, as a sampling model would; greedy ones ignore the seed.
`hold` makes requests at a given step wait on an event (to kill a run
mid-question). Every request body is kept in `requests`.
"""

from __future__ import annotations

import json
import re
import threading
import time
from dataclasses import dataclass

from local_server import LocalJSONServer


@dataclass
class Step:
    code: str | list[str]      # one answer, or alternatives cycled through on repeats
    trigger: str | None = None  # the text that makes the model move on to the next step


def words(text: str) -> int:
    return len(text.split())


class ScriptedModel(LocalJSONServer):
    def __init__(self, script: dict[tuple[str, str], list[Step]]):
        super().__init__()
        self.script = script
        self.requests: list[dict] = []
        self.hold: dict[tuple[str, str, int], threading.Event] = {}  # (function, language, step) -> gate
        self.reached: dict[tuple[str, str, int], threading.Event] = {}
        self._seen: dict[str, int] = {}
        self._lock = threading.Lock()
    def __exit__(self, *exc):
        for gate in self.hold.values():
            gate.set()
        super().__exit__(*exc)

    def gate(self, function: str, language: str, step: int) -> tuple[threading.Event, threading.Event]:
        """(reached, release): requests at this step signal `reached` and wait for `release`."""
        key = (function, language, step)
        self.hold[key], self.reached[key] = threading.Event(), threading.Event()
        return self.reached[key], self.hold[key]

    # --- what the model "thinks" ---

    def locate(self, first: str) -> tuple[str, str]:
        """The scripted function the prompt asks for: the one it names in backticks
        (a benchmark's prompt also calls helpers), else the first it calls."""
        language = "javascript" if re.search(r"javascript", first, re.I) else "python"
        for pattern in (r"`{}`", r"\b{}\("):
            for function, lang in self.script:
                if lang == language and re.search(pattern.format(re.escape(function)), first):
                    return function, language
        raise LookupError(f"no script for this prompt: {first[:200]!r}")

    def step_of(self, steps: list[Step], later: str) -> int:
        """The step after the furthest one whose error has been pointed out (a fresh
        completion prompt holds only the latest verdict, a conversation all of them)."""
        told = [i + 1 for i, step in enumerate(steps[:-1]) if step.trigger and step.trigger in later]
        return max(told, default=0)

    def _handle(self, handler, body: dict) -> None:
        chat = handler.path.endswith("/chat/completions")
        if chat:
            messages = body["messages"]
            first_user = next(i for i, m in enumerate(messages) if m["role"] == "user")
            first = "\n".join(m["content"] for m in messages[:first_user + 1])
            later = "\n".join(m["content"] for m in messages[first_user + 1:] if m["role"] == "user")
            prompt_words = sum(words(m["content"]) for m in messages)
        else:
            first, later = body["prompt"], body["prompt"]
            prompt_words = words(body["prompt"])
        with self._lock:
            self.requests.append(body)
            function, language = self.locate(first)
            steps = self.script[(function, language)]
            index = self.step_of(steps, later)
            seen_key = json.dumps(body, sort_keys=True)
            repeat = self._seen.get(seen_key, 0)
            self._seen[seen_key] = repeat + 1
        key = (function, language, index)
        if key in self.hold:
            self.reached[key].set()
            self.hold[key].wait(60)
        code = steps[index].code
        if isinstance(code, list):
            sampled = (body.get("temperature") or 0) > 0
            code = code[(int(body.get("seed") or 0) * sampled + repeat) % len(code)]
        if chat:
            text = f"Here is the function:\n```{language}\n{code}\n```\n"
        else:  # continue the prompt's first line of the function
            first_line, _, rest = code.partition("\n")
            text = rest if body["prompt"].rstrip().endswith(first_line.strip()) else code
        usage = {"prompt_tokens": prompt_words, "completion_tokens": words(text),
                 "total_tokens": prompt_words + words(text)}
        if chat:
            choice = {"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}
            payload = {"id": "chatcmpl-s", "object": "chat.completion"}
        else:
            choice = {"index": 0, "text": text, "finish_reason": "stop", "logprobs": None}
            payload = {"id": "cmpl-s", "object": "text_completion"}
        payload.update(created=int(time.time()), model=body.get("model"), choices=[choice], usage=usage)
        try:
            self.send_json(handler, 200, payload)
        except OSError:
            pass  # the client was killed while we held the request

    def sent_text(self) -> str:
        """Everything the harness ever sent, for leak checks."""
        return json.dumps(self.requests, ensure_ascii=False)
