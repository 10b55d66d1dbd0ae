"""Running the stage scripts as a user would: subprocesses from the repo root."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from benchmark_files import DATASETS

REPO = Path(__file__).resolve().parents[1]
SHARED = DATASETS  # test_lang_*: use benchmark_files.dataset_file instead


def stage(script: str, *args: str, check: bool = True, timeout: float = 600) -> subprocess.CompletedProcess:
    """Run e.g. stage('prepare.py', '--interview', 'junior-dev'); returns the process."""
    proc = subprocess.run([sys.executable, str(REPO / script), *map(str, args)], cwd=REPO,
                          capture_output=True, text=True, timeout=timeout)
    if check and proc.returncode != 0:
        raise AssertionError(f"{script} {' '.join(map(str, args))} exited {proc.returncode}:\n{proc.stderr[-3000:]}")
    return proc


def output_path(proc: subprocess.CompletedProcess) -> Path:
    """Every stage prints the path it wrote as its last line of stdout."""
    return Path(proc.stdout.strip().splitlines()[-1])


def records(path: Path) -> list[dict]:
    return [json.loads(line) for line in Path(path).read_text().splitlines() if line.strip()]


def write_records(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def runner_language(name: str):
    """The sandbox runner's module for a language (sandbox/runner/langs/<name>.py),
    imported as the runner imports it: with sandbox/runner on the path."""
    import importlib

    runner_dir = str(REPO / "sandbox" / "runner")
    if runner_dir not in sys.path:
        sys.path.append(runner_dir)
    return importlib.import_module("langs." + name)
