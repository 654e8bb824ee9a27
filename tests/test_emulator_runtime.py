"""Determinism, fault injection, and the ways to run the emulator."""

from __future__ import annotations

import asyncio
import json
import sys
import time
import urllib.request
from datetime import timedelta

import aiohttp
import pytest

from realto_async import (
    APIConnectionError,
    AsyncRealtoClient,
    InternalServerError,
    RateLimitError,
    ResponseValidationError,
)
from realto_async.testing import FakeClock, FakeRealto, Fleet
from tests.emulator_helpers import Raw


async def recorded_answers(seed: int, port: int, flavor: str = "realto") -> list[bytes]:
    """The bytes of a fixed series of calls against a fresh emulator."""
    answers = []
    async with (
        FakeRealto(seed=seed, flavor=flavor, clock=FakeClock(), port=port).serve() as server,
        aiohttp.ClientSession() as session,
    ):
        raw = Raw(server, session)
        await raw.login()
        headers = {"Authorization": f"Bearer {raw.token}"}
        entities = (await raw.ok("GET", "/v1/entities", params={"pageSize": "1000"}))["data"]
        ev = next(e for e in entities if e["type"] == "EV")
        start = (server.clock.now() - timedelta(days=7)).isoformat()
        for path, params in [
            ("/v1/entities", {"pageSize": "1000"}),
            ("/v1/collectives", {}),
            (f"/v1/entities/{ev['id']}/charge-sessions", {"start": start}),
            (f"/v1/entities/{ev['id']}/readings", {"start": start, "pageSize": "50"}),
            (f"/v1/entities/{ev['id']}/aggregations", {"start": start, "resolution": "PT6H"}),
        ]:
            async with session.get(server.url + path, params=params, headers=headers) as resp:
                answers.append(await resp.read())
        body = json.dumps({"type": "EV", "manufacturer": "Audi", "vin": "WA1DMAFE0D0123456"}).encode()
        if flavor == "realto":
            async with session.post(
                server.url + "/v1/onboarding/entities",
                data=body,
                headers={**headers, "Content-Type": "application/json"},
            ) as resp:
                answers.append(await resp.read())
    return answers


async def test_the_same_seed_gives_the_same_bytes(unused_tcp_port: int) -> None:
    # Absolute links name the port, so both runs serve on the same one.
    first = await recorded_answers(seed=7, port=unused_tcp_port)
    second = await recorded_answers(seed=7, port=unused_tcp_port)
    assert first == second
    assert all(len(answer) > 40 for answer in first)
    other = await recorded_answers(seed=8, port=unused_tcp_port)
    assert other[0] != first[0]


def test_fleet_sizes() -> None:
    fleet = Fleet.of_size(1000)
    assert sum(count for _, count in fleet.counts()) == 1000
    assert fleet.evs == 600
    assert Fleet.only_evs(300).counts()[0] == ("EV", 300)
    assert sum(count for _, count in Fleet.of_size(5).counts()) == 5


async def test_injected_statuses_with_retry_after_are_retried_by_the_sdk() -> None:
    clock = FakeClock()
    async with FakeRealto(seed=1, clock=clock).serve() as server:
        fault = server.faults.add("GET /v1/entities", status=503, retry_after=3, times=2)
        async with server.client() as client:
            assert [e async for e in client.entities.list(max_items=3)]
        assert fault.applied == 2
        assert clock.sleeps == [3.0, 3.0]
        server.faults.clear()
        server.faults.add("GET /v1/entities/*", status=429, retry_after=600)
        async with server.client(timeout=60) as client:
            with pytest.raises(RateLimitError) as info:
                await client.entities.retrieve(next(iter(server.store.entities)))
        assert info.value.retry_after == 600


async def test_after_and_probability_pick_requests_deterministically() -> None:
    async def hits(seed: int) -> list[int]:
        async with (
            FakeRealto(seed=seed, clock=FakeClock()).serve() as server,
            aiohttp.ClientSession() as session,
        ):
            raw = Raw(server, session)
            await raw.login()
            server.faults.add("GET /v1/collectives", status=500, after=2, probability=0.5)
            return [(await raw.call("GET", "/v1/collectives"))[0] for _ in range(12)]

    first = await hits(3)
    assert first[:2] == [200, 200]
    assert 500 in first[2:]
    assert 200 in first[2:]
    assert await hits(3) == first


