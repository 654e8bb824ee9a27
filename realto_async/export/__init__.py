"""Records out to tables: one documented schema for CSV, JSON Lines, Parquet and DataFrames.

Charge sessions, readings and aggregations flatten to fixed, typed columns whose names carry
their unit (``charge_total_kwh``, ``average_power_kw``, ``import_power_total_w``); times are UTC
timestamps, ids strings, and every field without a column (or whose unit cannot be converted
to the column's) is kept in the JSON ``extras`` column. Other models flatten generically.
"""

from __future__ import annotations

from ._bulk import bulk_frame
from ._frames import MissingDependencyError, to_arrow, to_pandas, to_polars
from ._schema import EXTRAS, TableSchema
from ._schemas import AGGREGATIONS, CHARGE_SESSIONS, READINGS
from ._tables import Table, schema_for, table_of
from ._writers import FORMATS, write_table

__all__ = [
    "AGGREGATIONS",
    "CHARGE_SESSIONS",
    "EXTRAS",
    "FORMATS",
    "READINGS",
    "MissingDependencyError",
    "Table",
    "TableSchema",
    "bulk_frame",
    "schema_for",
    "table_of",
    "to_arrow",
    "to_pandas",
    "to_polars",
    "write_table",
]
