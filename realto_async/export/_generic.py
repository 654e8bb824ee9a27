"""Rows of any other model (entities, commands, …): nested objects joined with ``_``."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

from ._columns import BOOL, FLOAT, STRING
from ._units import suffix

__all__ = ["generic_columns", "generic_row"]

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def _snake(name: str) -> str:
    return _CAMEL.sub("_", name).lower()


def _flatten(data: Mapping[str, Any], prefix: str, row: dict[str, Any]) -> None:
    for key, value in data.items():
        name = f"{prefix}{_snake(key)}"
        if isinstance(value, Mapping):
            unit = value.get("unit")
            if set(value) == {"unit", "value"} and isinstance(unit, str):
                row[f"{name}_{suffix(unit)}"] = value["value"]
            else:
                _flatten(value, f"{name}_", row)
        elif isinstance(value, list):
            row[name] = json.dumps(value, sort_keys=True, separators=(",", ":"))
        else:
            row[name] = value


def generic_row(wire: Mapping[str, Any]) -> dict[str, Any]:
    """A flat row of a model's wire JSON: ``information.manufacturer`` -> ``information_manufacturer``,
    lists as JSON text, numbers, booleans and strings as they are."""
    row: dict[str, Any] = {}
    _flatten(wire, "", row)
    return row


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return BOOL
    if isinstance(value, (int, float)):
        return FLOAT
    return STRING


def generic_columns(rows: Iterable[Mapping[str, Any]]) -> list[tuple[str, str]]:
    """Every column of ``rows`` in order of first appearance, typed by its first non-null value."""
    kinds: dict[str, str | None] = {}
    for row in rows:
        for name, value in row.items():
            if kinds.get(name) is None:
                kinds[name] = None if value is None else _kind(value)
    return [(name, kind or STRING) for name, kind in kinds.items()]
