"""DataFrames of a whole ``BulkRun`` in the export schema (what ``BulkRun.to_pandas()`` gives)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..models import Aggregation, ChargingRecord, Command, Reading
from ._frames import to_arrow, to_pandas, to_polars
from ._tables import Table, schema_for, table_of

if TYPE_CHECKING:
    from ..bulk import BulkRun

__all__ = ["bulk_frame"]

_BY_LISTING: dict[str, type] = {
    "charge_sessions": ChargingRecord,
    "readings": Reading,
    "aggregations": Aggregation,
    "commands": Command,
}
_BUILDERS = {"arrow": to_arrow, "pandas": to_pandas, "polars": to_polars}


def model_of_listing(listing: str) -> type | None:
    """The model of a bulk listing's name (``"aggregations/PT1H"`` -> Aggregation)."""
    return _BY_LISTING.get(listing.split("/")[0])


async def bulk_table(run: BulkRun[Any]) -> Table:
    """Run ``run`` to the end (acknowledging each batch) and flatten every record; aggregations get
    the ``entity_id`` of their batch."""
    model = model_of_listing(str(getattr(run, "_listing", "")))
    rows: list[dict[str, Any]] = []
    columns: list[tuple[str, str]] | None = None
    async for batch in run:
        part = table_of(batch.records, model, {"entity_id": batch.entity_id})
        columns = part.columns if columns is None else columns
        rows.extend(part.rows)
    if columns is None:
        columns = table_of([], model).columns
    schema = schema_for(model)
    if schema is None and rows:  # generic rows: align every row on the union of the columns
        columns = table_of(rows).columns
        rows = [{name: row.get(name) for name, _ in columns} for row in rows]
    return Table(columns, rows)


async def bulk_frame(run: BulkRun[Any], kind: str) -> Any:
    """``run``'s records as a pyarrow Table (``"arrow"``), a pandas (``"pandas"``) or a polars
    (``"polars"``) DataFrame in the export schema. Raises MissingDependencyError naming the extra."""
    return _BUILDERS[kind](await bulk_table(run))
