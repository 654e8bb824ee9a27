"""client.bulk faults found by a new user's trial: long Retry-After pauses, end before start,
user errors coming out as themselves, plain functions for map, failing progress hooks,
token expiries."""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import anyio
import pytest

from realto_async import (
    AsyncRealtoClient,
    AuthenticationError,
    BulkProgress,
    InvalidArgumentError,
    InvalidCredentialsError,
    RateLimitError,
)
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


class SourceBroke(Exception):
    """An error of the caller's own code."""


async def _ids_then_error(ids: list[str]) -> AsyncIterator[str]:
    for entity_id in ids:
        yield entity_id
    raise SourceBroke("the source broke")


def _sync_ids_then_error(ids: list[str]) -> Iterator[str]:
    yield from ids
    raise SourceBroke("the sync source broke")


async def _last(client: AsyncRealtoClient, entity_id: str) -> str:
    return entity_id


@pytest.mark.parametrize("kind", ["async generator", "generator", "at once"])
@pytest.mark.parametrize("job", ["readings", "map"])
async def test_an_error_of_the_entity_source_comes_out_as_itself(
    evs: tuple[FakeRealto, AsyncRealtoClient, list[str]], kind: str, job: str
) -> None:
    _, client, ids = evs
    source: Any
    if kind == "async generator":
        source = _ids_then_error(ids)
    elif kind == "generator":
        source = _sync_ids_then_error(ids)
    else:
        source = _sync_ids_then_error([])
    if job == "map":
        run: Any = client.bulk.map(functools.partial(_last, client), source)
    else:
        run = client.bulk.readings(source, start=timedelta(hours=2))
    with pytest.raises(SourceBroke, match="source broke"):  # not an ExceptionGroup
        await run.collect()
    assert run.report.cancelled


async def test_an_error_of_maps_fn_comes_out_as_itself(
    evs: tuple[FakeRealto, AsyncRealtoClient, list[str]],
) -> None:
    _, client, ids = evs

    async def broken(entity_id: str) -> str:
        raise KeyError(entity_id)

    run = client.bulk.map(broken, ids)
    with pytest.raises(KeyError):
        await run.collect()
    assert run.report.cancelled


def _plain(entity_id: str) -> int:
    return len(entity_id)


class _Callable:
    def __call__(self, entity_id: str) -> str:
        return entity_id


@pytest.mark.parametrize("fn", [_plain, _Callable(), lambda entity_id: None, str.upper])
async def test_map_with_a_plain_function_is_refused_with_a_typed_error(
    evs: tuple[FakeRealto, AsyncRealtoClient, list[str]], fn: Any
) -> None:
    _, client, ids = evs
    run = client.bulk.map(fn, ids, entity_retries=3)
    with pytest.raises(InvalidArgumentError, match="not an awaitable: pass a coroutine function"):
        await run.collect()
    assert run.report.failed == {}  # refused for the run, not charged to the entities


async def test_map_takes_a_function_returning_an_awaitable(
    evs: tuple[FakeRealto, AsyncRealtoClient, list[str]],
) -> None:
    _, client, ids = evs
    run = client.bulk.map(lambda entity_id: client.entities.retrieve(entity_id), ids)
    assert sorted(entity.id for entity in await run.collect()) == sorted(ids)


@pytest.mark.parametrize("asynchronous", [False, True])
async def test_an_on_progress_that_raises_stops_the_run_and_comes_out_as_itself(
    evs: tuple[FakeRealto, AsyncRealtoClient, list[str]], asynchronous: bool
) -> None:
    server, client, ids = evs
    calls: list[BulkProgress] = []
    server.faults.add("GET *", latency=0.2)

    def hook(progress: BulkProgress) -> None:
        calls.append(progress)
        raise SourceBroke("the progress bar broke")

    async def async_hook(progress: BulkProgress) -> None:
        hook(progress)

    run = client.bulk.readings(
        ids, start=timedelta(days=2), page_size=5, on_progress=async_hook if asynchronous else hook
    )
    with anyio.fail_after(30), pytest.raises(SourceBroke, match="progress bar"):
        await run.collect()
    assert run.report.cancelled
    assert run.report.entities_done < len(ids)
    assert len(calls) == 2  # the periodic call, and the final one (logged, the first error wins)


async def test_an_on_progress_that_raises_only_at_the_end_raises_after_the_report(
    evs: tuple[FakeRealto, AsyncRealtoClient, list[str]],
) -> None:
    _, client, ids = evs

    def hook(progress: BulkProgress) -> None:
        if progress.entities_finished == len(ids):
            raise SourceBroke("only at the end")

    run = client.bulk.readings(ids, start=timedelta(hours=2), on_progress=hook)
    with pytest.raises(SourceBroke):
        await run.collect()
    assert run.report.ok


@pytest.mark.parametrize("expiries", [2, 3])
async def test_tokens_expiring_again_after_the_refresh_cost_one_entity_retry(
    evs: tuple[FakeRealto, AsyncRealtoClient, list[str]], expiries: int
) -> None:
    server, client, ids = evs
    start, end = DEFAULT_START - timedelta(days=2), DEFAULT_START
    clean = await client.bulk.readings(ids, start=start, end=end).collect()
    route = f"GET /v1/entities/{ids[2]}/readings"
    expiring = server.faults.add(route, expire_tokens=True, times=expiries)
    run = client.bulk.readings(ids, start=start, end=end)
    again = await run.collect()
    assert expiring.applied == expiries
    assert run.report.ok
    assert sorted(r.id for r in again) == sorted(r.id for r in clean)


async def test_tokens_that_keep_expiring_fail_the_entity_after_one_retry_only(
    evs: tuple[FakeRealto, AsyncRealtoClient, list[str]],
) -> None:
    server, client, ids = evs
    expiring = server.faults.add(f"GET /v1/entities/{ids[0]}/readings", expire_tokens=True)
    # One at a time: an expiry ends every token, so others in flight would meet it too.
    window = {"start": DEFAULT_START - timedelta(days=1), "end": DEFAULT_START}
    run = client.bulk.readings(ids, concurrency=1, **window)  # type: ignore[arg-type]
    await run.collect()
    assert set(run.report.failed) == {ids[0]}
    assert type(run.report.failed[ids[0]]) is AuthenticationError
    assert expiring.applied == 4  # twice per try (the client replays once with a new token), two tries
    assert run.report.entities_done == len(ids) - 1


async def test_invalid_credentials_and_a_refused_static_token_still_fail_at_once(
    evs: tuple[FakeRealto, AsyncRealtoClient, list[str]],
) -> None:
    server, _, ids = evs
    window = {"start": DEFAULT_START - timedelta(days=1), "end": DEFAULT_START}
    async with server.client(client_secret="wrong") as wrong:
        run = wrong.bulk.readings(ids[:1], entity_retries=3, **window)  # type: ignore[arg-type]
        await run.collect()
    assert isinstance(run.report.failed[ids[0]], InvalidCredentialsError)
    assert run.report.retries == 0
    async with server.client(token="not-a-token", client_id=None, client_secret=None) as static:
        run = static.bulk.readings(ids[:1], entity_retries=3, **window)  # type: ignore[arg-type]
        await run.collect()
    assert isinstance(run.report.failed[ids[0]], AuthenticationError)
    assert run.report.retries == 0
    assert run.report.requests == 1