async def test_broken_answers_surface_as_typed_errors(realto_server: FakeRealto) -> None:
    entity_id = next(iter(realto_server.store.entities))
    async with realto_server.client(max_retries=0) as client:
        for options, error in [
            ({"html_502": True}, InternalServerError),
            ({"truncate": True}, ResponseValidationError),
        ]:
            realto_server.faults.clear()
            realto_server.faults.add("GET /v1/entities/*", times=1, **options)
            with pytest.raises(error):
                await client.entities.retrieve(entity_id)
            assert (await client.entities.retrieve(entity_id)).id == entity_id
        # aiohttp itself repeats a GET whose reused connection closes unanswered, so drops are
        # shown on a PATCH, where it matters: the SDK must not know whether the write happened.
        for drop in ("before", "during"):
            realto_server.faults.clear()
            realto_server.faults.add("PATCH /v1/entities/*", times=1, drop=drop)
            with pytest.raises(APIConnectionError) as info:
                await client.entities.update(entity_id, name="x")
            assert info.value.may_have_reached_server is True
            assert (await client.entities.update(entity_id, name="y")).id == entity_id


async def test_latency_and_expiring_tokens(realto_server: FakeRealto) -> None:
    entity_id = next(iter(realto_server.store.entities))
    async with realto_server.client() as client:
        await client.entities.retrieve(entity_id)
        realto_server.faults.add("GET /v1/entities/*", expire_tokens=True, latency=0.05, times=1)
        started = time.perf_counter()
        assert (await client.entities.retrieve(entity_id)).id == entity_id  # a 401, a new token, a replay
        assert time.perf_counter() - started >= 0.05
    token_calls = [r for r in realto_server.requests if r.path == "/v1/authentication"]
    assert len(token_calls) == 2


async def test_the_request_log_leaves_out_the_token(
    realto_server: FakeRealto, realto_client: AsyncRealtoClient
) -> None:
    await realto_client.entities.list(type="EV", page_size=5)
    logged = realto_server.requests[-1]
    assert (logged.method, logged.path, logged.query) == (
        "GET",
        "/v1/entities",
        {"type": "EV", "pageSize": "5"},
    )
    assert "Authorization" not in logged.headers
    assert logged.headers["User-Agent"].startswith("realto-python/")


@pytest.mark.realto(seed=5, flavor="traxes", entities=20)
async def test_the_marker_configures_the_fixture(
    realto_server: FakeRealto, realto_client: AsyncRealtoClient
) -> None:
    assert realto_server.flavor == "traxes"
    assert len(realto_server.store.entities) == 20
    assert realto_client.flavor == "traxes"
    assert len([e async for e in realto_client.entities.list()]) == 20


def test_serving_from_a_thread_answers_blocking_code() -> None:
    with FakeRealto(seed=1).serve_in_thread() as server:
        request = urllib.request.Request(
            server.token_url,
            data=json.dumps({"clientId": server.client_id, "clientSecret": server.client_secret}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as answer:
            token = json.loads(answer.read())["access_token"]
        listing = urllib.request.Request(
            server.url + "/v1/entities", headers={"Authorization": f"Bearer {token}"}
        )
        with urllib.request.urlopen(listing, timeout=10) as answer:
            assert len(json.loads(answer.read())["data"]) == 25
    with pytest.raises(RuntimeError, match="not serving"):
        server.url  # noqa: B018


async def test_the_command_line_prints_url_and_credentials_then_serves() -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "realto_async.testing",
        "--port",
        "0",
        "--seed",
        "3",
        "--entities",
        "30",
        "--flavor",
        "traxes",
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        lines = {}
        for _ in range(4):
            key, value = (await process.stdout.readline()).decode().strip().split(": ", 1)
            lines[key] = value
        assert set(lines) == {"url", "client_id", "client_secret", "token_url"}
        assert lines["url"].endswith("/connect")
        async with AsyncRealtoClient(
            base_url=lines["url"],
            client_id=lines["client_id"],
            client_secret=lines["client_secret"],
            flavor="traxes",
            token_url=lines["token_url"],
        ) as client:
            assert len([e async for e in client.entities.list()]) == 30
    finally:
        process.terminate()
        await asyncio.wait_for(process.wait(), timeout=10)


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="flavor"):
        FakeRealto(flavor="other")
    with pytest.raises(ValueError, match="not both"):
        FakeRealto(fleet=Fleet(), entities=3)
    with pytest.raises(ValueError, match="forward"):
        FakeClock().advance(-1)


async def test_fake_clock_drives_sdk_retries_and_the_emulator_together() -> None:
    clock = FakeClock()
    started = clock.now()
    async with FakeRealto(seed=1, clock=clock).serve() as server:
        server.faults.add("GET /v1/collectives", status=503, retry_after=30, times=1)
        async with server.client() as client:
            await asyncio.wait_for(client._send("GET", "/v1/collectives"), timeout=5)
    assert clock.now() - started == timedelta(seconds=30)
