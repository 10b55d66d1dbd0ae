"""Pull the code to grade out of a model's answer.

Handles: chat-template end tokens left in the answer, <think>...</think>
reasoning (closed, unclosed, or only a closing tag), the block notations of
extract_blocks (Markdown fences, tagged or not, with a missing opening or
closing fence; CodeLlama's [PYTHON]; HTML <pre>/<code>), several blocks (the
one that defines the function the Signature names wins, see extract_code),
answers indented as a whole, completion answers that continue a code
prefix without repeating it, and fill-in-the-middle answers (the middle, raw).
"""

from __future__ import annotations

import re
import textwrap

from . import languages
from .extract_blocks import FENCE_RE, Block, all_tags, find_blocks, language_tags

THINK_RE = re.compile(r"<think>.*?</think>", re.S | re.I)
# End-of-turn tokens of common chat templates; </s> only at a line's end, so
# that code writing an HTML strikethrough keeps it.
END_TOKEN_RE = re.compile(r"<\|(?:im_end|im_start|EOT|endoftext|end_of_text|end|eot_id)\|>"
                          r"|<｜end▁of▁sentence｜>|</s>(?=[ \t]*(?:\n|$))")
# What ends a fill-in-the-middle answer: end-of-text, CodeLlama's <EOT>, padding
# and file separators of the FIM vocabularies. Nothing after one is the middle.
FIM_END_RE = re.compile(r"<\|(?:endoftext|EOT|fim_pad|file_sep|repo_name)\|>"  # Qwen, StarCoder, DeepSeek
                        r"|<(?:fim_pad|file_sep|repo_name|EOT)>"                  # StarCoder, CodeLlama
                        r"|<｜end▁of▁sentence｜>|</s>(?=[ \t]*(?:\n|$))")        # DeepSeek, Llama


def defined_names(code: str, language: str) -> list[str]:
    """The names of the functions `code` defines, at any level (the language's `definition`)."""
    return languages.get(language).defined_names(code)


def defines(code: str, language: str, name: str) -> bool:
    """Whether `code` defines a function called `name` at any level."""
    return name in defined_names(code, language)


def defines_like(code: str, language: str, name: str) -> bool:
    """Whether `code` defines `name` up to case and underscores (a model that
    wrote secretIdentities for secretidentities)."""
    return _loose(name) in {_loose(n) for n in defined_names(code, language)}


def _loose(name: str) -> str:
    return name.replace("_", "").lower()


def strip_end_tokens(text: str) -> str:
    return END_TOKEN_RE.sub("", text)


def strip_think(text: str) -> str:
    text = THINK_RE.sub("", text)
    lower = text.lower()
    if "</think>" in lower:  # the template opened <think> for the model
        text = text[lower.rindex("</think>") + len("</think>"):]
    elif "<think>" in lower:  # cut off while thinking: code may still be inside
        i = lower.index("<think>")
        text = text[:i] + text[i + len("<think>"):]
    return text


def extract_code(answer: str, language: str, function_name: str,
                 code_prefix: str | None = None, code_suffix: str | None = None) -> str | None:
    """The code to grade, or None when the answer holds no code.

    Of several blocks, the one ranked highest by, in order: it defines the
    function under the Signature's name; under that name up to case and
    underscores; it defines some function (not data or usage); its tag is
    the question's language; its tag is not another language; it comes
    later. Helpers it uses from other blocks of its tag come along.

    With a `code_suffix` (a fill-in-the-middle prompt) the answer is the
    middle as the model wrote it: code = prefix + middle + suffix."""
    if not answer:
        return None
    if code_suffix is not None:
        return (code_prefix or "") + fim_middle(answer) + code_suffix
    text = strip_think(strip_end_tokens(answer))
    if code_prefix is not None:
        stitched = _continue_prefix(text, language, function_name, code_prefix)
        if stitched is not None:
            return stitched
    blocks = find_blocks(text)
    if not blocks:
        if not languages.get(language).code_hint.search(text):
            return None
        return _dedent(text.strip("\n"), language, function_name).strip()
    tags = language_tags(language)
    other_tags = all_tags() - tags

    def rank(block: Block) -> tuple[bool, ...]:
        tag, code = block
        return (defines(code, language, function_name), defines_like(code, language, function_name),
                bool(defined_names(code, language)), tag in tags, tag not in other_tags)

    # max() keeps the first of equals; prefer later blocks on ties (a final
    # corrected version usually comes last), so scan in reverse.
    best = max(reversed(blocks), key=rank)
    helpers = [code for tag, code in blocks
               if code is not best[1] and tag == best[0] and _used_helpers(code, best[1], language)
               and not defines_like(code, language, function_name)]
    code = _dedent(best[1], language, function_name)
    if code != best[1]:  # the whole answer was indented: so were its helpers
        helpers = [textwrap.dedent(helper) for helper in helpers]
    return "\n\n".join(helpers + [code])


def fim_middle(answer: str) -> str:
    """A FIM answer up to its first end token; the rest is untouched (its
    whitespace is the code's)."""
    end = FIM_END_RE.search(answer)
    return answer[:end.start()] if end else answer


def _dedent(code: str, language: str, name: str) -> str:
    """Remove the indentation the whole code shares, when the function then
    starts a line (an answer indented as a whole); a bare body keeps its
    indentation, for the signature to be stitched back onto it."""
    if any(line.strip() and line[:1] not in (" ", "\t") for line in code.splitlines()):
        return code  # nothing shared to remove (and dedent would blank whitespace-only lines)
    dedented = textwrap.dedent(code)
    top_level = "\n".join(line for line in dedented.splitlines() if line[:1] not in (" ", "\t"))
    return dedented if defines_like(top_level, language, name) else code


def _used_helpers(code: str, user: str, language: str) -> bool:
    """Whether `code` defines a top-level name that `user` refers to (a helper
    the model put in a separate block)."""
    found = languages.get(language).top_level_name.findall(textwrap.dedent(code))
    names = [name for groups in found for name in (groups if isinstance(groups, tuple) else (groups,)) if name]
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
