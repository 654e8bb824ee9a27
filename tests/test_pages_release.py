"""A page yielded by ``.pages()`` is not kept alive by the paginator while the next one is fetched."""

from __future__ import annotations

import weakref
from datetime import datetime, timezone

from aiohttp import web

from realto_async import AsyncRealtoClient, ChargingRecord, Page
from tests.helpers import ENTITY_ID, ScriptedServer, charge_record_payload, page

START = datetime(2024, 5, 1, tzinfo=timezone.utc)


def serve_chain(
    server: ScriptedServer, alive_at_request: list[bool], held: list[weakref.ref[object]]
) -> None:
    """Three pages; each request notes whether the previously yielded page was still alive."""
    pages = {
        None: page([charge_record_payload(0), charge_record_payload(1)], "t1"),
        "t1": page([charge_record_payload(2)], "t2"),
        "t2": page([charge_record_payload(3)], None),
    }

    async def handler(request: web.Request) -> web.Response:
        if held:
            alive_at_request.append(held[-1]() is not None)
        return web.json_response(pages[request.query.get("continuationToken")])

    server.on("GET", f"/v1/entities/{ENTITY_ID}/charge-sessions", handler)


async def test_a_page_dropped_by_the_loop_body_is_freed_before_the_next_request(
    server: ScriptedServer, client: AsyncRealtoClient
) -> None:
    alive: list[bool] = []
    held: list[weakref.ref[object]] = []
    serve_chain(server, alive, held)
    ids: list[str] = []
    async for got in client.charge_sessions.list(ENTITY_ID, START).pages():
        assert isinstance(got, Page)
        ids.extend(record.id for record in got)
        held.append(weakref.ref(got.data[0]))  # a record of this page: does anything keep it?
        del got  # the documented idiom: drop the page at the end of the body
    assert ids == [charge_record_payload(i)["id"] for i in range(4)]
    assert alive == [False, False]


async def test_item_iteration_holds_no_page_while_fetching_the_next(
    server: ScriptedServer, client: AsyncRealtoClient
) -> None:
    alive: list[bool] = []
    held: list[weakref.ref[object]] = []
    serve_chain(server, alive, held)
    count = 0
    async for record in client.charge_sessions.list(ENTITY_ID, START):
        assert isinstance(record, ChargingRecord)
        held.append(weakref.ref(record))
        count += 1
        del record
    assert count == 4
    assert alive == [False, False]
