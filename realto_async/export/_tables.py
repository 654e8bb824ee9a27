"""Records -> (columns, rows): the documented schema for the data listings, a generic one otherwise."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from ..models import Aggregation, ChargingRecord, Reading
from ._generic import generic_columns, generic_row
from ._schema import TableSchema
from ._schemas import AGGREGATIONS, CHARGE_SESSIONS, READINGS

__all__ = ["Table", "schema_for", "table_of"]

_SCHEMAS: dict[type, TableSchema] = {
    ChargingRecord: CHARGE_SESSIONS,
    Reading: READINGS,
    Aggregation: AGGREGATIONS,
}


def schema_for(model: type | None) -> TableSchema | None:
    """The documented schema of a model class (None: flattened generically)."""
    return None if model is None else _SCHEMAS.get(model)


@attrs.frozen
class Table:
    """Flat rows and their typed columns ``(name, kind)``."""

    columns: list[tuple[str, str]]
    rows: list[dict[str, Any]]


def _wire(record: Any) -> Mapping[str, Any]:
    to_dict = getattr(record, "to_dict", None)
    return to_dict() if callable(to_dict) else record  # type: ignore[no-any-return]


def table_of(
    records: Iterable[Any], model: type | None = None, context: Mapping[str, Any] | None = None
) -> Table:
    """The rows of ``records`` (models or wire dicts); ``model`` picks the schema when there are no
    records to look at; ``context`` fills context columns (``entity_id`` of aggregations)."""
    items = list(records)
    schema = schema_for(model if model is not None else (type(items[0]) if items else None))
    if schema is None:
        rows = [generic_row(_wire(item)) for item in items]
        columns = generic_columns(rows)
        return Table(columns, [{name: row.get(name) for name, _ in columns} for row in rows])
    return Table(schema.columns, [schema.row(_wire(item), context) for item in items])
