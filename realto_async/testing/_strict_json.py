"""JSON request bodies as the platform reads them: no NaN, no Infinity, no number too big for a
double. Python's json module takes all three, and the emulator would then store and answer them
as null (or fail answering them); the platform refuses such a body with a 400."""

from __future__ import annotations

import json
import math
from typing import Any

__all__ = ["NotStrictJSON", "strict_loads"]


class NotStrictJSON(ValueError):
    """The body is JSON to Python's json module but not to the platform."""


def _constant(name: str) -> Any:
    raise NotStrictJSON(f"{name} is not a JSON number")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise NotStrictJSON(f"{text} is too large for a number")
    return value


def strict_loads(raw: bytes) -> Any:
    """Decode ``raw`` (empty: null); raises ValueError (NotStrictJSON for NaN, Infinity and
    numbers beyond a double) and RecursionError (nested too deeply)."""
    return json.loads(raw or b"null", parse_constant=_constant, parse_float=_finite)
