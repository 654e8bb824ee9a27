"""Bulk state: the stores, the other listings' incremental runs, stale tokens, custom stores."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import attrs
import pytest

from realto_async import (
    AsyncRealtoClient,
    ConfigurationError,
    MemoryStateStore,
    RealtoError,
    SQLiteStateStore,
    StateStore,
)
from realto_async.bulk import BulkBatch, BulkReport, EntityState, StateUpdate
from realto_async.testing import FakeClock, FakeRealto, Fleet

T0 = datetime(2024, 2, 1, tzinfo=timezone.utc)


def _update(
    finished: bool, page: int, ids: dict[str, datetime], forget: datetime | None = None
) -> StateUpdate:
    return StateUpdate(
        finished=finished,
        window_start=T0,
        window_end=T0 + timedelta(days=1),
        page=page,
        continuation_token=None if finished else f"token-{page}",
        delivered=ids,
        forget_before=forget,
    )


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
async def test_both_stores_keep_cursor_watermark_and_the_ids_inside_the_lookback(
    kind: str, tmp_path: Path
) -> None:
    store: StateStore = MemoryStateStore() if kind == "memory" else SQLiteStateStore(tmp_path / "s.db")
    assert isinstance(store, StateStore)
    assert await store.load("readings", "e1") == EntityState()
    await store.commit("readings", "e1", _update(False, 1, {"a": T0, "b": T0 + timedelta(hours=20)}))
    state = await store.load("readings", "e1")
    assert (state.window_start, state.window_end, state.page) == (T0, T0 + timedelta(days=1), 1)
    assert state.continuation_token == "token-1"
    assert state.interrupted
    assert state.watermark is None
    assert state.delivered == {"a", "b"}
    forget = T0 + timedelta(hours=12)
    await store.commit("readings", "e1", _update(True, 2, {"c": T0 + timedelta(hours=23)}, forget))
    state = await store.load("readings", "e1")
    assert state.watermark == T0 + timedelta(days=1)
    assert not state.interrupted
    assert state.continuation_token is None
    assert state.delivered == {"b", "c"}  # "a" is older than the next run's lookback
    assert await store.load("readings", "e2") == EntityState()  # per entity
    assert (await store.load("commands", "e1")).delivered == frozenset()  # and per listing
    if isinstance(store, SQLiteStateStore):
        store.close()
        with SQLiteStateStore(tmp_path / "s.db") as reopened:  # on disk, exactly
            assert await reopened.load("readings", "e1") == state
            assert repr(reopened).startswith("SQLiteStateStore(")


def test_an_unusable_state_path_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="bulk state file"):
        SQLiteStateStore(tmp_path / "missing-folder" / "state.db")


@attrs.define
class DictStore:
    """A store of one's own: anything with load and commit (Redis, Postgres...)."""

    commits: list[tuple[str, str, StateUpdate]] = attrs.Factory(list)
    inner: MemoryStateStore = attrs.Factory(MemoryStateStore)

    async def load(self, listing: str, entity_id: str) -> EntityState:
        return await self.inner.load(listing, entity_id)

    async def commit(self, listing: str, entity_id: str, update: StateUpdate) -> None:
        self.commits.append((listing, entity_id, update))
        await self.inner.commit(listing, entity_id, update)


@pytest.fixture
async def served() -> AsyncIterator[tuple[FakeRealto, AsyncRealtoClient]]:
    server = FakeRealto(seed=9, fleet=Fleet.only_evs(3), clock=FakeClock())
    async with server.serve(), server.client() as client:
        yield server, client


async def test_readings_run_incrementally_with_a_store_of_ones_own(
    served: tuple[FakeRealto, AsyncRealtoClient],
) -> None:
    server, client = served
    store = DictStore()
    now = server.clock.now()
    first = client.bulk.readings(entity_type="EV", start=timedelta(hours=6), state=store, page_size=10)
    earlier = await first.collect()
    assert len(earlier) == 3 * 6 * 4  # a reading every 15 minutes
    assert [c[0] for c in store.commits] == ["readings"] * len(store.commits)
    server.clock.advance(timedelta(hours=2))  # type: ignore[attr-defined]
    second = client.bulk.readings(entity_type="EV", start=timedelta(hours=6), state=store)
    later = await second.collect()
    # Only the two new hours: the 1 h lookback overlap is fetched again but not delivered twice.
    assert len(later) == 3 * 2 * 4
    assert {r.id for r in earlier}.isdisjoint(r.id for r in later)
    assert min(r.measured for r in later) >= now
    overlap = [r for r in server.requests if r.path.endswith("/readings")][-3:]
    assert all(
        q.query["start"].startswith((now - timedelta(hours=1)).strftime("%Y-%m-%dT%H")) for q in overlap
    )


