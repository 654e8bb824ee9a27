"""Cursor pagination over real sockets."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone

import pytest
from aiohttp import web

from realto_async import (
    AsyncPaginator,
    AsyncRealtoClient,
    ChargingRecord,
    InternalServerError,
    InvalidArgumentError,
    Page,
    PaginationError,
    ResponseValidationError,
)
from tests.helpers import ENTITY_ID, ScriptedServer, charge_record_payload, page

MakeClient = Callable[..., AsyncRealtoClient]
SESSIONS = f"/v1/entities/{ENTITY_ID}/charge-sessions"
START = datetime(2024, 5, 1, tzinfo=timezone.utc)


def serve_pages(server: ScriptedServer, pages: dict[str | None, dict[str, object]]) -> None:
    """Answer each continuation token (None = first page) with its page."""

    async def handler(request: web.Request) -> web.Response:
        return web.json_response(pages[request.query.get("continuationToken")])

    server.on("GET", SESSIONS, handler)


async def collect(paginator: AsyncPaginator[ChargingRecord], into: list[str]) -> None:
    async for record in paginator:
        into.append(record.id)


def records(first: int, count: int) -> list[dict[str, object]]:
    return [charge_record_payload(i) for i in range(first, first + count)]


async def test_iterating_yields_items_across_pages_including_an_empty_one(
    server: ScriptedServer, client: AsyncRealtoClient
) -> None:
    serve_pages(
        server,
        {None: page(records(0, 3), "t1"), "t1": page([], "t2"), "t2": page(records(3, 2), None)},
    )
    ids = [r.id async for r in client.charge_sessions.list(ENTITY_ID, START)]
    assert ids == [charge_record_payload(i)["id"] for i in range(5)]
    assert [r.query.get("continuationToken") for r in server.requests] == [None, "t1", "t2"]
    assert all(r.query["start"] == "2024-05-01T00:00:00Z" for r in server.requests)


async def test_awaiting_gives_the_first_page_and_next_pages_on_demand(
    server: ScriptedServer, client: AsyncRealtoClient
) -> None:
    serve_pages(server, {None: page(records(0, 2), "t1"), "t1": page(records(2, 1), None)})
    first = await client.charge_sessions.list(ENTITY_ID, START)
    assert isinstance(first, Page)
    assert len(first.data) == 2
    assert all(isinstance(r, ChargingRecord) for r in first.data)
    assert first.has_next_page()
    assert first.continuation_token == "t1"
    second = await first.get_next_page()
    assert [r.id for r in second] == [charge_record_payload(2)["id"]]
    assert not second.has_next_page()
    with pytest.raises(PaginationError, match="last page"):
        await second.get_next_page()
    assert len(server.requests) == 2


async def test_first_page_is_also_a_method(server: ScriptedServer, client: AsyncRealtoClient) -> None:
    serve_pages(server, {None: page(records(0, 1), None)})
    paginator = client.charge_sessions.list(ENTITY_ID, START)
    assert isinstance(paginator, AsyncPaginator)
    first = await paginator.first_page()
    assert len(first) == 1
    assert first.page_size == 25
    assert "Page(items=1" in repr(first)


async def test_pages_yields_each_page(server: ScriptedServer, client: AsyncRealtoClient) -> None:
    serve_pages(server, {None: page(records(0, 2), "a"), "a": page(records(2, 2), None)})
    sizes = [len(p.data) async for p in client.charge_sessions.list(ENTITY_ID, START).pages()]
    assert sizes == [2, 2]


async def test_page_size_and_max_items(server: ScriptedServer, client: AsyncRealtoClient) -> None:
    serve_pages(server, {None: page(records(0, 3), "a"), "a": page(records(3, 3), "b"), "b": page([], None)})
    got = [r async for r in client.charge_sessions.list(ENTITY_ID, START, page_size=3, max_items=4)]
    assert len(got) == 4
    assert server.requests[0].query["pageSize"] == "3"
    assert len(server.requests) == 2  # stopped without asking for page "b"
    assert [r async for r in client.charge_sessions.list(ENTITY_ID, START, max_items=0)] == []


@pytest.mark.parametrize("bad", [0, 1001, -1, "10", True])
async def test_page_size_out_of_range_is_refused_before_sending(
    server: ScriptedServer, client: AsyncRealtoClient, bad: object
) -> None:
    with pytest.raises(InvalidArgumentError, match="page_size"):
        client.charge_sessions.list(ENTITY_ID, START, page_size=bad)  # type: ignore[arg-type]
    assert server.requests == []


async def test_a_repeated_continuation_token_raises_instead_of_looping(
    server: ScriptedServer, client: AsyncRealtoClient
) -> None:
    serve_pages(server, {None: page(records(0, 1), "same"), "same": page(records(1, 1), "same")})
    seen: list[str] = []
    with pytest.raises(PaginationError, match="twice"):
        await collect(client.charge_sessions.list(ENTITY_ID, START), seen)
    assert len(seen) == 2
    assert len(server.requests) == 2


async def test_an_error_mid_listing_carries_the_token_to_resume_from(
    server: ScriptedServer, make_client: MakeClient
) -> None:
    client = make_client(max_retries=0)
    failing = {"on": True}

    async def handler(request: web.Request) -> web.Response:
        token = request.query.get("continuationToken")
        if token == "t2" and failing["on"]:
            return web.json_response({"errors": [{"code": "Boom", "message": "down"}]}, status=500)
        pages = {
            None: page(records(0, 2), "t1"),
            "t1": page(records(2, 2), "t2"),
            "t2": page(records(4, 1), None),
        }
        return web.json_response(pages[token])

    server.on("GET", SESSIONS, handler)
    got: list[str] = []
    with pytest.raises(InternalServerError) as info:
        await collect(client.charge_sessions.list(ENTITY_ID, START), got)
    assert info.value.continuation_token == "t2"
    assert "resume with continuation_token='t2'" in str(info.value)
    assert len(got) == 4
    failing["on"] = False
    resumed = [r.id async for r in client.charge_sessions.list(ENTITY_ID, START, continuation_token="t2")]
    assert got + resumed == [charge_record_payload(i)["id"] for i in range(5)]


async def test_an_error_on_the_first_page_offers_no_token_to_resume_from(
    server: ScriptedServer, make_client: MakeClient
) -> None:
    client = make_client(max_retries=0)
    server.on("GET", SESSIONS, (500, {"errors": []}, None))
    with pytest.raises(InternalServerError) as info:
        await client.charge_sessions.list(ENTITY_ID, START)
    assert info.value.continuation_token is None
    assert "resume with" not in str(info.value)
    assert "continuation_token" not in str(info.value)


async def test_a_token_given_only_in_links_next_is_followed(
    server: ScriptedServer, client: AsyncRealtoClient
) -> None:
    first: dict[str, object] = {
        "data": records(0, 1),
        "links": {"next": f"{server.base_url}{SESSIONS}?start=x&continuationToken=from-link"},
        "meta": {"pageSize": 25},
    }
    serve_pages(server, {None: first, "from-link": page(records(1, 1), None)})
    ids = [r.id async for r in client.charge_sessions.list(ENTITY_ID, START)]
    assert len(ids) == 2
    assert server.requests[1].query["continuationToken"] == "from-link"


async def test_a_next_link_without_a_token_is_a_validation_error(
    server: ScriptedServer, client: AsyncRealtoClient
) -> None:
    server.on("GET", SESSIONS, {"data": [], "links": {"next": "https://elsewhere.example/x"}, "meta": {}})
    with pytest.raises(ResponseValidationError, match="no continuation token"):
        await client.charge_sessions.list(ENTITY_ID, START)


async def test_a_body_that_is_not_a_page_is_a_validation_error(
    server: ScriptedServer, client: AsyncRealtoClient
) -> None:
    server.on("GET", SESSIONS, [1, 2, 3])
    with pytest.raises(ResponseValidationError, match="page envelope"):
        await client.charge_sessions.list(ENTITY_ID, START)


async def test_a_bad_record_names_its_index_and_field(
    server: ScriptedServer, client: AsyncRealtoClient
) -> None:
    bad = records(0, 3)
    bad[2]["data"]["charge"]["total"]["unit"] = 5  # type: ignore[index]
    server.on("GET", SESSIONS, page(bad))
    with pytest.raises(ResponseValidationError) as info:
        await client.charge_sessions.list(ENTITY_ID, START)
    assert info.value.path == "data[2].data.charge.total.unit"
    assert info.value.model == "ChargingRecord"
    assert "expected a string, got 5" in str(info.value)


async def test_page_exposes_the_response_request_id(
    server: ScriptedServer, client: AsyncRealtoClient
) -> None:
    server.on("GET", SESSIONS, (200, page([]), {"x-request-id": "req-42", "X-RateLimit-Remaining": "9"}))
    first = await client.charge_sessions.list(ENTITY_ID, START)
    assert first.request_id == "req-42"
    assert first.response is not None
    assert first.response.rate_limit == {"x-ratelimit-remaining": "9"}
