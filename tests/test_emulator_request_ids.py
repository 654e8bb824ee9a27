"""The emulator names every answer's request (``X-Request-Id``), as the platform does, so a
result's ``request_id`` can be seen against it."""

from __future__ import annotations

import aiohttp

from realto_async.testing import FakeClock, FakeRealto


async def test_every_answer_has_its_own_request_id() -> None:
    async with FakeRealto(seed=1, clock=FakeClock()).serve() as server, server.client() as client:
        page = await client.entities.list(page_size=2)
        entity = await client.entities.retrieve(page.data[0].id)
        again = await client.entities.retrieve(page.data[0].id)  # a cached answer gets its own id too
        assert page.response is not None
        ids = [page.response.request_id, entity.request_id, again.request_id]
        assert all(rid is not None and rid.startswith("emu-") for rid in ids), ids
        assert len(set(ids)) == 3
        async with (  # an error answer carries one as well
            aiohttp.ClientSession() as session,
            session.get(f"{server.url}/v1/entities") as refused,
        ):
            assert refused.status == 401
            assert refused.headers["X-Request-Id"].startswith("emu-")