async def test_aggregations_and_commands_listings(served: tuple[FakeRealto, AsyncRealtoClient]) -> None:
    server, client = served
    ids = [ev.id async for ev in client.entities.list()]
    hourly = client.bulk.aggregations(ids, start=timedelta(hours=5), resolution=timedelta(hours=1))
    buckets = await hourly.collect()
    assert len(buckets) == 3 * 5
    assert all(b.end - b.start == timedelta(hours=1) for b in buckets)
    for ev in ids:
        await client.commands.trigger(ev, type="StartCharging")
    server.clock.advance(timedelta(minutes=1))  # type: ignore[attr-defined]
    state = MemoryStateStore()
    sent = await client.bulk.commands(ids, start=timedelta(hours=1), state=state).collect()
    assert sorted(c.entity_id or "" for c in sent) == sorted(ids)
    assert await client.bulk.commands(ids, start=timedelta(hours=1), state=state).collect() == []


async def test_a_refused_stored_token_lists_the_window_again_without_repeating_records(
    served: tuple[FakeRealto, AsyncRealtoClient],
) -> None:
    server, client = served
    ids = [e.id async for e in client.entities.list()]
    ev = ids[0]
    end = server.clock.now() - timedelta(days=1)
    start = end - timedelta(days=10)
    everything = [r async for r in client.charge_sessions.list(ev, start, end)]
    state = MemoryStateStore()
    stale = StateUpdate(
        False, start, end, 2, "expired-token", {r.id: r.data.end for r in everything[:4]}, None
    )
    await state.commit("charge_sessions", ev, stale)
    run = client.bulk.charge_sessions([ev], start=start, end=end, state=state)
    again = await run.collect()
    assert [r.id for r in again] == [r.id for r in everything[4:]]
    assert run.report.ok


async def test_a_run_not_yet_iterated_can_be_closed_and_reports_nothing_done(
    served: tuple[FakeRealto, AsyncRealtoClient],
) -> None:
    server, client = served
    run = client.bulk.charge_sessions(entity_type="EV", start=timedelta(days=2))
    assert "not started" in repr(run)
    assert run.progress.entities_total is None
    with pytest.raises(RealtoError, match="has not ended"):
        _ = run.report
    before = len(server.requests)
    await run.aclose()
    assert run.done
    report: BulkReport = run.report
    assert report.cancelled
    assert report.entities_done == 0
    assert len(server.requests) == before
    with pytest.raises(RealtoError, match="already iterated"):
        run.__aiter__()


def test_a_batch_names_itself_stably() -> None:
    batch: BulkBatch[int] = BulkBatch("e1", [1, 2], 3, T0, T0 + timedelta(days=1), "readings")
    assert batch.key == "e1/2024-02-01T00:00:00+00:00/2024-02-02T00:00:00+00:00/3"
    assert len(batch) == 2
    assert BulkBatch("e2", ["x"]).key == "e2///0"


def test_one_process_at_a_time_uses_a_state_file(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\nfrom realto_async import SQLiteStateStore\n"
            f"store = SQLiteStateStore({str(path)!r})\nprint('held', flush=True)\ntime.sleep(60)\n",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(ConfigurationError, match="another process is using the bulk state file"):
            SQLiteStateStore(path)
    finally:
        holder.kill()  # however it ends, the operating system releases its lock
        holder.wait()
    with SQLiteStateStore(path), pytest.raises(ConfigurationError, match="another process"):
        SQLiteStateStore(path)  # a second store on the same file, even in this process
    with SQLiteStateStore(path) as again:  # closed stores let go of the file
        assert again.path == path
