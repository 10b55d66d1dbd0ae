"""Values an answer produced, made safe and bounded for a record.

Grading compares the decoded values themselves (codeinterview/grading/);
only what is *stored* goes through here, so shortening a value never changes a
verdict.

`bounded(value)` is what a check result keeps of a value (`got`, `expected`)
and `bounded_text(text)` what it keeps of an answer's output. Both yield plain
JSON (str, int, float, bool, None, list, dict with str keys) of bounded size:

- an int of at most INT_DIGITS digits stays an int; a longer one becomes
  "<int: 5736 digits, 3316275092...0000000000>";
- NaN and the infinities become "<float: nan>", "<float: inf>", "<float: -inf>"
  (JSON has no token for them; a NaN token is not valid JSON);
- a string longer than STR_CHARS keeps its start and says what was cut:
  "abc[... 123456 more characters not shown]"; lone surrogates (which UTF-8
  cannot carry) are written as \\udxxx escapes;
- tuples become lists, sets become lists (sorted when their items sort),
  a container keeps its first ITEMS items then "<... N more items>", a
  container deeper than DEPTH becomes "<list: 3 items, nested too deeply>",
  a cycle "<cycle>";
- bytes become "<bytes: 3 bytes, b'abc'>", other objects "<complex: (1+2j)>"
  and the like (their type and a cut repr);
- dict keys that are not strings are written as their bounded text;
- the whole value stays within about BUDGET characters of JSON: past that,
  containers stop early (and say how many items were left out).

`to_json_line(record)` writes one ndjson line and never raises: a record JSON
can carry is written exactly; one it cannot (NaN, a huge int, bytes, a set, a
lone surrogate, nesting past the JSON encoder's limit, an object) or whose line
would exceed LINE_CHARS is written with the rules above under generous caps,
so the line is always strict JSON (no NaN/Infinity tokens) and valid UTF-8.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

# bounded(): what a check result keeps of one value.
INT_DIGITS = 1000          # longer ints are summarised
STR_CHARS = 2000           # per string inside a value
ITEMS = 1000               # per list, set or dict
DEPTH = 20                 # levels of nesting
BUDGET = 10_000            # characters of JSON for the whole value (roughly)
OUTPUT_CHARS = 128 << 10   # bounded_text(): stdout or stderr (above the sandbox's default 64 KiB capture)

# to_json_line(): the safety net for a whole record, exact whenever JSON can be.
LINE_CHARS = 32 << 20      # a longer line is rewritten under the caps below
LINE_STR_CHARS = 1 << 20
LINE_ITEMS = 100_000
LINE_DEPTH = 64
LINE_INT_DIGITS = 4000     # json reads back at most 4300 digits (Python's str<->int limit)
LINE_BUDGET = LINE_CHARS

_SURROGATE = re.compile("[\ud800-\udfff]")
_LOG10_2 = math.log10(2)
_SUMMARY_DIGITS = 10       # leading and trailing digits shown of a summarised int
_EXACT_SUMMARY_BITS = 2_000_000  # past ~600k digits the count is estimated (and no leading digits)


class _Caps:
    __slots__ = ("int_digits", "str_chars", "items", "depth", "left")

    def __init__(self, int_digits: int, str_chars: int, items: int, depth: int, budget: int):
        self.int_digits, self.str_chars, self.items, self.depth = int_digits, str_chars, items, depth
        self.left = budget


def bounded(value: Any, *, str_chars: int = STR_CHARS, items: int = ITEMS, depth: int = DEPTH,
            int_digits: int = INT_DIGITS, budget: int = BUDGET) -> Any:
    """A JSON-safe, size-bounded copy of `value` for storing (never raises)."""
    return _bound(value, 0, _Caps(int_digits, str_chars, items, depth, budget), set())


def bounded_text(text: Any, limit: int = OUTPUT_CHARS) -> Any:
    """An answer's output (stdout, stderr, a message) cut to `limit` characters."""
    if text is None:
        return None
    if not isinstance(text, str):
        return bounded(text)
    return _text(text, limit)


def to_json_line(record: dict[str, Any]) -> str:
    """One ndjson line (no newline) for a record: strict JSON, valid UTF-8, never raises."""
    try:
        line = json.dumps(record, ensure_ascii=False, allow_nan=False)
    except Exception:  # noqa: BLE001 - NaN, huge int, bytes, set, nesting, a hostile object
        line = None
    if line is not None and len(line) <= LINE_CHARS and (line.isascii() or not _SURROGATE.search(line)):
        return line
    safe = _bound(record, 0, _Caps(LINE_INT_DIGITS, LINE_STR_CHARS, LINE_ITEMS, LINE_DEPTH,
                                   LINE_BUDGET), set())
    try:
        return json.dumps(safe, ensure_ascii=False, allow_nan=False)
    except Exception as exc:  # noqa: BLE001 - cannot happen for _bound's output; never lose the line
        return json.dumps({"unwritable_record": _text(f"{type(exc).__name__}: {exc}", 2000)})


# ------------------------------------------------------------------ the rules


def _text(text: str, limit: int) -> str:
    if len(text) > limit:
        text = f"{text[:limit]}[... {len(text) - limit} more characters not shown]"
    if _SURROGATE.search(text):  # lone surrogates cannot be written as UTF-8
        text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


def _type_name(value: Any) -> str:
    try:
        return str(type(value).__name__)
    except Exception:  # noqa: BLE001
        return "object"


def _short_repr(value: Any, limit: int) -> str:
    try:
        text = repr(value)
        if not isinstance(text, str):
            raise TypeError("repr returned a non-string")
    except BaseException as exc:  # noqa: BLE001 - a hostile or impossible repr (a huge int inside)
        return f"unrepresentable: {type(exc).__name__}"
    return _text(text, limit)


