"""Whole files in a model's answer, taken by path.

An exercise asks for each edited file in full, under its path. A file is a
fenced block whose path is either in the fence's info string (```python
src/lib.rs, ```src/lib.rs, ```rust title="src/lib.rs", ```rust:src/lib.rs)
or alone on the last non-blank line before the fence (`src/lib.rs`,
**src/lib.rs**, ### src/lib.rs, File: src/lib.rs), as aider's whole-file
format writes it. Only the expected paths are taken; a block under another
path is ignored (an answer can never add or replace a test or build file).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

FENCE_RE = re.compile(r"^[ \t]*(`{3,}|~{3,})(.*)$")
# what may wrap a path on the line before a fence, or follow it
DECORATION = re.compile(r"^(?:#{1,6}\s+|[-*]\s+|(?:file(?:name)?|path)\s*:\s*)", re.I)
PATH_CHARS = re.compile(r"^[\w.@+-]+(?:/[\w.@+-]+)*$")


@dataclass
class Extracted:
    files: dict[str, str] = field(default_factory=dict)    # expected path -> content
    missing: list[str] = field(default_factory=list)       # expected paths with no block
    ignored: list[str] = field(default_factory=list)       # blocks under paths that are not ours
    added: list[str] = field(default_factory=list)         # new source files the framework lets it add


def render(files: dict[str, str], language: str) -> str:
    """Files as an answer gives them: the path, then the whole file fenced."""
    parts = []
    for path, text in files.items():
        fence = "````" if "```" in text else "```"
        parts.append(f"{path}\n{fence}{language}\n{text.rstrip(chr(10))}\n{fence}\n")
    return "\n".join(parts)


def _clean(word: str) -> str:
    """A path without the Markdown around it: `x`, **x**, ### x, File: x, x:"""
    word = DECORATION.sub("", word.strip())
    while True:
        stripped = word.strip().strip("`*\"':").strip()
        if stripped == word:
            break
        word = DECORATION.sub("", stripped)
    return word[2:] if word.startswith("./") else word


def _path_in_info(info: str) -> str | None:
    """The path a fence's info string names, if any."""
    info = info.strip()
    match = re.search(r"""(?:title|file(?:name)?|path)\s*=\s*["']?([^"'\s]+)""", info, re.I)
    if match:
        return _clean(match.group(1))
    for word in re.split(r"[\s:]+", info):
        word = _clean(word)
        if "." in word and PATH_CHARS.match(word) and not word.startswith("."):
            return word
    return None


def _path_before(lines: list[str], index: int) -> str | None:
    """The path alone on the last non-blank line before line `index`."""
    for back in range(index - 1, max(index - 3, -1), -1):
        line = lines[back].strip()
        if not line:
            continue
        for word in (_clean(line), _clean(line.split()[-1])):  # alone, or ending a sentence
            if PATH_CHARS.match(word) and "." in word.rsplit("/", 1)[-1]:
                return word
        return None
    return None


def blocks_by_path(text: str) -> list[tuple[str | None, str]]:
    """(path or None, content) for each fenced block, in order."""
    lines = text.split("\n")
    found: list[tuple[str | None, str]] = []
    i = 0
    while i < len(lines):
        opener = FENCE_RE.match(lines[i])
        if opener is None:
            i += 1
            continue
        mark, info = opener.group(1), opener.group(2)
        path = _path_in_info(info) or _path_before(lines, i)
        end = i + 1
        while end < len(lines):  # the closing fence: bare, same character, at least as long
            closer = FENCE_RE.match(lines[end])
            if closer and not closer.group(2).strip() and closer.group(1)[0] == mark[0] \
                    and len(closer.group(1)) >= len(mark):
                break
            end += 1
        body = "\n".join(lines[i + 1:end])
        found.append((path, body + "\n" if body else ""))
        i = end + 1
    return found


def take_files(text: str, expected: list[str], may_add: re.Pattern[str] | None = None,
               fixed: frozenset[str] = frozenset()) -> Extracted:
    """The expected files from an answer: by exact path, else by a unique file
    name (an answer that writes `lib.rs` for `src/lib.rs`); the last block
    under a path wins (an answer that revises a file in place). With one
    expected file, a single untitled block is that file. `may_add`: new source
    files an answer may add (a path it matches whole, never one of `fixed`,
    the read-only files); every other path is ignored."""
    out = Extracted()
    by_name: dict[str, list[str]] = {}
    for wanted in expected:
        by_name.setdefault(wanted.rsplit("/", 1)[-1], []).append(wanted)
    blocks = blocks_by_path(text)
    for path, body in blocks:
        if path is None:
            continue
        target: str | None = path if path in expected else None
        if target is None and len(by_name.get(path.rsplit("/", 1)[-1], [])) == 1:
            target = by_name[path.rsplit("/", 1)[-1]][0]
        if target is None and may_add is not None and may_add.fullmatch(path) and path not in fixed:
            target = path
        if target is None:
            if path not in out.ignored:
                out.ignored.append(path)
            continue
        out.files[target] = body
    if not out.files and len(expected) == 1:
        untitled = [body for path, body in blocks if path is None and body.strip()]
        if len(untitled) == 1:
            out.files[expected[0]] = untitled[0]
    out.missing = [path for path in expected if path not in out.files]
    out.added = [path for path in out.files if path not in expected]
    return out
