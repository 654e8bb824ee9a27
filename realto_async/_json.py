"""JSON encoding and decoding: orjson when installed (``realto[speedups]``), else the stdlib.

Both paths mean the same: a UTF-8 byte order mark is accepted, integers of any size stay exact,
``NaN``/``Infinity`` are refused (the API's JSON has no such values) with the path of the value,
and nesting too deep for the parser is an ordinary decoding error, never a ``RecursionError``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import Any

__all__ = ["HAVE_ORJSON", "JSONError", "dumps", "find_unencodable", "loads"]

_BOM = b"\xef\xbb\xbf"
# 19 digits in a row may be an integer beyond 64 bits, which orjson would read as a float. Found by
# mapping every digit to "9" and anything else to " ", then one substring search (both in C).
_DIGITS_ONLY = bytes(0x39 if 0x30 <= byte <= 0x39 else 0x20 for byte in range(256))
_LONG_DIGITS = b"9" * 19


def _may_hold_a_big_integer(raw: bytes) -> bool:
    return raw.translate(_DIGITS_ONLY).find(_LONG_DIGITS) >= 0


class JSONError(ValueError):
    """A body that is not JSON the API could mean; ``path`` locates the value when known."""

    def __init__(self, message: str, path: str = "") -> None:
        self.path = path
        super().__init__(message)


def _refuse_constant(name: str) -> Any:
    raise JSONError(f"non-finite number {name}")


def _finite_float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise JSONError(f"number {text} is too large for a float")
    return value


def _path_of_non_finite(value: Any, path: str = "") -> str | None:
    if isinstance(value, float) and not math.isfinite(value):
        return path
    items: Any = (
        value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    )
    for key, item in items:
        found = _path_of_non_finite(item, f"{path}.{key}" if isinstance(key, str) else f"{path}[{key}]")
        if found is not None:
            return found.lstrip(".")
    return None


def stdlib_loads(data: bytes | bytearray | memoryview | str) -> Any:
    """Decode with the stdlib, by the rules above (also the fallback of the orjson path)."""
    text = data if isinstance(data, str) else bytes(data).decode("utf-8")
    text = text.removeprefix("\ufeff")
    try:
        return json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float)
    except RecursionError:
        raise JSONError("nested too deeply to decode") from None
    except JSONError as err:
        lenient = json.loads(text)
        raise JSONError(f"{err} in the answer", path=_path_of_non_finite(lenient) or "") from None


def stdlib_dumps(value: Any) -> bytes:
    """Serialise ``value`` to compact UTF-8 JSON bytes with the stdlib (NaN/Infinity refused)."""
    try:
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()
    except RecursionError:
        raise JSONError("nested too deeply to encode") from None


loads: Callable[[bytes | str], Any]
dumps: Callable[[Any], bytes]

try:
    import orjson
except ImportError:  # pragma: no cover - exercised where orjson is absent
    HAVE_ORJSON = False
    loads = stdlib_loads
    dumps = stdlib_dumps

else:
    HAVE_ORJSON = True

    def loads(data: bytes | str) -> Any:
        """Decode JSON: orjson's fast path, the stdlib wherever orjson would read it differently."""
        raw = data.encode() if isinstance(data, str) else data
        if raw.startswith(_BOM) or _may_hold_a_big_integer(raw):
            return stdlib_loads(raw)
        try:
            return orjson.loads(raw)
        except orjson.JSONDecodeError:
            return stdlib_loads(raw)  # the stdlib decides what is wrong, and says it the same way

    def dumps(value: Any) -> bytes:
        """Serialise ``value`` (checked by :func:`find_unencodable`) to compact UTF-8 JSON bytes."""
        try:
            return orjson.dumps(value)
        except TypeError:  # an integer beyond 64 bits: the stdlib writes it exactly
            return stdlib_dumps(value)


def find_unencodable(value: Any, path: str = "", depth: int = 0) -> str | None:
    """What in ``value`` cannot be sent as JSON, with where it is; None when all of it can.

    JSON values are dicts with str keys, lists/tuples, str, int, finite float, bool and None.
    """
    if value is None or isinstance(value, (str, bool, int)):
        return None
    where = path or "the value"
    if depth > 500:
        return f"{where} is nested more than 500 levels deep"
    if isinstance(value, float):
        return None if math.isfinite(value) else f"{where} is {value!r} (JSON has no NaN or infinity)"
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                return f"{where} has a key that is not a str: {key!r}"
            found = find_unencodable(item, f"{path}.{key}" if path else key, depth + 1)
            if found is not None:
                return found
        return None
    if isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            found = find_unencodable(item, f"{path}[{index}]", depth + 1)
            if found is not None:
                return found
        return None
    return f"{where} is a {type(value).__name__}, which JSON cannot hold"
