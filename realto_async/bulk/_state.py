"""Where a bulk run keeps its progress between runs: the ``StateStore`` protocol and two stores.

Per listing (``"charge_sessions"``, ``"readings"``, ``"aggregations/PT1H"``, ``"commands"``) and
entity a store keeps:

- the **covered range** ``[covered_start, watermark)``: the time range whose every page was
  acknowledged (a run whose ``start`` is before it lists the earlier part too);
- the **cursor** of an interrupted window: its start and end, the index of the next page and the
  continuation token that fetches it;
- the **delivered ids** that may come back in the next run's lookback overlap, each with the
  record's time, so the next run never delivers an acknowledged record again.

Write your own store (Redis, Postgres) by implementing :class:`StateStore`: ``load`` and
``commit``, where ``commit`` must apply its whole :class:`StateUpdate` atomically.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Mapping
from datetime import datetime
from os import PathLike
from pathlib import Path
from types import TracebackType
from typing import Protocol, runtime_checkable

import attrs

from .._errors import ConfigurationError
from .._filelock import StateInUseError, StateLock

__all__ = ["EntityState", "MemoryStateStore", "SQLiteStateStore", "StateStore", "StateUpdate"]


@attrs.define(frozen=True, slots=True)
class EntityState:
    """What a store holds for one entity and listing (all times timezone-aware UTC).

    ``window_start``/``window_end``/``page``/``continuation_token`` describe an interrupted window
    (None when there is none); ``delivered`` holds the ids acknowledged inside the lookback overlap;
    ``[covered_start, watermark)`` is the range listed to the end (``covered_start`` None in a
    state written before it was kept: taken as covering from the requested start).
    """

    watermark: datetime | None = None
    window_start: datetime | None = None
    window_end: datetime | None = None
    page: int = 0
    continuation_token: str | None = None
    delivered: frozenset[str] = frozenset()
    covered_start: datetime | None = None

    @property
    def interrupted(self) -> bool:
        """Whether a window was started and not finished."""
        return self.window_start is not None and self.window_end is not None


@attrs.define(frozen=True, slots=True)
class StateUpdate:
    """One acknowledged batch, to apply atomically.

    When ``finished`` (the window's last page) clear the cursor and set the covered range to
    ``[covered_start, covered_end)`` (None: the window's own start and end), else store the
    cursor; add ``delivered`` (id -> the record's time, UTC); then forget delivered ids whose
    time is before ``forget_before`` (None: forget nothing).
    """

    finished: bool
    window_start: datetime
    window_end: datetime
    page: int
    continuation_token: str | None
    delivered: Mapping[str, datetime]
    forget_before: datetime | None
    covered_start: datetime | None = None
    covered_end: datetime | None = None

    @property
    def coverage(self) -> tuple[datetime, datetime]:
        """The covered range once this (finished) window is stored."""
        start = self.window_start if self.covered_start is None else self.covered_start
        end = self.window_end if self.covered_end is None else self.covered_end
        return start, end


@runtime_checkable
class StateStore(Protocol):
    """Storage of a bulk run's progress; see the module docstring for what it keeps.

    Both methods are awaited on the run's event loop. ``commit`` is called once per acknowledged
    batch, in acknowledgement order, and must be atomic: after a crash the store holds either
    the whole update or none of it.
    """

    async def load(self, listing: str, entity_id: str) -> EntityState:
        """The state of ``entity_id`` for ``listing`` (an empty ``EntityState`` when unknown)."""
        ...

    async def commit(self, listing: str, entity_id: str, update: StateUpdate) -> None:
        """Apply ``update`` to the state of ``entity_id`` for ``listing``, atomically."""
        ...


def _cursor_of(update: StateUpdate) -> tuple[datetime | None, datetime | None, int, str | None]:
    if update.finished:
        return None, None, 0, None
    return update.window_start, update.window_end, update.page, update.continuation_token


class MemoryStateStore:
    """A :class:`StateStore` in a dict: incremental runs inside one process (tests, services)."""

    def __init__(self) -> None:
        self._states: dict[tuple[str, str], EntityState] = {}
        self._delivered: dict[tuple[str, str], dict[str, datetime]] = {}

    async def load(self, listing: str, entity_id: str) -> EntityState:
        key = (listing, entity_id)
        state = self._states.get(key, EntityState())
        return attrs.evolve(state, delivered=frozenset(self._delivered.get(key, {})))

    async def commit(self, listing: str, entity_id: str, update: StateUpdate) -> None:
        key = (listing, entity_id)
        old = self._states.get(key, EntityState())
        start, end, page, token = _cursor_of(update)
        covered, watermark = update.coverage if update.finished else (old.covered_start, old.watermark)
        self._states[key] = EntityState(watermark, start, end, page, token, covered_start=covered)
        delivered = self._delivered.setdefault(key, {})
        delivered.update(update.delivered)
        if update.forget_before is not None:
            horizon = update.forget_before
            for record_id in [r for r, when in delivered.items() if when < horizon]:
                del delivered[record_id]


# Times are ISO text, exactly as given: a float would not give back the same microseconds, and a
# resumed window must send the very query its continuation token belongs to.
_SCHEMA = """
CREATE TABLE IF NOT EXISTS bulk_cursor (
    listing TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    watermark TEXT,
    window_start TEXT,
    window_end TEXT,
    page INTEGER NOT NULL DEFAULT 0,
    continuation_token TEXT,
    covered_start TEXT,
    PRIMARY KEY (listing, entity_id)
);
CREATE TABLE IF NOT EXISTS bulk_delivered (
    listing TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    record_id TEXT NOT NULL,
    record_time REAL NOT NULL,
    PRIMARY KEY (listing, entity_id, record_id)
);
"""


def _text(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _moment(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


class SQLiteStateStore:
    """A :class:`StateStore` in one SQLite file (stdlib ``sqlite3``, WAL journal).

    The embedded default for scripts and the CLI: a process killed at any point (even with
    SIGKILL) leaves the file holding every acknowledged batch and nothing more. One file may
    serve many runs one after the other; use ``with SQLiteStateStore(path) as state:`` or
    :meth:`close`.
    """

    def __init__(self, path: str | PathLike[str]) -> None:
        try:
            connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            connection.execute("PRAGMA journal_mode=WAL")
            # WAL + NORMAL survives a killed process; only a power cut can lose the last commits.
            connection.execute("PRAGMA synchronous=NORMAL")
            connection.executescript(_SCHEMA)
            columns = {row[1] for row in connection.execute("PRAGMA table_info(bulk_cursor)")}
            if "covered_start" not in columns:  # a file written before the covered range was kept
                connection.execute("ALTER TABLE bulk_cursor ADD COLUMN covered_start TEXT")
        except sqlite3.Error as err:
            raise ConfigurationError(
                f"cannot use {str(path)!r} as a bulk state file ({err}); pass a writable path"
            ) from err
        self.path = path
        self._db = connection
        self._lock = threading.Lock()  # the blocking facade may use one store from several loops
        # Two processes on one file would both deliver what neither had acknowledged yet.
        self._run_lock = StateLock(Path(f"{os.fspath(path)}.store.lock"))
        try:
            if os.fspath(path) not in ("", ":memory:"):
                self._run_lock.acquire()
        except (StateInUseError, OSError) as err:
            connection.close()
            raise ConfigurationError(
                f"another process is using the bulk state file {os.fspath(path)!r} (it holds "
                f"{self._run_lock.path.name}); wait for that run to end, or give this run its own state file"
            ) from err

    async def load(self, listing: str, entity_id: str) -> EntityState:
        with self._lock:
            row = self._db.execute(
                "SELECT watermark, window_start, window_end, page, continuation_token, covered_start "
                "FROM bulk_cursor "
                "WHERE listing = ? AND entity_id = ?",
                (listing, entity_id),
            ).fetchone()
            ids = self._db.execute(
                "SELECT record_id FROM bulk_delivered WHERE listing = ? AND entity_id = ?",
                (listing, entity_id),
            ).fetchall()
        delivered = frozenset(record_id for (record_id,) in ids)
        if row is None:
            return EntityState(delivered=delivered)
        watermark, start, end, page, token, covered = row
        return EntityState(
            _moment(watermark), _moment(start), _moment(end), int(page), token, delivered, _moment(covered)
        )

    async def commit(self, listing: str, entity_id: str, update: StateUpdate) -> None:
        start, end, page, token = _cursor_of(update)
        key = (listing, entity_id)
        with self._lock:
            db = self._db
            db.execute("BEGIN IMMEDIATE")
            try:
                if update.finished:
                    covered, watermark = update.coverage
                    db.execute(
                        "INSERT INTO bulk_cursor (listing, entity_id, watermark, page, covered_start) "
                        "VALUES (?, ?, ?, 0, ?) ON CONFLICT (listing, entity_id) DO UPDATE SET "
                        "watermark = excluded.watermark, covered_start = excluded.covered_start, "
                        "window_start = NULL, window_end = NULL, page = 0, continuation_token = NULL",
                        (*key, _text(watermark), _text(covered)),
                    )
                else:
                    db.execute(
                        "INSERT INTO bulk_cursor (listing, entity_id, window_start, window_end, page, "
                        "continuation_token) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (listing, entity_id) "
                        "DO UPDATE SET window_start = excluded.window_start, "
                        "window_end = excluded.window_end, page = excluded.page, "
                        "continuation_token = excluded.continuation_token",
                        (*key, _text(start), _text(end), page, token),
                    )
                db.executemany(
                    "INSERT OR REPLACE INTO bulk_delivered VALUES (?, ?, ?, ?)",
                    [(*key, record_id, when.timestamp()) for record_id, when in update.delivered.items()],
                )
                if update.forget_before is not None:
                    db.execute(
                        "DELETE FROM bulk_delivered WHERE listing = ? AND entity_id = ? AND record_time < ?",
                        (*key, update.forget_before.timestamp()),
                    )
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    def close(self) -> None:
        """Close the database file."""
        with self._lock:
            self._db.close()
        self._run_lock.release()

    def __enter__(self) -> SQLiteStateStore:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"SQLiteStateStore({str(self.path)!r})"
