"""client.bulk: the runs, isolation of failures, skipping, acknowledgement and resumption."""

from __future__ import annotations

import gc
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import anyio
import anyio.lowlevel
import pytest

from realto_async import (
    AsyncRealtoClient,
    BulkBatch,
    BulkProgress,
    ChargingRecord,
    InternalServerError,
    InvalidArgumentError,
    MemoryStateStore,
    RealtoError,
    SQLiteStateStore,
)
from realto_async.bulk import _gc
from realto_async.testing import FakeClock, FakeRealto, Fleet

END = datetime(2024, 3, 1, tzinfo=timezone.utc)
START = END - timedelta(days=20)


@pytest.fixture
async def fleet() -> AsyncIterator[tuple[FakeRealto, AsyncRealtoClient]]:
    server = FakeRealto(seed=5, fleet=Fleet(evs=12, heat_pumps=2), clock=FakeClock())
    async with server.serve(), server.client() as client:
        yield server, client


async def _ev_ids(client: AsyncRealtoClient) -> list[str]:
    return [entity.id async for entity in client.entities.list(type="EV")]


async def _by_hand(client: AsyncRealtoClient, ids: list[str]) -> list[str]:
    return [record.id for ev in ids async for record in client.charge_sessions.list(ev, START, END)]


async def test_a_run_delivers_what_the_listings_hold_once_each(
    fleet: tuple[FakeRealto, AsyncRealtoClient],
) -> None:
    _, client = fleet
    ids = await _ev_ids(client)
    expected = await _by_hand(client, ids)
    run = client.bulk.charge_sessions(ids, start=START, end=END, page_size=5, concurrency=4)
    batches = [batch async for batch in run]
    got = [record.id for batch in batches for record in batch.records]
    assert Counter(got) == Counter(expected)
    assert len(got) == len(set(got)) > len(ids)
    assert all(isinstance(batch, BulkBatch) and 0 < len(batch) <= 5 for batch in batches)
    assert all(batch.window_start == START and batch.window_end == END for batch in batches)
    for ev in ids:  # pages of one entity come in order, numbered from 0
        pages = [batch.page for batch in batches if batch.entity_id == ev]
        assert pages == list(range(len(pages)))
    report = run.report
    assert (report.entities_done, report.entities_failed, report.entities_skipped) == (12, 0, 0)
    assert report.records == len(expected)
    assert report.ok
    assert report.requests >= len(batches)


async def test_a_fleet_listing_streams_in_and_other_types_are_skipped_not_failed(
    fleet: tuple[FakeRealto, AsyncRealtoClient],
) -> None:
    server, client = fleet
    ids = await _ev_ids(client)
    expected = await _by_hand(client, ids)
    run = client.bulk.charge_sessions(client.entities.list(), start=START, end=END)
    records = await run.collect()
    assert sorted(r.id for r in records) == sorted(expected)
    assert all(isinstance(r, ChargingRecord) for r in records)
    heat_pumps = {e.id async for e in client.entities.list(type="HeatPump")}
    report = run.report
    assert report.entities_done == 12
    assert heat_pumps <= set(report.skipped)
    everyone = [entity.id async for entity in client.entities.list()]
    assert report.entities_skipped == len(everyone) - len(ids) == len(report.skipped)
    asked = {r.path.split("/")[3] for r in server.requests if r.path.endswith("/charge-sessions")}
    assert not asked & set(report.skipped)  # skipped without a request

    by_type = client.bulk.charge_sessions(entity_type="HeatPump", start=START, end=END)
    assert await by_type.collect() == []
    assert by_type.report.entities_skipped == len(heat_pumps)
    assert by_type.report.entities_done == 0


async def test_one_permanently_failing_entity_is_reported_and_the_others_complete(
    fleet: tuple[FakeRealto, AsyncRealtoClient],
) -> None:
    server, client = fleet
    ids = await _ev_ids(client)
    broken = ids[3]
    expected = await _by_hand(client, [ev for ev in ids if ev != broken])
    fault = server.faults.add(f"GET /v1/entities/{broken}/charge-sessions", status=500)
    run = client.bulk.charge_sessions(ids, start=START, end=END, page_size=5)
    records = await run.collect()
    assert sorted(r.id for r in records) == sorted(expected)
    report = run.report
    assert list(report.failed) == [broken]
    assert isinstance(report.failed[broken], InternalServerError)
    assert report.entities_done == len(ids) - 1
    assert report.entities_failed == 1
    assert not report.ok
    # 1 + 2 client retries, for the first try and each of the 3 entity retries
    assert fault.applied == 4 * 3
    assert report.retries >= 3 + 4 * 2


