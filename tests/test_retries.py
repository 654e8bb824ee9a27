"""Retries over real sockets: statuses, Retry-After, the deadline, method rules, the hook."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, timezone
from email.utils import format_datetime as http_date

import pytest
from aiohttp import web

from realto_async import (
    APIConnectionError,
    APITimeoutError,
    AsyncRealtoClient,
    BadRequestError,
    ConflictError,
    InternalServerError,
    RateLimitError,
    RetryEvent,
    RetryPolicy,
    Timeout,
)
from tests.helpers import ENTITY_ID, FakeClock, ScriptedServer, entity_payload

MakeClient = Callable[..., AsyncRealtoClient]
ENTITY_PATH = f"/v1/entities/{ENTITY_ID}"


async def test_503_is_retried_with_backoff_and_retry_count_header(
    server: ScriptedServer, client: AsyncRealtoClient, clock: FakeClock
) -> None:
    server.on(
        "GET",
        ENTITY_PATH,
        (503, {"errors": []}, None),
        (502, "<html>bad gateway</html>", None),
        entity_payload(),
    )
    entity = await client.entities.retrieve(ENTITY_ID)
    assert entity.id == ENTITY_ID
    assert [r.headers.get("X-Retry-Count") for r in server.requests] == [None, "1", "2"]
    assert len(clock.sleeps) == 2
    assert 0 <= clock.sleeps[0] <= 0.5  # full jitter under initial_delay
    assert 0 <= clock.sleeps[1] <= 1.0  # ... and under twice that


async def test_retries_stop_at_max_retries_with_the_last_error(
    server: ScriptedServer, make_client: MakeClient, clock: FakeClock
) -> None:
    client = make_client(max_retries=3)
    server.on("GET", ENTITY_PATH, (500, {"errors": [{"code": "Boom", "message": "it broke"}]}, None))
    with pytest.raises(InternalServerError) as info:
        await client.entities.retrieve(ENTITY_ID)
    assert len(server.requests) == 4
    assert info.value.errors[0].code == "Boom"
    assert len(clock.sleeps) == 3


async def test_retry_after_seconds_is_honoured(
    server: ScriptedServer, client: AsyncRealtoClient, clock: FakeClock
) -> None:
    server.on("GET", ENTITY_PATH, (429, {"errors": []}, {"Retry-After": "2"}), entity_payload())
    await client.entities.retrieve(ENTITY_ID)
    assert clock.sleeps == [2.0]
    assert len(server.requests) == 2


async def test_retry_after_http_date_is_honoured(
    server: ScriptedServer, client: AsyncRealtoClient, clock: FakeClock
) -> None:
    when = datetime.fromtimestamp(clock.time() + 5, tz=timezone.utc)
    server.on(
        "GET",
        ENTITY_PATH,
        (503, {"errors": []}, {"Retry-After": http_date(when, usegmt=True)}),
        entity_payload(),
    )
    await client.entities.retrieve(ENTITY_ID)
    assert len(clock.sleeps) == 1
    assert 4.0 <= clock.sleeps[0] <= 5.0


async def test_retry_after_beyond_the_deadline_raises_rate_limit_error_at_once(
    server: ScriptedServer, make_client: MakeClient, clock: FakeClock
) -> None:
    client = make_client(timeout=30)
    server.on(
        "GET",
        ENTITY_PATH,
        (429, {"errors": [{"code": "TooMany", "message": "slow down"}]}, {"Retry-After": "60"}),
    )
    with pytest.raises(RateLimitError) as info:
        await client.entities.retrieve(ENTITY_ID)
    assert info.value.retry_after == 60.0
    assert clock.sleeps == []
    assert len(server.requests) == 1


async def test_the_deadline_cuts_retries_short(
    server: ScriptedServer, make_client: MakeClient, clock: FakeClock
) -> None:
    client = make_client(timeout=10, max_retries=10)
    server.on("GET", ENTITY_PATH, (503, {"errors": []}, {"Retry-After": "4"}))
    with pytest.raises(InternalServerError):
        await client.entities.retrieve(ENTITY_ID)
    # 0 s: try, wait 4; 4 s: try, wait 4; 8 s: a third wait would end past 10 s -> give up
    assert clock.sleeps == [4.0, 4.0]
    assert len(server.requests) == 3


async def test_an_attempt_that_outlives_the_deadline_is_not_retried(
    server: ScriptedServer, make_client: MakeClient, clock: FakeClock
) -> None:
    client = make_client(timeout=Timeout(connect=5, read=5, total=10))

    async def slow_then_fail(request: web.Request) -> web.Response:
        clock.advance(11)  # the attempt "took" longer than the whole deadline
        return web.json_response({"errors": []}, status=503)

    server.on("GET", ENTITY_PATH, slow_then_fail)
    with pytest.raises(InternalServerError):
        await client.entities.retrieve(ENTITY_ID)
    assert clock.sleeps == []
    assert len(server.requests) == 1


async def test_a_replay_after_the_deadline_raises_api_timeout(
    server: ScriptedServer, make_client: MakeClient, clock: FakeClock
) -> None:
    client = make_client(timeout=Timeout(connect=5, read=5, total=10))

    async def slow_401(request: web.Request) -> web.Response:
        clock.advance(11)
        return web.json_response({"errors": []}, status=401)

    server.on("GET", ENTITY_PATH, slow_401)
    with pytest.raises(APITimeoutError, match="deadline of 10s ran out"):
        await client.entities.retrieve(ENTITY_ID)
    assert len(server.requests) == 1


async def test_409_and_400_are_not_retried(server: ScriptedServer, client: AsyncRealtoClient) -> None:
    server.on("GET", ENTITY_PATH, (409, {"errors": [{"code": "Cooldown", "message": "wait"}]}, None))
    with pytest.raises(ConflictError):
        await client.entities.retrieve(ENTITY_ID)
    server.on("GET", ENTITY_PATH, (400, {"errors": [{"code": "Bad", "message": "no"}]}, None))
    with pytest.raises(BadRequestError):
        await client.entities.retrieve(ENTITY_ID)
    assert len(server.requests) == 2


async def test_patch_is_not_retried_after_a_5xx(server: ScriptedServer, client: AsyncRealtoClient) -> None:
    server.on("PATCH", ENTITY_PATH, (503, {"errors": []}, None), entity_payload())
    with pytest.raises(InternalServerError):
        await client.entities.update(ENTITY_ID, name="new")
    assert len(server.api_requests("PATCH")) == 1


async def test_patch_is_not_retried_after_a_read_timeout(
    server: ScriptedServer, make_client: MakeClient
) -> None:
    client = make_client(timeout=Timeout(connect=5, read=0.2, total=30))
    release = asyncio.Event()

    async def never_answers(request: web.Request) -> web.Response:
        await release.wait()
        return web.json_response(entity_payload())

    server.on("PATCH", ENTITY_PATH, never_answers)
    with pytest.raises(APITimeoutError) as info:
        await client.entities.update(ENTITY_ID, name="new")
    release.set()
    assert info.value.may_have_reached_server is True
    assert len(server.api_requests("PATCH")) == 1


async def test_get_is_retried_after_a_read_timeout(server: ScriptedServer, make_client: MakeClient) -> None:
    client = make_client(timeout=Timeout(connect=5, read=0.2, total=30))
    release = asyncio.Event()

    async def hangs(request: web.Request) -> web.Response:
        await release.wait()
        return web.json_response(entity_payload())

    server.on("GET", ENTITY_PATH, hangs, entity_payload())
    entity = await client.entities.retrieve(ENTITY_ID)
    release.set()
    assert entity.id == ENTITY_ID
    assert len(server.api_requests("GET")) == 2


async def test_a_connection_dropped_mid_response_is_retried_for_get(
    server: ScriptedServer, client: AsyncRealtoClient
) -> None:
    async def drop(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Length": "1000", "Content-Type": "application/json"})
        await response.prepare(request)
        await response.write(b'{"id": "3c90')
        assert request.transport is not None
        request.transport.close()
        return response

    server.on("GET", ENTITY_PATH, drop, entity_payload())
    entity = await client.entities.retrieve(ENTITY_ID)
    assert entity.id == ENTITY_ID
    assert len(server.requests) == 2


async def test_a_refused_connection_is_retried_even_for_patch_since_it_never_left(
    make_client: MakeClient, unused_tcp_port: int, clock: FakeClock
) -> None:
    events: list[RetryEvent] = []
    client = make_client(
        base_url=f"http://127.0.0.1:{unused_tcp_port}/api", token="static", on_retry=events.append
    )
    with pytest.raises(APIConnectionError) as info:
        await client.entities.update(ENTITY_ID, name="x")
    assert info.value.may_have_reached_server is False
    assert [e.attempt for e in events] == [1, 2]
    assert all(isinstance(e.error, APIConnectionError) for e in events)
    assert [e.delay for e in events] == clock.sleeps


async def test_async_on_retry_hook_is_awaited(server: ScriptedServer, make_client: MakeClient) -> None:
    seen: list[int] = []

    async def hook(event: RetryEvent) -> None:
        await asyncio.sleep(0)
        seen.append(event.attempt)

    client = make_client(on_retry=hook)
    server.on("GET", ENTITY_PATH, (500, {"errors": []}, None), entity_payload())
    await client.entities.retrieve(ENTITY_ID)
    assert seen == [1]


async def test_max_retries_zero_and_a_custom_policy(server: ScriptedServer, make_client: MakeClient) -> None:
    client = make_client(max_retries=0)
    server.on("GET", ENTITY_PATH, (503, {"errors": []}, None), entity_payload())
    with pytest.raises(InternalServerError):
        await client.entities.retrieve(ENTITY_ID)
    assert len(server.requests) == 1
    picky = make_client(retry=RetryPolicy(retry_statuses=frozenset({418})))
    server.on("GET", ENTITY_PATH, (418, {"errors": []}, None), entity_payload())
    assert (await picky.entities.retrieve(ENTITY_ID)).id == ENTITY_ID
