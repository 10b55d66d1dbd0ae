"""Tagged JSON for values crossing between the answer, the runner and the host.

JSON lacks tuples, sets, non-string dict keys, NaN/Infinity, complex numbers,
bytes and big ints beyond Python's str-conversion limit; those travel as
one-key objects whose key starts with "$". Anything else becomes its repr (so
objects JSON cannot carry compare as their repr text). Decoding yields plain
Python values only (no class is ever instantiated from the wire), so the
trusted side never runs code chosen by the answer.

Encoding never runs the answer's overrides of the built-in types (a str, int,
list or dict subclass is read through the base type), survives a hostile
__repr__, and stops at a size budget: a value too big for the wire (a huge
flat list, a shared sub-list repeated 2**100 times, a gigabyte string) raises
ValueTooLarge instead of exhausting the process. Decoding never raises on a
malformed tag: it yields the tag's repr text.

Stdlib only: this file runs inside the sandbox image and on the host.
"""

import base64
import gc
import math

MAX_DEPTH = 100
REPR_CAP = 1000
# What one encode may produce: values (a container counts its items) and characters
# of text. The runner refuses a reply over 16 MiB anyway; these stop a value well
# before it exhausts the process (and a shared sub-list repeated 2**100 times early).
MAX_VALUES = 1 << 20
MAX_CHARS = 12 << 20
TAGS = ("$tuple", "$set", "$dict", "$float", "$int", "$bytes", "$complex", "$repr")
SMALL_INT_BITS = 13000  # below str()'s 4300-digit limit; cheap, unlike 10**4000


class ValueTooLarge(ValueError):
    """The value would not fit the wire."""


def _repr(value):
    try:
        text = repr(value)
        if not isinstance(text, str):
            raise TypeError("__repr__ returned a non-string")
        text = str.__str__(text)
    except BaseException as exc:  # a hostile __repr__ must not break encoding
        text = "<unrepresentable %s: %s>" % (_type_name(value), type(exc).__name__)
    return {"$repr": text[:REPR_CAP]}


def _type_name(value):
    try:
        return str.__str__(type(value).__name__)
    except BaseException:
        return "object"


class _State:
    """One encode's budget (values and characters left), the containers on the
    current path (cycles) and those already encoded (shared sub-values)."""

    __slots__ = ("values", "chars", "path", "done")

    def __init__(self):
        self.values, self.chars = MAX_VALUES, MAX_CHARS
        self.path, self.done = set(), {}

    def items(self, n):
        self.values -= n
        if self.values < 0:
            raise ValueTooLarge("the value is too large to return (over %d items)" % MAX_VALUES)

    def text(self, n):
        self.chars -= n
        if self.chars < 0:
            raise ValueTooLarge("the value is too large to return (over %d characters)" % MAX_CHARS)


def _float(value):
    value = float.__float__(value)  # a float subclass, read as the plain float
    if math.isfinite(value):
        return value
    return {"$float": "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")}