async def test_fail_fast_stops_at_the_first_failure_with_its_typed_error(
    fleet: tuple[FakeRealto, AsyncRealtoClient],
) -> None:
    server, client = fleet
    ids = await _ev_ids(client)
    server.faults.add(f"GET /v1/entities/{ids[0]}/charge-sessions", status=404)
    before = gc.get_threshold()
    run = client.bulk.charge_sessions(
        ids, start=START, end=END, fail_fast=True, concurrency=2, gc="throughput"
    )
    with pytest.raises(RealtoError, match="404") as info:
        await run.collect()
    assert gc.get_threshold() == before  # the collector is restored when a run fails too
    assert info.value.status_code == 404  # type: ignore[attr-defined]
    assert run.report.cancelled
    assert ids[0] in run.report.failed


async def test_an_incremental_run_delivers_only_what_is_new(
    fleet: tuple[FakeRealto, AsyncRealtoClient],
) -> None:
    _, client = fleet
    ids = await _ev_ids(client)
    state = MemoryStateStore()
    first = await client.bulk.charge_sessions(
        ids, start=START, end=END - timedelta(days=5), state=state
    ).collect()
    second = await client.bulk.charge_sessions(ids, start=START, end=END, state=state).collect()
    assert {r.id for r in first}.isdisjoint(r.id for r in second)
    assert sorted(r.id for r in first + second) == sorted(await _by_hand(client, ids))
    again = client.bulk.charge_sessions(ids, start=START, end=END, state=state)
    assert await again.collect() == []
    assert again.report.requests == 0
    assert again.report.entities_done == len(ids)


async def _consume_and_cancel(
    client: AsyncRealtoClient, ids: list[str], path: Path, stop_after: int
) -> list[str]:
    seen: list[str] = []
    with SQLiteStateStore(path) as state:
        run = client.bulk.charge_sessions(ids, start=START, end=END, state=state, page_size=3, concurrency=3)
        with anyio.CancelScope() as scope:
            async with run:  # waits for the run to wind down
                async for batch in run:
                    seen.extend(record.id for record in batch.records)
                    if len(seen) >= stop_after:
                        scope.cancel()
                        await anyio.lowlevel.checkpoint()  # cancelled here, before asking for the next batch
        assert run.report.cancelled
    return seen


async def test_a_cancelled_run_resumes_with_every_record_and_none_acknowledged_twice(
    fleet: tuple[FakeRealto, AsyncRealtoClient], tmp_path: Path
) -> None:
    _, client = fleet
    ids = await _ev_ids(client)
    expected = await _by_hand(client, ids)
    path = tmp_path / "state.db"
    delivered: list[list[str]] = []
    for stop_after in (7, 20, 45):
        delivered.append(await _consume_and_cancel(client, ids, path, stop_after))
    with SQLiteStateStore(path) as state:
        run = client.bulk.charge_sessions(ids, start=START, end=END, state=state, page_size=3)
        delivered.append([record.id for record in await run.collect()])
    everything = [record for part in delivered for record in part]
    assert set(everything) == set(expected)
    # Only the batch in hand when a run was cancelled (at most 3 records) comes again.
    assert len(everything) - len(expected) <= 3 * 3
    assert len(everything) >= len(expected)


async def test_ack_commits_at_once_and_breaking_out_keeps_the_last_batch_unacknowledged(
    fleet: tuple[FakeRealto, AsyncRealtoClient],
) -> None:
    _, client = fleet
    ids = (await _ev_ids(client))[:1]
    state = MemoryStateStore()
    run = client.bulk.charge_sessions(ids, start=START, end=END, state=state, page_size=2)
    async with run:
        async for batch in run:
            first = batch
            await run.ack()
            break
    saved = await state.load("charge_sessions", ids[0])
    assert saved.page == 1
    assert saved.window_end == END
    assert saved.delivered == {r.id for r in first.records}
    run = client.bulk.charge_sessions(ids, start=START, end=END, state=state, page_size=2)
    async with run:
        async for batch in run:
            assert batch.page == 1
            assert batch.window_start == START
            break
    assert (await state.load("charge_sessions", ids[0])).page == 1  # not acknowledged
    assert run.report.cancelled


async def test_map_calls_any_per_entity_coroutine(fleet: tuple[FakeRealto, AsyncRealtoClient]) -> None:
    server, client = fleet
    ids = await _ev_ids(client)
    server.faults.add(f"GET /v1/entities/{ids[0]}/readings/last", status=503, times=3)
    progress: list[BulkProgress] = []
    run = client.bulk.map(client.readings.last, ids, concurrency=5, on_progress=progress.append)
    readings = await run.collect()
    assert sorted(r.entity_id for r in readings) == sorted(ids)
    # fn's own client retried twice (unseen by the run), then the run retried the entity once
    assert run.report.entities_done == len(ids)
    assert run.report.retries == 1
    assert progress[-1].entities_done == len(ids)
    assert progress[-1].entities_total == len(ids)


