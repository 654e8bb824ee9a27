"""An emulator that stamps every answer with an ``x-request-id``, and a client of it (the async
one or the blocking one behind AsyncFacade), for the observability tests."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from aiohttp import web

from realto_async.testing import FakeClock, FakeRealto
from tests.sync_facade import AsyncFacade


class StampedRealto(FakeRealto):
    """FakeRealto whose answers carry ``x-request-id: req-1``, ``req-2``, ..."""

    def app(self) -> web.Application:
        app = super().app()
        counter = itertools.count(1)

        async def stamp(request: web.Request, response: web.StreamResponse) -> None:
            response.headers["x-request-id"] = f"req-{next(counter)}"

        app.on_response_prepare.append(stamp)
        return app


@asynccontextmanager
async def observed(kind: str, flavor: str = "realto", **options: Any) -> AsyncIterator[tuple[Any, Any]]:
    """(server, client): ``kind`` is "async" or "sync"; ``options`` go to the client."""
    async with StampedRealto(seed=5, flavor=flavor, clock=FakeClock()).serve() as server:
        client: Any = (
            server.client(**options) if kind == "async" else AsyncFacade(server.sync_client(**options))
        )
        async with client:
            yield server, client
