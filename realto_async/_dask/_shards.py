"""Shards of a bulk run: which entities each covers, where it keeps its state and output."""

from __future__ import annotations

import hashlib
import json
import os
import zlib
from collections.abc import Iterable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import attrs

from .._errors import InvalidArgumentError
from ..models.entities import Entity
from ._options import ClientOptions

__all__ = ["LISTINGS", "ShardPaths", "ShardSpec", "check_layout", "listing_label", "split"]

LISTINGS = ("charge_sessions", "readings", "aggregations", "commands")


def _entity_id(entity: str | Entity) -> str:
    return entity.id if isinstance(entity, Entity) else entity


def split(entities: Iterable[str | Entity], shards: int) -> list[tuple[str | Entity, ...]]:
    """``entities`` (ids or ``Entity`` objects) into ``shards`` groups by a CRC-32 of the id: an
    entity stays in its shard when the fleet grows or shrinks, so its state is found again by
    the next run. Returns ``shards`` tuples in input order within each (some may be empty); no
    HTTP call. Raises InvalidArgumentError when ``shards`` is not an int >= 1."""
    if isinstance(shards, bool) or not isinstance(shards, int) or shards < 1:
        raise InvalidArgumentError(f"shards must be an int >= 1, got {shards!r}")
    groups: list[list[str | Entity]] = [[] for _ in range(shards)]
    for entity in entities:
        groups[zlib.crc32(_entity_id(entity).encode()) % shards].append(entity)
    return [tuple(group) for group in groups]


def listing_label(listing: str, resolution: timedelta | None) -> str:
    """The listing's name in paths: ``readings``, ``aggregations-PT1H``..."""
    if resolution is None:
        return listing
    minutes = int(resolution.total_seconds() // 60)
    interval = f"PT{minutes // 60}H" if minutes % 60 == 0 else f"PT{minutes}M"
    return f"{listing}-{interval}"


@attrs.frozen
class ShardPaths:
    """Where shard ``index`` keeps its SQLite state, its part files and its done marker (under
    ``state_dir``), and its Parquet file (under ``output``)."""

    state: Path
    parts: Path
    done: Path
    output: Path | None

    @classmethod
    def of(cls, state_dir: Path, output: Path | None, label: str, index: int) -> ShardPaths:
        stem = f"shard-{index:05d}"
        base = state_dir / label
        base.mkdir(parents=True, exist_ok=True)
        return cls(
            state=base / f"{stem}.sqlite",
            parts=base / f"{stem}.parts",
            done=base / f"{stem}.done.json",
            output=None if output is None else output / f"part-{index:05d}.parquet",
        )


def check_layout(state_dir: Path, label: str, shards: int | None) -> int | None:
    """The shard count ``state_dir`` was made with for this listing (None: a new state_dir);
    raises InvalidArgumentError when ``shards`` asks for another one, which would re-fetch
    entities whose state sits in another shard's file."""
    layout = state_dir / label / "layout.json"
    if not layout.exists():
        return None
    known = int(json.loads(layout.read_text(encoding="utf-8"))["shards"])
    if shards is not None and shards != known:
        raise InvalidArgumentError(
            f"state_dir {str(state_dir)!r} holds the state of {known} shards of {label}; pass "
            f"shards={known} (or None), or a new state_dir"
        )
    return known


def write_layout(state_dir: Path, label: str, shards: int) -> None:
    base = state_dir / label
    base.mkdir(parents=True, exist_ok=True)
    write_json(base / "layout.json", {"shards": shards})


def write_json(path: Path, value: Any) -> None:
    """Write ``value`` as JSON to ``path`` atomically (a temporary file renamed into place)."""
    temporary = path.with_name(f".{path.name}.tmp")
    with open(temporary, "w", encoding="utf-8") as stream:
        json.dump(value, stream)
        stream.flush()
        os.fsync(stream.fileno())
    os.replace(temporary, path)


@attrs.frozen(repr=False)
class ShardSpec:
    """Everything one shard's Dask task needs. Its repr names the shard, never the options."""

    index: int
    shards: int
    listing: str
    entities: tuple[str | Entity, ...]
    start: datetime
    end: datetime
    resolution: timedelta | None
    page_size: int | None
    concurrency: int
    rate: float | None
    state_dir: str | None
    output: str | None
    options: ClientOptions

    @property
    def label(self) -> str:
        return listing_label(self.listing, self.resolution)

    @property
    def run_key(self) -> str:
        """What makes a re-run the same run: listing, window and entities (not the options)."""
        text = json.dumps(
            [self.label, self.start.isoformat(), self.end.isoformat(), sorted(map(_entity_id, self.entities))]
        )
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def __repr__(self) -> str:
        return (
            f"<realto shard {self.index + 1}/{self.shards} of {self.label}: {len(self.entities)} entities, "
            f"{self.start.isoformat()} to {self.end.isoformat()}>"
        )

    def __dask_tokenize__(self) -> object:
        return ("realto.ShardSpec", self.run_key, self.index, self.state_dir, self.output)
