"""JSON encoding and decoding: orjson when installed (``realto[speedups]``), else the stdlib."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

__all__ = ["HAVE_ORJSON", "dumps", "loads"]

loads: Callable[[bytes | str], Any]
dumps: Callable[[Any], bytes]

try:
    import orjson
except ImportError:  # pragma: no cover - exercised where orjson is absent
    HAVE_ORJSON = False
    loads = json.loads

    def dumps(value: Any) -> bytes:
        """Serialise ``value`` to compact UTF-8 JSON bytes."""
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()

else:
    HAVE_ORJSON = True
    loads = orjson.loads

    def dumps(value: Any) -> bytes:
        """Serialise ``value`` to compact UTF-8 JSON bytes."""
        return orjson.dumps(value)