async def test_arguments_are_checked_before_anything_is_sent(
    fleet: tuple[FakeRealto, AsyncRealtoClient],
) -> None:
    _, client = fleet
    bad: list[dict[str, Any]] = [
        {"start": datetime(2024, 1, 1)},
        {"start": timedelta(days=-1)},
        {"start": START, "end": START - timedelta(days=1)},
        {"start": START, "concurrency": 0},
        {"start": START, "rate": 0},
        {"start": START, "rate": float("inf")},
        {"start": START, "rate": 10**400},
        {"start": START, "entity_retries": -1},
        {"start": START, "fail_fast": "yes"},
        {"start": START, "state": "state.db"},
        {"start": START, "lookback": 5},
        {"start": START, "page_size": 5000},
        {"start": START, "gc": "fast"},
        {"start": START, "on_progress": 3},
    ]
    for options in bad:
        with pytest.raises(InvalidArgumentError):
            client.bulk.charge_sessions(**options)
    for entity_ids in ("3c90c3cc-0d44-4b50-8888-8dd25736052a", 42):
        with pytest.raises(InvalidArgumentError, match="entity_ids"):
            client.bulk.charge_sessions(entity_ids, start=START)  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentError, match="not both"):
        client.bulk.charge_sessions([], entity_type="EV", start=START)
    run = client.bulk.charge_sessions(["not-a-uuid"], start=START, end=END)
    assert await run.collect() == []
    assert isinstance(run.report.failed["not-a-uuid"], InvalidArgumentError)


async def test_the_throughput_gc_mode_is_restored_after_the_run_even_when_cancelled(
    fleet: tuple[FakeRealto, AsyncRealtoClient],
) -> None:
    _, client = fleet
    ids = await _ev_ids(client)
    before = gc.get_threshold()
    seen: list[tuple[int, int, int]] = []
    run = client.bulk.charge_sessions(ids, start=START, end=END, gc="throughput", page_size=2)
    async for _ in run:
        seen.append(gc.get_threshold())
    assert seen[0] == _gc.THROUGHPUT_THRESHOLDS
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0

    with anyio.CancelScope() as scope:
        cancelled = client.bulk.charge_sessions(ids, start=START, end=END, gc="throughput", page_size=2)
        async with cancelled:
            async for _ in cancelled:
                assert gc.get_threshold() == _gc.THROUGHPUT_THRESHOLDS
                scope.cancel()
                await anyio.lowlevel.checkpoint()
    assert cancelled.report.cancelled
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0

    client_default = client.bulk.charge_sessions(ids, start=START, end=END)
    async for _ in client_default:
        assert gc.get_threshold() == before  # never changed unless asked for


async def test_an_exception_from_maps_own_function_stops_the_run_and_is_raised_as_is(
    fleet: tuple[FakeRealto, AsyncRealtoClient],
) -> None:
    _, client = fleet
    ids = await _ev_ids(client)

    async def broken(entity_id: str) -> str:
        if entity_id == ids[2]:
            raise ValueError(f"cannot handle {entity_id}")
        return entity_id

    run = client.bulk.map(broken, ids, concurrency=2)
    with pytest.raises(ValueError, match="cannot handle"):
        await run.collect()
    assert run.report.cancelled
    with pytest.raises(InvalidArgumentError, match="fn must be"):
        client.bulk.map("readings.last", ids)  # type: ignore[arg-type]


async def test_an_exception_from_the_entity_source_stops_the_run_and_is_raised_as_is(
    fleet: tuple[FakeRealto, AsyncRealtoClient],
) -> None:
    _, client = fleet
    ids = await _ev_ids(client)

    async def async_source() -> AsyncIterator[str]:
        yield ids[0]
        raise ValueError("the async source broke")

    def source() -> Iterator[str]:
        yield ids[1]
        raise KeyError("the source broke")

    for entity_ids, error in ((async_source(), ValueError), (source(), KeyError)):
        run = client.bulk.charge_sessions(entity_ids, start=START, end=END)
        with pytest.raises(error, match="source broke"):
            await run.collect()
        assert run.report.cancelled


async def test_overlapping_throughput_runs_restore_the_collector_when_the_last_one_ends(
    fleet: tuple[FakeRealto, AsyncRealtoClient],
) -> None:
    _, client = fleet
    ids = await _ev_ids(client)
    before = gc.get_threshold()
    first = client.bulk.charge_sessions(ids, start=START, end=END, gc="throughput", page_size=2)
    second = client.bulk.charge_sessions(ids, start=START, end=END, gc="throughput", page_size=2)
    async with first, second:
        outer = first.__aiter__()
        await outer.__anext__()
        await second.collect()
        assert gc.get_threshold() == _gc.THROUGHPUT_THRESHOLDS  # the first run still needs it
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0
