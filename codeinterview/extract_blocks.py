"""Find the code blocks in a model's answer: (tag, code) pairs, in order.

Three notations, tried in turn (the first that finds a block wins, so a
Markdown answer whose code happens to hold `<pre>` or `[TESTS]` is read as
Markdown): Markdown fences, CodeLlama-Instruct's `[PYTHON]...[/PYTHON]`, and
HTML `<pre>`/`<code>`.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache
from typing import Pattern

from . import languages

FENCE_RE = re.compile(r"^[ \t]*(```+|~~~+)[ \t]*([\w.+#-]*)[^\n]*$", re.M)
# <pre> first, so that the <code> inside a <pre> is part of that block.
HTML_RE = re.compile(r"<pre\b([^>]*)>(.*?)(?:</pre>|\Z)|<code\b([^>]*)>(.*?)</code>", re.S | re.I)
HTML_CLASS_RE = re.compile(r"""class\s*=\s*["']?(?:language-|lang-)?([\w+#-]+)""", re.I)

Block = tuple[str, str]


# The tables below come from the language registry (languages/*.py), built on
# first use: a new language's fence tags, bracket tags and code-start lines
# count here without a change to this module.

def language_tags(language: str) -> frozenset[str]:
    """The fence / class / bracket words that name `language` (its name included)."""
    found = languages.get(language)
    return frozenset(found.fence_tags | {found.name})


@lru_cache(maxsize=1)
def all_tags() -> frozenset[str]:
    """Every word that names some registered language (a block tagged with one
    of another language is recognised as such)."""
    return frozenset().union(*(language_tags(lang.name) for lang in languages.all_languages()))


@lru_cache(maxsize=1)
def code_start_re() -> Pattern[str]:
    """A line that can only start code, never prose, in some language (for a
    block whose opening fence was left out)."""
    return re.compile("|".join(f"(?:{lang.code_start.pattern})" for lang in languages.all_languages()
                               if lang.code_start is not None), re.M)


@lru_cache(maxsize=1)
def bracket_re() -> Pattern[str]:
    """CodeLlama-Instruct: [PYTHON] code [/PYTHON], then often [TESTS] its own asserts [/TESTS]."""
    tags = sorted({tag.upper() for lang in languages.all_languages() for tag in lang.bracket_tags},
                  key=lambda tag: (-len(tag), tag))
    alternatives = "|".join(map(re.escape, [*tags, "TESTS"]))
    return re.compile(rf"\[({alternatives})\](.*?)(?:\[/\1\]|\Z)", re.S | re.I)


def find_blocks(text: str) -> list[Block]:
    """(tag, code) for each code block, blank ones left out; [] when none."""
    for finder in (fenced_blocks, bracket_blocks, html_blocks):
        blocks = [(tag, code.strip("\n")) for tag, code in finder(text) if code.strip()]
        if blocks:
            return blocks
    return []


def fenced_blocks(text: str) -> list[Block]:
    """Markdown fences. A tagged fence always opens a block (so prose between
    two blocks never becomes code), a bare one closes the open block; a
    missing closing fence runs to the end, a missing opening one is assumed
    only when the answer starts with code (see _left_out_start)."""
    fences = list(FENCE_RE.finditer(text))
    blocks: list[Block] = []
    start = _left_out_start(text, fences)  # where the open block's code starts; None: outside
    opener: re.Match[str] | None = None
    tag = ""
    for fence in fences:
        if start is not None and not _closes(fence, opener) and not _reopens(fence, opener):
            continue  # a shorter fence inside a longer one: part of the code
        if start is not None:
            blocks.append((tag, text[start:fence.start()]))
            start = None
            if not fence.group(2):
                continue
        opener, tag, start = fence, fence.group(2).lower(), fence.end() + 1
        if not tag:
            tag, start = _tag_on_next_line(text, start)
    if start is not None:
        blocks.append((tag, text[start:]))
    return blocks


def _closes(fence: re.Match[str], opener: re.Match[str] | None) -> bool:
    """A bare fence of the opener's kind, at least as long (CommonMark)."""
    if fence.group(2):
        return False
    return opener is None or _same_kind(fence, opener)


def _reopens(fence: re.Match[str], opener: re.Match[str] | None) -> bool:
    """A tagged fence while a block is open: the open block lost its closing fence."""
    return bool(fence.group(2)) and (opener is None or _same_kind(fence, opener))


def _same_kind(fence: re.Match[str], opener: re.Match[str]) -> bool:
    mark, opening = fence.group(1), opener.group(1)
    return mark[0] == opening[0] and len(mark) >= len(opening)


def _left_out_start(text: str, fences: list[re.Match[str]]) -> int | None:
    """Where the code starts when the answer opens with code whose opening
    fence was left out (the prompt may have opened it), else None.

    Only when pairing the fences that way closes every block with a bare
    fence, and fits better than pairing them from an opening fence: their
    count is odd, or that pairing would close a block with a tagged fence."""
    if not _closers_bare(fences, 0) or (len(fences) % 2 == 0 and _closers_bare(fences, 1)):
        return None
    code = code_start_re().search(text, 0, fences[0].start())
    return code.start() if code else None


def _closers_bare(fences: list[re.Match[str]], first: int) -> bool:
    """Whether pairing the fences strictly, the first closing one at index
    `first`, closes every block with a bare fence."""
    return not any(f.group(2) for f in fences[first::2])


def _tag_on_next_line(text: str, start: int) -> tuple[str, int]:
    """A bare fence whose language sits alone on the next line (```\\npython)."""
    end = text.find("\n", start)
    word = text[start:end if end >= 0 else len(text)].strip().lower()
    if word in all_tags():
        return word, (end + 1 if end >= 0 else len(text))
    return "", start


def bracket_blocks(text: str) -> list[Block]:
    """CodeLlama-Instruct's [PYTHON] blocks; its [TESTS] are the model's own
    asserts, not the answer, so they are left out."""
    return [(name.lower(), code) for name, code in bracket_re().findall(text) if name.upper() != "TESTS"]


def html_blocks(text: str) -> list[Block]:
    """<pre> and <code> blocks, tags inside removed and entities decoded; the
    language from a class such as `language-python`. A one-line <code> is
    inline code in prose (`<code>add</code> returns`), unless it starts code."""
    blocks = []
    for match in HTML_RE.finditer(text):
        attributes = match.group(1) or match.group(3) or ""
        body = match.group(2) if match.group(2) is not None else match.group(4)
        if match.group(4) is not None and "\n" not in body and not code_start_re().match(body):
            continue
        cls = HTML_CLASS_RE.search(attributes + " ".join(re.findall(r"<code\b([^>]*)>", body, re.I)))
        code = re.sub(r"</?code\b[^>]*>", "", body, flags=re.I)
        blocks.append((cls.group(1).lower() if cls else "", html.unescape(code)))
    return blocks
