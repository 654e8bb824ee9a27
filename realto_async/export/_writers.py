"""Writers of a Table to a file: CSV, JSON Lines and Parquet (the last needs ``realto[arrow]``)."""

from __future__ import annotations

import csv
import json
from datetime import datetime
from typing import IO, Any

from ._frames import to_arrow
from ._tables import Table

__all__ = ["FORMATS", "text_value", "write_table"]

FORMATS = ("csv", "jsonl", "parquet")


def text_value(value: Any) -> Any:
    """A cell as JSON/CSV text wants it: UTC timestamps as ``2024-06-01T12:00:00Z``."""
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    return value


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(text_value(value))


def write_csv(table: Table, stream: IO[str], header: bool = True) -> None:
    writer = csv.writer(stream, lineterminator="\n")
    if header:
        writer.writerow([name for name, _ in table.columns])
    for row in table.rows:
        writer.writerow([_csv_cell(row[name]) for name, _ in table.columns])


def write_jsonl(table: Table, stream: IO[str]) -> None:
    for row in table.rows:
        stream.write(json.dumps({name: text_value(row[name]) for name, _ in table.columns}))
        stream.write("\n")


def write_parquet(table: Table, path: str) -> None:
    from ._frames import require

    parquet = require("pyarrow.parquet", "arrow")
    parquet.write_table(to_arrow(table), path)


def write_table(table: Table, path: str, format: str, header: bool = True) -> None:
    """Write ``table`` to the file ``path`` as ``format`` (``csv``, ``jsonl`` or ``parquet``)."""
    if format == "parquet":
        write_parquet(table, path)
        return
    with open(path, "w", encoding="utf-8", newline="") as stream:
        if format == "csv":
            write_csv(table, stream, header)
        else:
            write_jsonl(table, stream)
