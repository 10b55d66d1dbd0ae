"""End to end: interview.py with the openai executor against llama-cpp-python's
server, killed mid-run and resumed; the resumed run asks only what is missing."""

import json
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from fixtures_models import EXPECTED, llama_cpp_server

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = 8


def _posts(log: Path) -> int:
    return log.read_text().count('"POST /v1/chat/completions')


def _settled_posts(log: Path) -> int:
    """Request count once requests still in flight from a killed client have been logged."""
    count = -1
    while count != (count := _posts(log)):
        time.sleep(0.5)
    return count


def _records(path: Path) -> list[dict]:
    """Complete records; a line torn by the kill is skipped (interview.py repairs it)."""
    records = []
    for line in path.read_text().splitlines():
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            pass
    return records


def test_interview_killed_and_resumed(tiny_gguf, tmp_path):
    model = shutil.copy(tiny_gguf, tmp_path / "tiny.gguf")   # private server log next to it
    log = tmp_path / "tiny.server.log"
    prepared, output = tmp_path / "prepared.ndjson", tmp_path / "answers.ndjson"
    subprocess.run([sys.executable, "prepare.py", "--interview", "junior-dev", "--output", str(prepared)],
                   cwd=ROOT, check=True, capture_output=True)
    n_prompts = len(_records(prepared))
    total = n_prompts * SAMPLES

    with llama_cpp_server(model) as url:
        command = [sys.executable, "interview.py", "--input", str(prepared), "--executor", "openai",
                   "--model", "tiny", "--base-url", url, "--params", "greedy", "--samples", str(SAMPLES),
                   "--concurrency", "2", "--output", str(output)]
        first = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 120
        while not (output.exists() and output.read_text().count("\n") >= total // 4):
            assert first.poll() is None, first.stderr.read().decode()[-2000:]
            assert time.monotonic() < deadline, "first run made no progress"
            time.sleep(0.01)
        first.send_signal(signal.SIGKILL)
        first.wait()
        asked_first = _settled_posts(log)
        kept = len({(r["name"], r["language"], r["sample"]) for r in _records(output)})
        assert 0 < kept < total, "the first run was not interrupted mid-way"

        second = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
        assert second.returncode == 0, second.stderr[-2000:]
        asked_second = _posts(log) - asked_first

    assert asked_second == total - kept
    records = _records(output)
    keys = [(r["name"], r["language"], r["sample"]) for r in records]
    assert len(keys) == len(set(keys)) == total
    for r in records:
        assert (r["answer"], r["finish_reason"]) == (EXPECTED, "stop")
        assert r["usage"]["completion_tokens"] == 9 and r["usage"]["prompt_tokens"] > 50
        assert (r["executor"], r["model"], r["base_url"]) == ("openai", "tiny", url)
        assert r["params_sent"] == {"temperature": 0.0, "max_tokens": 1024}
        assert r["retries"] == 0
