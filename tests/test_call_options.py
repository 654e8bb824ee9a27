"""Per-call timeout=, extra_headers=, extra_query= on every public method of both clients."""

from __future__ import annotations

import inspect
from typing import Any

import pytest

from realto_async import APITimeoutError, AsyncRealtoClient, InvalidArgumentError
from tests.observed import observed

KINDS = ["async", "sync"]


def public_methods(namespace: Any, seen: set[int] | None = None) -> list[tuple[str, Any]]:
    """(qualified name, bound method) of every public call below ``namespace``."""
    seen = set() if seen is None else seen
    if id(namespace) in seen:
        return []
    seen.add(id(namespace))
    found = []
    for name, _member in inspect.getmembers(type(namespace), inspect.isfunction):
        if not name.startswith("_"):
            found.append((f"{type(namespace).__name__}.{name}", getattr(namespace, name)))
    for attribute in [s for k in type(namespace).__mro__ for s in getattr(k, "__slots__", ())]:
        if not attribute.startswith("_"):
            found += public_methods(getattr(namespace, attribute), seen)
    return found


def every_call(client: Any) -> list[tuple[str, Any]]:
    """Every call of an endpoint namespace (not ``bulk``, which drives those calls) and request()."""
    endpoints = [getattr(client, name) for name in type(client).__annotations__ if name != "bulk"]
    calls = [item for namespace in endpoints for item in public_methods(namespace)]
    return [*calls, ("request", client.request)]


def test_every_public_method_of_both_clients_takes_the_per_call_options() -> None:
    from realto_sync import RealtoClient

    async_client = AsyncRealtoClient(token="t", base_url="http://127.0.0.1:9/api")
    with RealtoClient(token="t", base_url="http://127.0.0.1:9/api") as sync_client:
        for client in (async_client, sync_client):
            calls = every_call(client)
            assert len(calls) > 50
            for name, method in calls:
                parameters = inspect.signature(method).parameters
                for option in ("timeout", "extra_headers", "extra_query"):
                    assert option in parameters, f"{name} lacks {option}="
                    assert parameters[option].kind is inspect.Parameter.KEYWORD_ONLY, name
                if name.endswith(".wait"):  # wait()'s timeout is the wait itself (seconds)
                    assert parameters["timeout"].default == 600.0
                else:
                    assert parameters["timeout"].default is None, name


@pytest.mark.parametrize("kind", KINDS)
async def test_extra_headers_and_query_reach_the_server_for_this_call_only(kind: str) -> None:
    async with observed(kind) as (server, client):
        page = await client.entities.list(extra_headers={"X-Trace": "abc"}, extra_query={"pageSize": "2"})
        assert len(page.data) == 2  # extra_query wins over the call's own parameters
        sent = [r for r in server.requests if r.path == "/v1/entities"][-1]
        assert sent.headers.get("X-Trace") == "abc"
        assert sent.query["pageSize"] == "2"
        entity_id = str(page.data[0].id)
        await client.entities.retrieve(entity_id)
        plain = [r for r in server.requests if r.path == f"/v1/entities/{entity_id}"][-1]
        assert "X-Trace" not in plain.headers


@pytest.mark.parametrize("kind", KINDS)
async def test_a_listing_sends_the_options_with_every_page(kind: str) -> None:
    async with observed(kind) as (server, client):
        items = [
            e async for e in client.entities.list(page_size=3, max_items=7, extra_headers={"X-Job": "7"})
        ]
        assert len(items) == 7
        pages = [r for r in server.requests if r.path == "/v1/entities"]
        assert len(pages) == 3
        assert all(r.headers.get("X-Job") == "7" for r in pages)
        assert [r.query.get("continuationToken") is None for r in pages] == [True, False, False]


