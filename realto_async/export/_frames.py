"""Arrow tables, pandas and polars DataFrames of a Table; each library behind its extra."""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any

from .._errors import RealtoError
from ._columns import BOOL, FLOAT, TIMESTAMP
from ._tables import Table

__all__ = ["MissingDependencyError", "require", "to_arrow", "to_pandas", "to_polars"]


class MissingDependencyError(RealtoError, ImportError):
    """An optional library is not installed; the message names the extra that brings it."""


def require(module: str, extra: str) -> ModuleType:
    """Import ``module`` or raise :class:`MissingDependencyError` naming ``realto[extra]``."""
    try:
        return importlib.import_module(module)
    except ImportError:
        raise MissingDependencyError(
            f"this needs {module.split('.')[0]}, which is not installed: "
            f"pip install 'realto[{extra}]' (or 'realto[data]' for pandas, pyarrow and polars)"
        ) from None


def arrow_schema(table: Table, extra: str = "arrow") -> Any:
    pa = require("pyarrow", extra)
    kinds = {TIMESTAMP: pa.timestamp("us", tz="UTC"), FLOAT: pa.float64(), BOOL: pa.bool_()}
    return pa.schema([(name, kinds.get(kind, pa.string())) for name, kind in table.columns])


def to_arrow(table: Table, extra: str = "arrow") -> Any:
    """A ``pyarrow.Table`` with typed columns: timestamp[us, UTC], float64, bool, string."""
    pa = require("pyarrow", extra)
    schema = arrow_schema(table, extra)
    columns = {name: [row[name] for row in table.rows] for name, _ in table.columns}
    return pa.Table.from_pydict(columns, schema=schema)


def to_pandas(table: Table) -> Any:
    """A ``pandas.DataFrame`` (datetime64[us, UTC], float64, boolean, string columns)."""
    pd = require("pandas", "pandas")
    arrow = to_arrow(table, "pandas")
    return arrow.to_pandas(types_mapper={_arrow_bool(): pd.BooleanDtype()}.get)


def _arrow_bool() -> Any:
    return require("pyarrow", "pandas").bool_()


def to_polars(table: Table) -> Any:
    """A ``polars.DataFrame`` (Datetime(us, UTC), Float64, Boolean, String columns)."""
    pl = require("polars", "polars")
    return pl.from_arrow(to_arrow(table, "polars"))


_BUILDERS = {"arrow": to_arrow, "pandas": to_pandas, "polars": to_polars}


def frame_of(records: list[Any], model: type | None, kind: str, context: dict[str, Any] | None = None) -> Any:
    """``records`` as a pyarrow Table (``kind="arrow"``), pandas or polars DataFrame, in the schema
    of ``model`` (see :func:`table_of`)."""
    from ._tables import table_of

    return _BUILDERS[kind](table_of(records, model, context))
