"""A CancelledError raised by the caller's own code inside a bulk run (map's fn, the entity_ids
source) stops the run with an error saying so: no entity goes missing without a word. Cancelling
the run itself still cancels it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime, timedelta, timezone

import anyio
import pytest

from realto_async import AsyncRealtoClient, BulkProgress, RealtoError
from realto_async.testing import FakeClock, FakeRealto, Fleet

END = datetime(2024, 3, 1, tzinfo=timezone.utc)
START = END - timedelta(days=5)


@pytest.fixture
async def served() -> AsyncIterator[tuple[FakeRealto, AsyncRealtoClient]]:
    server = FakeRealto(seed=6, fleet=Fleet.only_evs(12), clock=FakeClock())
    async with server.serve(), server.client() as client:
        yield server, client


@pytest.mark.parametrize("position", [0, 5, 11])
async def test_a_cancelled_error_from_maps_fn_stops_the_run_with_an_error(
    served: tuple[FakeRealto, AsyncRealtoClient], position: int
) -> None:
    _, client = served
    ids = [entity.id async for entity in client.entities.list(type="EV")]

    async def fn(entity_id: str) -> str:
        if entity_id == ids[position]:
            raise asyncio.CancelledError()
        return entity_id

    run = client.bulk.map(fn, ids, concurrency=3)
    with pytest.raises(RealtoError, match="CancelledError") as caught:
        await run.collect()
    assert ids[position] in str(caught.value)
    assert run.report.cancelled


@pytest.mark.parametrize("after", [0, 4])
async def test_a_cancelled_error_from_the_source_stops_the_run_with_an_error(
    served: tuple[FakeRealto, AsyncRealtoClient], after: int
) -> None:
    _, client = served
    ids = [entity.id async for entity in client.entities.list(type="EV")]

    async def source() -> AsyncIterator[str]:
        for number, entity_id in enumerate(ids):
            if number == after:
                raise asyncio.CancelledError()
            yield entity_id

    run = client.bulk.charge_sessions(source(), start=START, end=END, concurrency=2)
    with pytest.raises(RealtoError, match="entity_ids source raised CancelledError"):
        await run.collect()
    assert run.report.cancelled


async def test_cancelling_the_consumer_still_cancels_the_run(
    served: tuple[FakeRealto, AsyncRealtoClient],
) -> None:
    server, client = served
    ids = [entity.id async for entity in client.entities.list(type="EV")]
    server.faults.add("GET /v1/entities/*/charge-sessions", latency=30)
    run = client.bulk.charge_sessions(ids, start=START, end=END, concurrency=4)
    with anyio.move_on_after(0.2) as scope:
        await run.collect()
    assert scope.cancelled_caught
    await run.aclose()
    assert run.report.cancelled
    assert run.report.entities_done == 0


@pytest.mark.parametrize("rate", [3.0, 5.0, 6.0, 7.5, 0.7])
async def test_rate_on_a_fake_clock_spaces_the_requests_in_its_time_and_ends(
    served: tuple[FakeRealto, AsyncRealtoClient], rate: float
) -> None:
    # A clock in whole microseconds once left the token bucket a hair short of a token forever.
    server, client = served
    ids = [entity.id async for entity in client.entities.list(type="EV")]
    clock = server.clock
    assert isinstance(clock, FakeClock)
    began = clock.monotonic()
    run = client.bulk.charge_sessions(ids, start=START, end=END, rate=rate, concurrency=4)
    with anyio.fail_after(30):
        await run.collect()
    assert run.report.ok
    # One request every 1 / rate seconds from the first: no burst, even at the start.
    assert clock.monotonic() - began >= (run.report.requests - 1) / rate - 1e-3


@pytest.mark.parametrize("latency", [0.0, 0.3], ids=["the last call", "a call on the way"])
async def test_a_cancelled_error_from_on_progress_stops_the_run_with_an_error(
    served: tuple[FakeRealto, AsyncRealtoClient], latency: float
) -> None:
    server, client = served
    ids = [entity.id async for entity in client.entities.list(type="EV")][:4]
    if latency:
        server.faults.add("GET /v1/entities/*/charge-sessions", latency=latency)
    calls: list[float] = []

    async def on_progress(progress: BulkProgress) -> None:
        calls.append(progress.elapsed)
        raise asyncio.CancelledError()

    run = client.bulk.charge_sessions(ids, start=START, end=END, concurrency=1, on_progress=on_progress)
    with pytest.raises(RealtoError, match="on_progress raised CancelledError"):
        await run.collect()
    assert calls
    assert run.done
