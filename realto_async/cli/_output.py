"""Printing results as ``table``, ``json``, ``jsonl`` or ``csv``."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import Any

from ..export import table_of
from ..export._writers import text_value, write_csv

__all__ = ["OUTPUT_FORMATS", "emit"]

OUTPUT_FORMATS = ("table", "json", "jsonl", "csv")


def _table_text(columns: Sequence[str], rows: Sequence[dict[str, Any]]) -> str:
    cells = [
        [("" if row.get(name) is None else str(text_value(row.get(name)))) for name in columns]
        for row in rows
    ]
    widths = [max([len(name), *(len(line[i]) for line in cells)]) for i, name in enumerate(columns)]
    lines = [
        "  ".join(name.upper().ljust(width) for name, width in zip(columns, widths, strict=True)).rstrip()
    ]
    lines.extend(
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        for line in cells
    )
    return "\n".join(lines)


def emit(records: Sequence[Any], format: str, *, many: bool = True, summary: Sequence[str] = ()) -> None:
    """Print ``records`` (models) to stdout. ``json`` is an array (one object when not ``many``),
    ``jsonl`` one wire object a line, ``csv`` the export schema's columns, ``table`` the
    ``summary`` columns (all when none are given) aligned for reading."""
    out = sys.stdout
    if format == "json":
        payload: Any = [record.to_dict() for record in records] if many else records[0].to_dict()
        out.write(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
    elif format == "jsonl":
        for record in records:
            out.write(record.to_json() + "\n")
    else:
        table = table_of(records)
        if format == "csv":
            write_csv(table, out)
        else:
            names = [name for name, _ in table.columns]
            columns = [name for name in summary if name in names] or names
            out.write(_table_text(columns, table.rows) + "\n" if table.rows else "(none)\n")
