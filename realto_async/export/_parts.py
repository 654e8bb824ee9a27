"""Exactly-once export files: each batch becomes an atomically written part file *before* the
bulk run acknowledges it, and the output is rebuilt from all parts with every record once.

A run killed at any point (SIGKILL included) and started again with the same state store has
every acknowledged batch in a part (written, flushed and renamed into place before the
acknowledgement) and gets every unacknowledged one again; a batch that was written but not
acknowledged comes again under the same part name (its identity is stable across a resume) or,
when its window changed, its records are dropped as duplicates by identity (record ``id``;
entity, ``start`` and ``end`` for aggregations) when the output is built.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import stat
import sys
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from ._frames import arrow_schema, require, to_arrow
from ._schema import TableSchema
from ._tables import Table
from ._writers import write_csv, write_jsonl

__all__ = ["STDOUT", "PartStore", "build_output", "writes_in_place"]

STDOUT = Path("-")

_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


def _stamp(moment: datetime | None) -> str:
    return "none" if moment is None else moment.strftime("%Y%m%dT%H%M%S%fZ")


def _write_atomically(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    with open(temporary, "w", encoding="utf-8") as stream:
        stream.write(text)
        stream.flush()
        os.fsync(stream.fileno())
    os.replace(temporary, path)


class PartStore:
    """A directory of part files, one per batch: JSON lines of ``{"entity_id", "record"}`` with
    the record's wire JSON (lossless; flattened only when the output is built)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)
        for leftover in directory.glob(".*.tmp"):  # a part whose writing was interrupted
            leftover.unlink()

    def name(self, entity_id: str, start: datetime | None, end: datetime | None, page: int) -> str:
        """The part file name of a batch: sorts by entity, then window, then page."""
        return f"{_UNSAFE.sub('_', entity_id)}__{_stamp(start)}__{_stamp(end)}__{page:06d}.jsonl"

    def write(self, name: str, entity_id: str, records: list[Mapping[str, Any]]) -> None:
        """Write one batch's records durably and atomically (replacing a part of the same name)."""
        lines = [
            json.dumps({"entity_id": entity_id, "record": record}, separators=(",", ":"))
            for record in records
        ]
        _write_atomically(self.directory / name, "".join(line + "\n" for line in lines))

    def parts(self) -> list[Path]:
        return sorted(path for path in self.directory.iterdir() if path.suffix == ".jsonl")

    def records(self) -> Iterator[list[tuple[str, Mapping[str, Any]]]]:
        """Each part's ``(entity_id, wire record)`` pairs, part by part in name order."""
        for path in self.parts():
            with open(path, encoding="utf-8") as stream:
                yield [(item["entity_id"], item["record"]) for item in map(json.loads, stream)]

    def remove(self) -> None:
        shutil.rmtree(self.directory, ignore_errors=True)


def identity(entity_id: str, record: Mapping[str, Any]) -> str:
    """What makes a record the same record: its id, or entity and interval for aggregations."""
    record_id = record.get("id")
    if isinstance(record_id, str):
        return record_id
    return f"{entity_id}|{record.get('start')}|{record.get('end')}"


def _unique_tables(
    parts: PartStore, schema: TableSchema, keep: Callable[[Mapping[str, Any]], bool] | None
) -> Iterator[Table]:
    seen: set[str] = set()
    for items in parts.records():
        rows = []
        for entity_id, record in items:
            key = identity(entity_id, record)
            if key in seen:
                continue
            row = schema.row(record, {"entity_id": entity_id})
            if keep is not None and not keep(row):
                continue
            seen.add(key)
            rows.append(row)
        yield Table(schema.columns, rows)


def writes_in_place(path: Path) -> bool:
    """True for ``-`` (stdout) and for targets that are not regular files or that link into the
    process's file descriptors (``/dev/stdout``, a FIFO, a device): those are written where they
    are, never replaced by a renamed temporary file."""
    if path == STDOUT:
        return True
    if path.is_symlink() and os.path.realpath(path).startswith(("/proc/", "/dev/")):
        return True
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    return not stat.S_ISREG(mode)


def _write(
    parts: PartStore,
    schema: TableSchema,
    sink: IO[bytes],
    format: str,
    keep: Callable[[Mapping[str, Any]], bool] | None,
) -> int:
    written = 0
    if format == "parquet":
        parquet = require("pyarrow.parquet", "arrow")
        with parquet.ParquetWriter(sink, arrow_schema(Table(schema.columns, []))) as writer:
            for table in _unique_tables(parts, schema, keep):
                if table.rows:
                    writer.write_table(to_arrow(table))
                    written += len(table.rows)
        return written
    stream = io.TextIOWrapper(sink, encoding="utf-8", newline="", write_through=True)
    try:
        if format == "csv":
            write_csv(Table(schema.columns, []), stream)
        for table in _unique_tables(parts, schema, keep):
            (write_csv(table, stream, header=False) if format == "csv" else write_jsonl(table, stream))
            written += len(table.rows)
        stream.flush()
    finally:
        stream.detach()
    return written


def build_output(
    parts: PartStore,
    schema: TableSchema,
    path: Path,
    format: str,
    keep: Callable[[Mapping[str, Any]], bool] | None = None,
) -> int:
    """Write every record of ``parts`` that ``keep`` accepts (given the flattened row) once to
    ``path`` as ``format``; returns the number of records written. A regular file is written
    atomically (a temporary file renamed into place); ``-`` streams to stdout and a non-regular
    target (``/dev/stdout``, a FIFO) is written in place (see :func:`writes_in_place`)."""
    if path == STDOUT:
        sys.stdout.flush()
        return _write(parts, schema, sys.stdout.buffer, format, keep)
    if writes_in_place(path):
        with open(path, "wb") as sink:
            return _write(parts, schema, sink, format, keep)
    temporary = path.with_name(f".{path.name}.tmp")
    with open(temporary, "wb") as sink:
        written = _write(parts, schema, sink, format, keep)
        sink.flush()
        os.fsync(sink.fileno())
    os.replace(temporary, path)
    return written