@pytest.mark.parametrize("kind", KINDS)
async def test_wait_polls_with_the_extra_headers(kind: str) -> None:
    async with observed(kind) as (server, client):
        request = await client.onboarding.entities.create(
            type="EV", manufacturer="Audi", vin="WA1DMAFE0D0123456", extra_headers={"X-Flow": "1"}
        )
        server.consent(str(request.id))
        done = await client.onboarding.entities.wait(
            request.id, timeout=600, poll_interval=1, extra_headers={"X-Flow": "2"}
        )
        assert done.status is not None
        polls = [r for r in server.requests if r.path == f"/v1/onboarding/entities/{request.id}"]
        assert polls
        assert all(r.headers.get("X-Flow") == "2" for r in polls)
        created = [r for r in server.requests if r.method == "POST" and r.path == "/v1/onboarding/entities"]
        assert created[-1].headers.get("X-Flow") == "1"


@pytest.mark.parametrize("kind", KINDS)
async def test_a_per_call_timeout_overrides_the_clients_for_that_call(kind: str) -> None:
    async with observed(kind, timeout=30, max_retries=0) as (server, client):
        entity_id = str((await client.entities.list(page_size=1)).data[0].id)
        server.faults.add(f"GET /v1/entities/{entity_id}", latency=1.0, times=1)
        with pytest.raises(APITimeoutError):
            await client.entities.retrieve(entity_id, timeout=0.2)
        server.faults.add(f"GET /v1/entities/{entity_id}", latency=0.4, times=1)
        slow = await client.entities.retrieve(entity_id)  # the client's 30 s again: waits it out
        assert str(slow.id) == entity_id
        page = await client.entities.list(page_size=1, timeout=5.0)
        assert len(page.data) == 1


@pytest.mark.parametrize(
    ("options", "named"),
    [
        ({"timeout": -1}, "timeout"),
        ({"timeout": 0}, "timeout"),
        ({"timeout": float("nan")}, "timeout"),
        ({"timeout": float("inf")}, "timeout"),
        ({"timeout": 10**400}, "timeout"),
        ({"timeout": "5"}, "timeout"),
        ({"timeout": True}, "timeout"),
        ({"extra_headers": ["X-A", "1"]}, "extra_headers"),
        ({"extra_headers": {"X-A": 1}}, "extra_headers"),
        ({"extra_headers": {"X-A": "1\r\nX-B: 2"}}, "extra_headers"),
        ({"extra_headers": {"Bad Name": "1"}}, "extra_headers"),
        ({"extra_headers": {"X-A\n": "1"}}, "extra_headers"),
        ({"extra_headers": {"": "1"}}, "extra_headers"),
        ({"extra_headers": {"authorization": "Bearer other"}}, "Authorization"),
        ({"extra_query": "pageSize=2"}, "extra_query"),
        ({"extra_query": {"pageSize": 2}}, "extra_query"),
        ({"extra_query": {"": "x"}}, "extra_query"),
    ],
)
@pytest.mark.parametrize("kind", KINDS)
async def test_bad_per_call_options_are_refused_before_any_request(
    kind: str, options: dict[str, Any], named: str
) -> None:
    async with observed(kind) as (server, client):
        before = len(server.requests)
        with pytest.raises(InvalidArgumentError, match=named):
            await client.entities.retrieve("fd73f7e1-55fc-4d5a-9d92-91581a737835", **options)
        with pytest.raises(InvalidArgumentError, match=named):
            await client.entities.list(**options)
        assert len(server.requests) == before


async def _settle(outcome: Any) -> None:
    if inspect.isawaitable(outcome):
        await outcome


@pytest.mark.parametrize(
    "bad", [{"extra_headers": 5}, {"extra_query": {"a": 1}}, {"extra_headers": {"X": "\n"}}]
)
async def test_every_method_checks_its_per_call_options_before_anything_else(bad: dict[str, Any]) -> None:
    async with AsyncRealtoClient(token="t", base_url="http://127.0.0.1:9/api") as client:
        for name, method in every_call(client):
            with pytest.raises(InvalidArgumentError, match="extra_"):
                await _settle(method(**bad))  # no other argument: the options are refused first
            assert client._transport._session is None, name  # nothing was sent (no session made)
