"""How close an answer's code is to the question's reference solution.

For questions that carry a reference in the answer's language (the YAML
`Reference` key, HumanEval's canonical solution), evaluate adds to each record
`reference_metrics`, four numbers in 0..1; they describe the code and never
change its verdict:

    levenshtein       normalised edit distance over characters (0: the same text; rapidfuzz)
    bleu              sentence BLEU over code tokens, 4-grams, smoothed (Chen and Cherry's method 1)
    sequence_ratio    difflib's SequenceMatcher ratio over the same tokens (1: the same)
    identifier_share  the share of the reference's distinct identifiers the answer uses too

Tokens come from pygments' lexer for the language (comments and whitespace
dropped; identifiers are its Name tokens), so `total+1` and `total + 1` are
the same three tokens. No sandbox: a few milliseconds per answer.
"""

from __future__ import annotations

import difflib
import math
import re
from collections import Counter
from dataclasses import asdict, dataclass
from functools import cache

from pygments.lexer import Lexer
from pygments.lexers import get_lexer_by_name
from pygments.token import Comment, Name, Punctuation, Text, _TokenType
from pygments.util import ClassNotFound

DIGITS = 4


@dataclass(frozen=True)
class ReferenceMetrics:
    levenshtein: float
    bleu: float
    sequence_ratio: float
    identifier_share: float

    def record(self) -> dict[str, float]:
        return {k: round(v, DIGITS) for k, v in asdict(self).items()}


def reference_metrics(code: str | None, reference: str | None, language: str) -> dict[str, float] | None:
    """The record's `reference_metrics` (None without a reference; no code counts as empty code)."""
    if not reference or not reference.strip():
        return None
    return measure(code or "", reference, language).record()


def measure(code: str, reference: str, language: str) -> ReferenceMetrics:
    from rapidfuzz.distance import Levenshtein

    answer_tokens, reference_tokens = tokens(code, language), tokens(reference, language)
    words = [t for _, t in answer_tokens]
    reference_words = [t for _, t in reference_tokens]
    expected = {t for kind, t in reference_tokens if kind in Name}
    used = {t for kind, t in answer_tokens if kind in Name}
    return ReferenceMetrics(
        levenshtein=Levenshtein.normalized_distance(code.strip(), reference.strip()),
        bleu=_bleu(words, reference_words),
        sequence_ratio=difflib.SequenceMatcher(None, words, reference_words, autojunk=False).ratio(),
        identifier_share=len(expected & used) / len(expected) if expected else 0.0)


def tokens(code: str, language: str) -> list[tuple[_TokenType, str]]:
    """The code's tokens (kind, text), without whitespace and comments."""
    lexer = _lexer(language)
    if lexer is None:  # a language pygments does not know: words are names, the rest punctuation
        return [(Name if text[0].isalnum() or text[0] == "_" else Punctuation, text)
                for text in re.findall(r"\w+|[^\w\s]", code)]
    return [(kind, text) for kind, text in lexer.get_tokens(code)
            if text.strip() and kind not in Text and kind not in Comment]


@cache
def _lexer(language: str) -> Lexer | None:
    try:
        return get_lexer_by_name(language)
    except ClassNotFound:
        return None


def _bleu(words: list[str], reference: list[str]) -> float:
    """Sentence BLEU (Papineni et al. 2002) of `words` against one reference: the
    geometric mean of the clipped 1- to 4-gram precisions times the brevity penalty.
    An order with no n-gram in common counts 0.1 matches instead of 0 (Chen and
    Cherry 2014, method 1), so a short answer with no 4-gram in common stays above
    0; no unigram in common is 0. The numbers of nltk's sentence_bleu with
    SmoothingFunction().method1 (tests/test_reference_metrics.py pins some)."""
    if not words or not reference:
        return 0.0
    log_precision = 0.0
    for n in range(1, 5):
        answer = Counter(tuple(words[i:i + n]) for i in range(len(words) - n + 1))
        expected = Counter(tuple(reference[i:i + n]) for i in range(len(reference) - n + 1))
        matched = sum((answer & expected).values())
        if matched == 0 and n == 1:
            return 0.0
        log_precision += math.log((matched or 0.1) / max(1, sum(answer.values()))) / 4
    brevity = 1.0 if len(words) > len(reference) else math.exp(1 - len(reference) / len(words))
    return brevity * math.exp(log_precision)

