"""A table schema: which wire field becomes which typed column; everything else goes to ``extras``."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Protocol, Union

import attrs

from ._columns import STRING, Unfit

__all__ = ["EXTRAS", "Reader", "Spec", "TableSchema"]

EXTRAS = "extras"


class Reader(Protocol):
    def columns(self) -> list[tuple[str, str]]: ...

    def read(self, value: Any) -> dict[str, Any]: ...


Spec = Mapping[str, Union[Reader, "Spec"]]


def _columns_of(spec: Spec) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for node in spec.values():
        out.extend(_columns_of(node) if isinstance(node, Mapping) else node.columns())
    return out


def _walk(
    spec: Spec, data: Mapping[str, Any], path: str, row: dict[str, Any], extras: dict[str, Any]
) -> None:
    for key, value in data.items():
        node = spec.get(key)
        where = f"{path}{key}"
        if value is None:
            continue
        if node is None:
            extras[where] = value
        elif isinstance(node, Mapping):
            if isinstance(value, Mapping):
                _walk(node, value, f"{where}.", row, extras)
            else:
                extras[where] = value
        else:
            try:
                row.update(node.read(value))
            except Unfit:
                extras[where] = value


@attrs.frozen
class TableSchema:
    """The columns of one kind of record, in order: ``(name, type)`` with type one of
    ``string``, ``float64``, ``bool``, ``timestamp`` (UTC); the last column is ``extras``."""

    name: str
    spec: Spec
    context: tuple[tuple[str, str], ...] = ()

    @property
    def columns(self) -> list[tuple[str, str]]:
        return [*self.context, *_columns_of(self.spec), (EXTRAS, STRING)]

    @property
    def names(self) -> list[str]:
        return [name for name, _ in self.columns]

    def row(self, wire: Mapping[str, Any], context: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """One flat row from a record's wire JSON: every column present (None when absent);
        fields without a column, or with a value that does not fit it (e.g. an unknown unit),
        as a JSON object ``{"dotted.wire.path": value}`` in ``extras`` (None when there are none)."""
        row: dict[str, Any] = dict.fromkeys(self.names)
        for name, _ in self.context:
            row[name] = None if context is None else context.get(name)
        extras: dict[str, Any] = {}
        _walk(self.spec, wire, "", row, extras)
        row[EXTRAS] = json.dumps(extras, sort_keys=True, separators=(",", ":")) if extras else None
        return row
