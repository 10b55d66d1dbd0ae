"""Named sampling parameter sets in one canonical vocabulary.

model_parameters/NAME.yaml holds a flat mapping. Backends map these names
explicitly to their own API; a key outside CANONICAL is a user error here, and
a canonical key a backend cannot honour is refused by that backend.

can-ai-code's params/*.json files load by path as they are: its `$note`
(any `$` key) is a comment, its names for canonical parameters are renamed
(UPSTREAM_NAMES), `do_sample: false` is greedy decoding (temperature 0); any
other key (beams, beam_length, stop_seqs, ...) has no equivalent here and is
refused by name.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .errors import UserError, load_named_yaml
from .paths import named_yaml

# name -> accepted Python types (bool is excluded from numbers explicitly below)
CANONICAL: dict[str, tuple[type, ...]] = {
    "temperature": (int, float),
    "top_p": (int, float),
    "top_k": (int,),
    "min_p": (int, float),
    "max_tokens": (int,),
    "seed": (int,),
    "stop": (list, str),
    "repetition_penalty": (int, float),
    "presence_penalty": (int, float),
    "frequency_penalty": (int, float),
    "n": (int,),  # answers per prompt; consumed by interview.py (--samples overrides)
    # llama.cpp's samplers (can-ai-code's parameter files use them)
    "typical_p": (int, float),
    "repeat_last_n": (int,),
    "mirostat": (int,),  # 0 off, 1 Mirostat, 2 Mirostat 2.0
    "mirostat_tau": (int, float),
    "mirostat_eta": (int, float),
}

# can-ai-code's parameter names -> canonical
UPSTREAM_NAMES = {"max_new_tokens": "max_tokens", "max_completion_tokens": "max_tokens",
                  "stopping_strings": "stop", "mirostat_mode": "mirostat"}


def load_params(name_or_path: str) -> tuple[str, dict[str, Any]]:
    """Return (set name, validated parameters) for a set name, a YAML path or
    a can-ai-code JSON path."""
    if Path(name_or_path).suffix == ".json":
        return _load_upstream(Path(name_or_path))
    found = named_yaml("model_parameters", name_or_path, "parameter set")
    path, data = load_named_yaml(str(found), found.parent, "parameter set")
    data = {} if data is None else data
    if not isinstance(data, dict):
        raise UserError(f"{path}: must be a mapping of parameter: value")
    return path.stem, validate_params(data, str(path))


def validate_params(params: dict[str, Any], where: str) -> dict[str, Any]:
    for key, value in params.items():
        if key not in CANONICAL:
            raise UserError(f"{where}: unknown parameter '{key}'; canonical parameters are: "
                            f"{', '.join(CANONICAL)}")
        types = CANONICAL[key]
        if isinstance(value, bool) or not isinstance(value, types):
            raise UserError(f"{where}: parameter '{key}' must be {' or '.join(t.__name__ for t in types)}, "
                            f"got {value!r}")
    if isinstance(params.get("stop"), str):
        params = {**params, "stop": [params["stop"]]}
    return params


def _load_upstream(path: Path) -> tuple[str, dict[str, Any]]:
    if not path.is_file():
        raise UserError(f"parameter set '{path}' not found")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise UserError(f"{path}:{exc.lineno}:{exc.colno}: not valid JSON: {exc.msg}") from None
    if not isinstance(data, dict):
        raise UserError(f"{path}: must be a JSON object of parameter: value")
    params: dict[str, Any] = {}
    fields: dict[str, Any] = data  # JSON object keys are strings
    for key, value in fields.items():
        if key.startswith("$"):
            continue  # "$note": upstream's comment
        name = UPSTREAM_NAMES.get(key, key)
        if key == "do_sample" and value is False:  # transformers' greedy switch
            name, value = "temperature", 0.0
        if name in params and params[name] != value:  # e.g. max_tokens and max_new_tokens disagree
            raise UserError(f"{path}: two names for '{name}' with different values "
                            f"({params[name]!r} and {value!r}); keep one")
        params[name] = value
    unknown = [key for key in params if key not in CANONICAL]
    if unknown:
        raise UserError(f"{path}: can-ai-code parameter(s) {', '.join(unknown)} have no equivalent here; "
                        f"remove them (understood: {', '.join([*CANONICAL, *UPSTREAM_NAMES])}, "
                        f"do_sample: false)")
    return path.stem, validate_params(params, str(path))
