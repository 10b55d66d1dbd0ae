"""Tagged JSON for values crossing between the answer, the runner and the host.

JSON lacks tuples, sets, non-string dict keys, NaN/Infinity, bytes and big
ints beyond Python's str-conversion limit; those travel as one-key objects
whose key starts with "$". Anything else becomes its repr. Decoding yields
plain Python values only (no class is ever instantiated from the wire), so
the trusted side never runs code chosen by the answer.

Stdlib only: this file runs inside the sandbox image and on the host.
"""

import base64
import math

MAX_DEPTH = 100
REPR_CAP = 1000
TAGS = ("$tuple", "$set", "$dict", "$float", "$int", "$bytes", "$repr")


def _repr(value):
    try:
        text = repr(value)
    except BaseException as exc:  # a hostile __repr__ must not break encoding
        text = "<unrepresentable %s: %s>" % (type(value).__name__, type(exc).__name__)
    return {"$repr": text[:REPR_CAP]}


def encode(value, _depth=0, _seen=None):
    """Python value -> JSON-safe structure (tagged where JSON falls short)."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        if value.bit_length() < 13000:  # below str()'s digit limit; cheap, unlike 10**4000
            return int(value)  # bool handled above; int subclasses flatten
        return {"$int": hex(value)}
    if isinstance(value, float):
        if math.isfinite(value):
            return float(value)
        return {"$float": "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")}
    if isinstance(value, (bytes, bytearray)):
        return {"$bytes": base64.b64encode(bytes(value)).decode("ascii")}
    if _depth >= MAX_DEPTH:
        return _repr(value)
    seen = _seen if _seen is not None else set()
    if isinstance(value, (list, tuple, set, frozenset, dict)):
        if id(value) in seen:  # cycle
            return {"$repr": "<cycle>"}
        seen.add(id(value))
        try:
            return _encode_container(value, _depth + 1, seen)
        finally:
            seen.discard(id(value))
    return _repr(value)


def _encode_container(value, depth, seen):
    if isinstance(value, list):
        return [encode(v, depth, seen) for v in value]
    if isinstance(value, tuple):
        return {"$tuple": [encode(v, depth, seen) for v in value]}
    if isinstance(value, (set, frozenset)):
        items = [encode(v, depth, seen) for v in value]
        return {"$set": items}
    # dict: plain object when every key is a str and it cannot be mistaken for a tag
    plain = all(isinstance(k, str) for k in value) and not (
        len(value) == 1 and next(iter(value)).startswith("$")
    )
    if plain:
        return {k: encode(v, depth, seen) for k, v in value.items()}
    return {"$dict": [[encode(k, depth, seen), encode(v, depth, seen)] for k, v in value.items()]}


def _hashable(value):
    # Keys and set members must be hashable: lists become tuples, dicts sorted item tuples.
    if isinstance(value, list):
        return tuple(_hashable(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted(((_hashable(k), _hashable(v)) for k, v in value.items()), key=repr))
    if isinstance(value, set):
        return frozenset(_hashable(v) for v in value)
    return value


def decode(data, _depth=0):
    """JSON structure (as produced by encode, or by the JS child) -> plain Python value."""
    if _depth > MAX_DEPTH + 5:
        raise ValueError("value nested too deeply")
    if isinstance(data, list):
        return [decode(v, _depth + 1) for v in data]
    if not isinstance(data, dict):
        return data
    if len(data) == 1:
        (tag, inner), = data.items()
        if tag in TAGS:
            return _decode_tag(tag, inner, _depth + 1)
    return {k: decode(v, _depth + 1) for k, v in data.items()}


def _decode_tag(tag, inner, depth):
    if tag == "$tuple":
        return tuple(decode(v, depth) for v in inner)
    if tag == "$set":
        return {_hashable(decode(v, depth)) for v in inner}
    if tag == "$dict":
        return {_hashable(decode(k, depth)): decode(v, depth) for k, v in inner}
    if tag == "$float":
        return float(inner)
    if tag == "$int":
        return int(inner, 16)
    if tag == "$bytes":
        return base64.b64decode(inner)
    return str(inner)  # $repr: unknown objects compare as their repr text