def int_summary(value: int) -> str:
    """'<int: 100001 digits, 1000000000...0000000000>' without converting the
    whole int to decimal (which Python refuses past 4300 digits and does in
    quadratic time)."""
    sign = "-" if value < 0 else ""
    n = -value if value < 0 else value
    bits = n.bit_length()
    if bits < 12000:  # up to ~3600 digits: str() is exact and cheap
        text = str(n)
        digits, head, tail = len(text), text[:_SUMMARY_DIGITS], text[-_SUMMARY_DIGITS:]
    elif bits > _EXACT_SUMMARY_BITS:  # millions of digits: 10**digits alone would take seconds
        tail = str(n % 10 ** _SUMMARY_DIGITS).rjust(_SUMMARY_DIGITS, "0")
        return f"<int: about {int(math.log10(n)) + 1} digits, {sign}...{tail}>"
    else:
        guess = int((bits - 1) * _LOG10_2)  # the digit count is guess+1 or guess+2 (float slack aside)
        power = 10 ** guess
        while power > n:
            power //= 10
            guess -= 1
        while power * 10 <= n:
            power *= 10
            guess += 1
        digits = guess + 1  # 10**guess <= n < 10**(guess+1)
        # The leading digits: n // 10**(digits-K), with the divisor taken from `power`
        # by a small division (cheap), and a quotient of only K digits (cheap).
        head = str(n // (power // 10 ** (_SUMMARY_DIGITS - 1)))
        tail = str(n % 10 ** _SUMMARY_DIGITS).rjust(_SUMMARY_DIGITS, "0")
    return f"<int: {digits} digits, {sign}{head}...{tail}>"


def _int(value: int, caps: _Caps) -> Any:
    value = int.__index__(value)  # an int subclass (bool handled before) as the plain int
    if value.bit_length() <= caps.int_digits * 3:  # surely under int_digits digits
        return value
    if value.bit_length() < 14000:
        text = str(abs(value))
        if len(text) <= caps.int_digits:
            return value
    return int_summary(value)


def _float(value: float) -> Any:
    value = float.__float__(value)  # a float subclass read as the plain float
    if math.isfinite(value):
        return value
    return "<float: nan>" if math.isnan(value) else ("<float: inf>" if value > 0 else "<float: -inf>")


def _key(key: Any, caps: _Caps) -> str:
    if isinstance(key, str):
        return _text(key, caps.str_chars)
    if key is None or isinstance(key, bool):
        return json.dumps(key)  # as json.dumps writes such keys: null, true, false
    if isinstance(key, int):
        summary = _int(key, caps)
        return summary if isinstance(summary, str) else str(summary)
    if isinstance(key, float):
        kept = _float(key)
        return kept if isinstance(kept, str) else repr(kept)
    return _short_repr(key, caps.str_chars)


def _bound(value: Any, depth: int, caps: _Caps, path: set[int]) -> Any:
    if value is None or value is True or value is False:
        caps.left -= 5
        return value
    if isinstance(value, str):
        text = _text(str.__str__(value), min(caps.str_chars, max(caps.left, 100)))
        caps.left -= len(text) + 2
        return text
    if isinstance(value, int):
        kept = _int(value, caps)
        caps.left -= len(kept) if isinstance(kept, str) else kept.bit_length() // 3 + 1
        return kept
    if isinstance(value, float):
        caps.left -= 24
        return _float(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        data = bytes(value[:64]) if not isinstance(value, memoryview) else value[:64].tobytes()
        cut = "..." if len(value) > 64 else ""
        caps.left -= 100
        return f"<{_type_name(value)}: {len(value)} bytes, {data!r}{cut}>"
    if isinstance(value, (list, tuple, set, frozenset, dict)):
        return _container(value, depth, caps, path)
    text = f"<{_type_name(value)}: {_short_repr(value, 200)}>"
    caps.left -= len(text)
    return text


def _container(value: Any, depth: int, caps: _Caps, path: set[int]) -> Any:
    kind = _type_name(value)
    try:
        size = len(value)
    except Exception:  # noqa: BLE001
        size = -1
    if depth >= caps.depth:
        text = f"<{kind}: {size} items, nested too deeply>"
        caps.left -= len(text)
        return text
    if id(value) in path:
        caps.left -= 7
        return "<cycle>"
    path.add(id(value))
    try:
        if isinstance(value, dict):
            return _dict(value, depth, caps, path, size)
        items = _set_items(value) if isinstance(value, (set, frozenset)) else value
        out: list[Any] = []
        for item in items:  # lazily: a list of ten million items is not copied
            if len(out) >= caps.items or caps.left <= 0:
                out.append(f"<... {size - len(out)} more items>")
                break
            out.append(_bound(item, depth + 1, caps, path))
            caps.left -= 2
        return out
    except Exception as exc:  # noqa: BLE001 - a hostile container; store what it is
        return f"<{kind}: unreadable, {type(exc).__name__}>"
    finally:
        path.discard(id(value))


def _set_items(value: Any) -> list[Any]:
    items = list(value)
    try:
        return sorted(items)
    except Exception:  # noqa: BLE001 - mixed types: sorted by type and text, else as iterated
        try:
            return sorted(items, key=lambda v: (_type_name(v), _short_repr(v, 200)))
        except Exception:  # noqa: BLE001
            return items


def _dict(value: dict, depth: int, caps: _Caps, path: set[int], size: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, item in value.items():
        if len(out) >= caps.items or caps.left <= 0:
            out["<...>"] = f"<... {size - len(out)} more items>"
            break
        text = _key(key, caps)
        caps.left -= len(text) + 4
        out[text] = _bound(item, depth + 1, caps, path)
    return out
