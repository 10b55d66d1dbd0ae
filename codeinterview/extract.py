"""Pull the code to grade out of a model's answer.

Handles: <think>...</think> reasoning (closed, unclosed, or only a closing
tag), fenced blocks with or without a language tag, a missing opening or
closing fence, several blocks (the one in the question's language that
defines the function the Signature names wins), and completion answers that
continue a code prefix without repeating it.
"""

from __future__ import annotations

import re

LANGUAGE_TAGS = {
    "python": {"python", "py", "python3", "py3"},
    "javascript": {"javascript", "js", "node", "nodejs", "jsx", "mjs"},
}
FENCE_RE = re.compile(r"^[ \t]*(```+|~~~+)[ \t]*([\w.+#-]*)[^\n]*$", re.M)
THINK_RE = re.compile(r"<think>.*?</think>", re.S | re.I)
# Loose signs that text is code at all, per language (for unfenced answers).
CODE_HINTS = {
    "python": re.compile(r"^\s*(def|class|import|from)\s|^\s*return\b", re.M),
    "javascript": re.compile(r"\bfunction\b|=>|^\s*(const|let|var)\s", re.M),
}


def defines(code: str, language: str, name: str) -> bool:
    """Whether `code` defines a function called `name` at any level."""
    n = re.escape(name)
    if language == "python":
        return re.search(rf"^\s*(async\s+)?def\s+{n}\s*\(|^\s*{n}\s*=\s*lambda\b", code, re.M) is not None
    return re.search(rf"\bfunction\s*\*?\s*{n}\s*\(|\b{n}\s*=\s*(async\s+)?(function\b|\(|[\w$]+\s*=>)",
                     code) is not None


def strip_think(text: str) -> str:
    text = THINK_RE.sub("", text)
    lower = text.lower()
    if "</think>" in lower:  # the template opened <think> for the model
        text = text[lower.rindex("</think>") + len("</think>"):]
    elif "<think>" in lower:  # cut off while thinking: code may still be inside
        i = lower.index("<think>")
        text = text[:i] + text[i + len("<think>"):]
    return text


def fenced_blocks(text: str) -> list[tuple[str, str]]:
    """(tag, code) for each fenced block; tolerates a missing closing fence,
    and a missing opening fence when the text starts with code."""
    fences = list(FENCE_RE.finditer(text))
    blocks = []
    i = 0
    if fences and fences[0].group(2) == "" and len(fences) % 2 == 1:
        # an odd number of fences with a bare first one: the opening was left out
        blocks.append(("", text[:fences[0].start()]))
        i = 1
    while i < len(fences):
        opening = fences[i]
        closing = fences[i + 1] if i + 1 < len(fences) else None
        end = closing.start() if closing else len(text)
        blocks.append((opening.group(2).lower(), text[opening.end() + 1:end]))
        i += 2
    return [(tag, code.strip("\n")) for tag, code in blocks if code.strip()]


def extract_code(answer: str, language: str, function_name: str,
                 code_prefix: str | None = None) -> str | None:
    """The code to grade, or None when the answer holds no code."""
    if not answer:
        return None
    text = strip_think(answer)
    if code_prefix is not None:
        stitched = _continue_prefix(text, language, function_name, code_prefix)
        if stitched is not None:
            return stitched
    blocks = fenced_blocks(text)
    if not blocks:
        return text.strip() if CODE_HINTS[language].search(text) else None
    tags = LANGUAGE_TAGS.get(language, {language})
    other_tags = set().union(*LANGUAGE_TAGS.values()) - tags

    def rank(block: tuple[str, str]) -> tuple[bool, bool, bool]:
        tag, code = block
        return (defines(code, language, function_name), tag in tags, tag not in other_tags)

    # max() keeps the first of equals; prefer later blocks on ties (a final
    # corrected version usually comes last), so scan in reverse.
    best = max(reversed(blocks), key=rank)
    helpers = [code for tag, code in blocks
               if code is not best[1] and tag == best[0] and _used_helpers(code, best[1], language)
               and not defines(code, language, function_name)]
    return "\n\n".join(helpers + [best[1]])


def _used_helpers(code: str, user: str, language: str) -> bool:
    """Whether `code` defines a top-level name that `user` refers to (a helper
    the model put in a separate block)."""
    pattern = (r"^(?:async\s+)?(?:def|class)\s+(\w+)" if language == "python"
               else r"^(?:async\s+)?(?:function\s*\*?\s*|(?:const|let|var|class)\s+)([\w$]+)")
    names = re.findall(pattern, code, re.M)
    return any(re.search(rf"(?<![\w$]){re.escape(n)}(?![\w$])", user) for n in names)


def _continue_prefix(text: str, language: str, name: str, prefix: str) -> str | None:
    """For completion prompts: prefix + continuation, unless the answer
    already restates the function itself."""
    if defines(text, language, name):
        return None
    fence = FENCE_RE.search(text)
    body = text[:fence.start()] if fence else text
    if not body.strip():
        return None
    return prefix + body.rstrip() + "\n"
