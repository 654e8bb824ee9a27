"""Bulk state keeps the covered range: a run whose start is before it lists the earlier part."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from realto_async import AsyncRealtoClient, MemoryStateStore, SQLiteStateStore, StateStore
from realto_async.testing import FakeClock, FakeRealto, Fleet

PER_HOUR = 4 * 3  # a reading every 15 minutes, 3 EVs


@pytest.fixture
async def served() -> AsyncIterator[tuple[FakeRealto, AsyncRealtoClient]]:
    server = FakeRealto(seed=9, fleet=Fleet.only_evs(3), clock=FakeClock())
    async with server.serve(), server.client() as client:
        yield server, client


def _store(kind: str, tmp_path: Path) -> StateStore:
    return MemoryStateStore() if kind == "memory" else SQLiteStateStore(tmp_path / "state.db")


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
async def test_an_earlier_start_with_an_existing_state_delivers_the_earlier_part(
    served: tuple[FakeRealto, AsyncRealtoClient], kind: str, tmp_path: Path
) -> None:
    server, client = served
    store = _store(kind, tmp_path)
    now = server.clock.now()
    first = await client.bulk.readings(entity_type="EV", start=timedelta(hours=2), state=store).collect()
    assert len(first) == 2 * PER_HOUR
    second = await client.bulk.readings(
        entity_type="EV", start=timedelta(hours=6), state=store, page_size=7
    ).collect()
    assert len(second) == 4 * PER_HOUR  # exactly the four earlier hours, none twice
    assert {r.id for r in first}.isdisjoint(r.id for r in second)
    assert max(r.measured for r in second) < now - timedelta(hours=2)
    # Earlier again, and later at the same time: both ends are listed, nothing comes twice.
    server.clock.advance(timedelta(hours=1))  # type: ignore[attr-defined]
    third = await client.bulk.readings(entity_type="EV", start=timedelta(hours=9), state=store).collect()
    assert len(third) == 2 * PER_HOUR + 1 * PER_HOUR
    seen = [r.id for r in first + second + third]
    assert len(seen) == len(set(seen))
    # The whole range is now covered: a repeat delivers nothing.
    assert await client.bulk.readings(entity_type="EV", start=timedelta(hours=9), state=store).collect() == []


async def test_a_window_wholly_before_the_covered_range_is_listed_and_not_repeated(
    served: tuple[FakeRealto, AsyncRealtoClient],
) -> None:
    server, client = served
    store = MemoryStateStore()
    now = server.clock.now()
    await client.bulk.readings(entity_type="EV", start=timedelta(hours=2), state=store).collect()
    old_start, old_end = now - timedelta(hours=8), now - timedelta(hours=5)
    before = await client.bulk.readings(entity_type="EV", start=old_start, end=old_end, state=store).collect()
    assert len(before) == 3 * PER_HOUR
    again = await client.bulk.readings(entity_type="EV", start=old_start, end=old_end, state=store).collect()
    assert again == []
    # The gap between that window and the covered range was never listed: it is listed now.
    gap = await client.bulk.readings(entity_type="EV", start=timedelta(hours=8), state=store).collect()
    assert len(gap) == 3 * PER_HOUR
    assert {r.id for r in gap}.isdisjoint(r.id for r in before)


async def test_an_interrupted_earlier_window_resumes_with_the_same_batch_keys(
    served: tuple[FakeRealto, AsyncRealtoClient], tmp_path: Path
) -> None:
    _, client = served
    store = SQLiteStateStore(tmp_path / "state.db")
    await client.bulk.readings(entity_type="EV", start=timedelta(hours=2), state=store).collect()
    keys: list[str] = []
    run = client.bulk.readings(
        entity_type="EV", start=timedelta(hours=6), state=store, page_size=5, concurrency=1
    )
    async with run:
        async for batch in run:
            keys.append(batch.key)
            await run.ack()
            if len(keys) == 2:
                break
    resumed = client.bulk.readings(
        entity_type="EV", start=timedelta(hours=6), state=store, page_size=5, concurrency=1
    )
    rest = [batch async for batch in resumed]
    assert rest[0].key.rsplit("/", 1)[0] == keys[-1].rsplit("/", 1)[0]  # the same window
    assert rest[0].page == 2
    total = sum(len(b) for b in rest) + 2 * 5
    assert total == 4 * PER_HOUR


async def test_a_state_file_from_before_the_covered_range_opens_and_keeps_its_watermark(
    served: tuple[FakeRealto, AsyncRealtoClient], tmp_path: Path
) -> None:
    server, client = served
    path = tmp_path / "old.db"
    legacy = sqlite3.connect(path)
    legacy.executescript(
        "CREATE TABLE bulk_cursor (listing TEXT NOT NULL, entity_id TEXT NOT NULL, watermark TEXT, "
        "window_start TEXT, window_end TEXT, page INTEGER NOT NULL DEFAULT 0, continuation_token TEXT, "
        "PRIMARY KEY (listing, entity_id));"
    )
    legacy.close()
    with SQLiteStateStore(path) as store:
        first = await client.bulk.readings(entity_type="EV", start=timedelta(hours=2), state=store).collect()
        state = await store.load("readings", first[0].entity_id)
        assert state.covered_start == server.clock.now() - timedelta(hours=2)
        assert state.watermark == server.clock.now()
