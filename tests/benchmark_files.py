"""The public benchmark files some tests read, found through one setting.

CODEINTERVIEW_DATASETS names the folder (default: ../shared/datasets beside the
checkout). A test asks for a file by its path inside that folder; where the
file is absent the test is skipped with a message naming the file and where
to get it, except in CI (CI=true), where a missing file fails the test.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DATASETS = Path(os.environ.get("CODEINTERVIEW_DATASETS") or REPO.parent / "shared" / "datasets")

# top folder -> where its files come from (each keeps its upstream name)
ORIGINS = {
    "humaneval": "https://github.com/openai/human-eval (data/HumanEval.jsonl.gz)",
    "humaneval-js": "https://github.com/THUDM/CodeGeeX (codegeex/benchmark/humaneval-x/js/data/)",
    "humaneval-cpp": "https://github.com/THUDM/CodeGeeX (codegeex/benchmark/humaneval-x/cpp/data/)",
    "humaneval-go": "https://github.com/THUDM/CodeGeeX (codegeex/benchmark/humaneval-x/go/data/)",
    "humaneval-java": "https://github.com/THUDM/CodeGeeX (codegeex/benchmark/humaneval-x/java/data/)",
    "humaneval-rust": "https://github.com/THUDM/CodeGeeX (codegeex/benchmark/humaneval-x/rust/data/)",
    "humanevalplus": "https://github.com/evalplus/humanevalplus_release (release v0.1.10)",
    "mbpp": "https://github.com/google-research/google-research (mbpp/)",
    "can-ai-code-junior-v2": "https://github.com/the-crypt-keeper/can-ai-code (junior-v2/)",
    "aider-polyglot": "https://github.com/Aider-AI/polyglot-benchmark (the repository as a tar.gz)",
}


def dataset_file(relative: str) -> Path:
    """DATASETS/relative, or skip (fail under CI=true) saying what is missing."""
    path = DATASETS / relative
    if path.exists():
        return path
    origin = ORIGINS.get(Path(relative).parts[0], "its upstream repository")
    message = (f"public benchmark file {relative} not found in {DATASETS}: get it from {origin} and put it "
               f"there, or point CODEINTERVIEW_DATASETS at a folder holding it")
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)
