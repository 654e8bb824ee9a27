"""client.bulk faults found by a new user's trial: long Retry-After pauses, end before start,
user errors coming out as themselves, plain functions for map, failing progress hooks,
token expiries."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta, timezone

import anyio
import pytest

from realto_async import AsyncRealtoClient, InvalidArgumentError, RateLimitError
from realto_async.testing import FakeClock, FakeRealto, Fleet
from realto_async.testing._clock import DEFAULT_START


def _end_of(clock: FakeClock) -> datetime:
    return clock.now().replace(microsecond=0) - timedelta(days=1)


@pytest.fixture
async def evs() -> AsyncIterator[tuple[FakeRealto, AsyncRealtoClient, list[str]]]:
    server = FakeRealto(seed=4, fleet=Fleet.only_evs(6), clock=FakeClock())
    async with server.serve(), server.client() as client:
        yield server, client, [ev.id async for ev in client.entities.list()]


@pytest.mark.parametrize("retry_after", [3600, 121, 86400])
async def test_a_retry_after_beyond_the_call_deadline_is_cut_to_it_and_counted(
    evs: tuple[FakeRealto, AsyncRealtoClient, list[str]], retry_after: int
) -> None:
    server, client, ids = evs
    end = _end_of(server.clock)  # type: ignore[arg-type]
    started = server.clock.now()
    server.faults.add("GET /v1/entities/*/charge-sessions", status=429, retry_after=retry_after, times=1)
    run = client.bulk.charge_sessions(ids, start=end - timedelta(days=3), end=end)
    with anyio.fail_after(30):
        records = await run.collect()
    assert records
    report = run.report
    assert report.ok
    assert report.entities_done == len(ids)
    assert report.pauses_capped == 1
    assert report.seconds_throttled == 120  # the client's per-call deadline (default total)
    assert server.clock.now() - started < timedelta(seconds=retry_after)


async def test_an_entity_the_server_keeps_refusing_fails_with_the_rate_limit_error_others_go_on(
    evs: tuple[FakeRealto, AsyncRealtoClient, list[str]],
) -> None:
    server, client, ids = evs
    end = _end_of(server.clock)  # type: ignore[arg-type]
    refused = server.faults.add(f"GET /v1/entities/{ids[0]}/charge-sessions", status=429, retry_after=3600)
    async with server.client(timeout=10) as short:
        run = short.bulk.charge_sessions(ids, start=end - timedelta(days=3), end=end, entity_retries=2)
        with anyio.fail_after(30):
            await run.collect()
    report = run.report
    assert set(report.failed) == {ids[0]}
    error = report.failed[ids[0]]
    assert isinstance(error, RateLimitError)
    assert error.retry_after == 3600
    assert refused.applied == 3  # the first try and entity_retries=2
    assert report.entities_done == len(ids) - 1
    assert report.pauses_capped == 3
    assert report.seconds_throttled == 3 * 10  # each pause cut to the 10 s deadline
    assert client.config.timeout.total == 120
    assert short.config.timeout.total == 10


async def test_short_retry_afters_that_keep_coming_still_end_in_failed(
    evs: tuple[FakeRealto, AsyncRealtoClient, list[str]],
) -> None:
    server, client, ids = evs
    end = _end_of(server.clock)  # type: ignore[arg-type]
    server.faults.add(f"GET /v1/entities/{ids[1]}/charge-sessions", status=429, retry_after=1)
    run = client.bulk.charge_sessions(ids, start=end - timedelta(days=3), end=end, entity_retries=1)
    with anyio.fail_after(60):
        await run.collect()
    assert set(run.report.failed) == {ids[1]}
    assert isinstance(run.report.failed[ids[1]], RateLimitError)
    assert run.report.pauses_capped == 0
    assert run.report.entities_done == len(ids) - 1


UTC = timezone.utc


@pytest.mark.parametrize("listing", ["charge_sessions", "readings", "aggregations", "commands"])
@pytest.mark.parametrize(
    ("start", "end"),
    [
        (timedelta(days=1), datetime(2020, 1, 1, tzinfo=UTC)),  # a timedelta is back from now
        (timedelta(minutes=5), DEFAULT_START - timedelta(hours=1)),  # the emulator's now
        (datetime(2024, 5, 2, tzinfo=UTC), datetime(2024, 5, 1, tzinfo=UTC)),
        (datetime(2024, 5, 1, 2, tzinfo=timezone(timedelta(hours=3))), datetime(2024, 4, 30, 22, tzinfo=UTC)),
    ],
)
async def test_end_before_start_is_refused_before_any_request(
    evs: tuple[FakeRealto, AsyncRealtoClient, list[str]],
    listing: str,
    start: datetime | timedelta,
    end: datetime,
) -> None:
    server, client, _ = evs
    sent = len(server.requests)
    with pytest.raises(InvalidArgumentError, match="is before start") as raised:
        getattr(client.bulk, listing)(entity_type="EV", start=start, end=end)
    assert end.isoformat()[:10] in str(raised.value)
    assert len(server.requests) == sent