def encode(value, _depth=0, _state=None):
    """Python value -> JSON-safe structure (tagged where JSON falls short).

    Raises ValueTooLarge for a value over the budget."""
    if _state is None:
        enabled = gc.isenabled()
        gc.disable()  # the collector rescanning every new list would double the cost
        try:
            return encode(value, _depth, _State())
        finally:
            if enabled:
                gc.enable()
    state = _state
    if value is None or value is True or value is False:
        return value
    if isinstance(value, str):
        state.text(str.__len__(value))
        return value if type(value) is str else str.__str__(value)
    if isinstance(value, int):
        value = int.__index__(value)  # an int subclass (IntEnum, hostile __int__) as the plain int
        if value.bit_length() < SMALL_INT_BITS:
            return value
        state.text(value.bit_length() // 4)
        return {"$int": hex(value)}
    if isinstance(value, float):
        return _float(value)
    if isinstance(value, complex):
        # the base type's fields: a subclass's `real` property never runs
        return {"$complex": [_float(complex.real.__get__(value)),
                             _float(complex.imag.__get__(value))]}
    if isinstance(value, (bytes, bytearray)):
        data = bytes(memoryview(value))
        state.text(len(data) * 4 // 3)
        return {"$bytes": base64.b64encode(data).decode("ascii")}
    if not isinstance(value, (list, tuple, set, frozenset, dict)):
        return _repr(value)
    if _depth >= MAX_DEPTH:
        return {"$repr": "<%s nested too deeply>" % _type_name(value)}
    key = id(value)
    if key in state.path:  # a cycle
        return {"$repr": "<cycle>"}
    done = state.done.get((key, _depth))
    if done is not None:  # shared, not cyclic: the same encoding, its size charged again
        encoded, values, chars = done
        state.items(values)
        state.text(chars)
        return encoded
    values, chars = state.values, state.chars
    state.path.add(key)
    try:
        encoded = _encode_container(value, _depth + 1, state)
    finally:
        state.path.discard(key)
    state.done[key, _depth] = (encoded, values - state.values, chars - state.chars)
    return encoded


def _items(depth, state, items):
    out: list = []
    append = out.append
    for item in items:
        kind = type(item)  # the common leaves inline: a million ints must not cost a million calls
        if kind is int and -(1 << 52) < item < (1 << 52) or item is None or kind is bool:
            append(item)
        elif kind is str:
            state.text(len(item))
            append(item)
        else:
            append(encode(item, depth, state))
    return out


def _encode_container(value, depth, state):
    # Read through the base type: an answer's __iter__/items overrides never run here.
    if isinstance(value, list):
        state.items(list.__len__(value))
        return _items(depth, state, list.__iter__(value))
    if isinstance(value, tuple):
        state.items(tuple.__len__(value))
        return {"$tuple": _items(depth, state, tuple.__iter__(value))}
    if isinstance(value, set):
        state.items(set.__len__(value))
        return {"$set": _items(depth, state, set.__iter__(value))}
    if isinstance(value, frozenset):
        state.items(frozenset.__len__(value))
        return {"$set": _items(depth, state, frozenset.__iter__(value))}
    pairs = list(dict.items(value))
    state.items(2 * len(pairs))
    # a plain object when every key is a str and it cannot be mistaken for a tag
    plain = all(type(k) is str for k, _ in pairs) and not (
        len(pairs) == 1 and pairs[0][0].startswith("$"))
    if plain:
        out = {}
        for k, v in pairs:
            state.text(len(k))
            out[k] = encode(v, depth, state)
        return out
    return {"$dict": [[encode(k, depth, state), encode(v, depth, state)] for k, v in pairs]}


def _sort_key(value):
    try:
        return (_type_name(value), repr(value))
    except BaseException:  # a huge int's repr fails: order by what is cheap
        return (_type_name(value), "")


def _hashable(value):
    # Keys and set members must be hashable: lists become tuples, dicts sorted item tuples.
    if isinstance(value, list):
        return tuple(_hashable(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted(((_hashable(k), _hashable(v)) for k, v in value.items()),
                            key=_sort_key))
    if isinstance(value, set):
        return frozenset(_hashable(v) for v in value)
    return value


def decode(data, _depth=0):
    """JSON structure (as produced by encode, or by the JS child) -> plain Python value.

    Never raises: a malformed tag (only a forged reply can hold one) decodes to its
    text, and nesting past the encoder's limit to a marker string."""
    if _depth > MAX_DEPTH + 5:
        return "<nested too deeply>"
    if isinstance(data, list):
        return [decode(v, _depth + 1) for v in data]
    if not isinstance(data, dict):
        return data
    if len(data) == 1:
        (tag, inner), = data.items()
        if tag in TAGS:
            try:
                return _decode_tag(tag, inner, _depth + 1)
            except (TypeError, ValueError, AttributeError, OverflowError):
                return "<malformed %s>" % tag
    return {k: decode(v, _depth + 1) for k, v in data.items()}


def _decode_float(inner):
    if isinstance(inner, (int, float)) and not isinstance(inner, bool):
        return float(inner)
    if inner in ("nan", "inf", "-inf"):
        return float(inner)
    raise ValueError(inner)


def _decode_tag(tag, inner, depth):
    if tag == "$tuple":
        return tuple(decode(v, depth) for v in inner)
    if tag == "$set":
        return {_hashable(decode(v, depth)) for v in inner}
    if tag == "$dict":
        return {_hashable(decode(k, depth)): decode(v, depth) for k, v in inner}
    if tag == "$float":
        return _decode_float(inner)
    if tag == "$int":
        if not isinstance(inner, str):
            raise TypeError(tag)
        return int(inner, 16)
    if tag == "$bytes":
        return base64.b64decode(inner)
    if tag == "$complex":
        real, imag = inner
        return complex(_decode_float(real if not isinstance(real, dict) else real.get("$float")),
                       _decode_float(imag if not isinstance(imag, dict) else imag.get("$float")))
    return str(inner)  # $repr: unknown objects compare as their repr text
