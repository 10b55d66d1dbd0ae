"""Named sampling parameter sets in one canonical vocabulary.

model_parameters/NAME.yaml holds a flat mapping. Backends map these names
explicitly to their own API; a key outside CANONICAL is a user error here, and
a canonical key a backend cannot honour is refused by that backend.
"""

from __future__ import annotations

from typing import Any

from .errors import UserError, load_named_yaml
from .paths import REPO_ROOT

PARAMS_DIR = REPO_ROOT / "model_parameters"

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
}


def load_params(name_or_path: str) -> tuple[str, dict[str, Any]]:
    """Return (set name, validated parameters) for a set name or a YAML path."""
    path, data = load_named_yaml(name_or_path, PARAMS_DIR, "parameter set")
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
