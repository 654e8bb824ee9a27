"""An aiohttp.web app that injects its own aiohttp.ClientSession into the realto client.

The app owns the session (one connection pool for all its outgoing HTTP); the client uses it and
never closes it. Run it with ``python examples/aiohttp_app.py`` (port 8081).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator

import aiohttp
from aiohttp import web

from realto_async import AsyncRealtoClient, InvalidArgumentError, NotFoundError

SESSION = web.AppKey("session", aiohttp.ClientSession)
REALTO = web.AppKey("realto", AsyncRealtoClient)
routes = web.RouteTableDef()


async def realto_context(app: web.Application) -> AsyncIterator[None]:
    session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=50))
    app[SESSION] = session
    app[REALTO] = AsyncRealtoClient(session=session)
    yield
    await app[REALTO].aclose()  # leaves the injected session open...
    await session.close()  # ...which the app closes itself


@routes.get("/fleet")
async def fleet(request: web.Request) -> web.Response:
    """How many entities of each type the principal can see."""
    client = request.app[REALTO]
    counts = Counter([str(entity.type) async for entity in client.entities.list()])
    return web.json_response(dict(counts))


@routes.get("/entities/{entity_id}/last-reading")
async def last_reading(request: web.Request) -> web.Response:
    """The entity's latest reading, as the API sends it."""
    client = request.app[REALTO]
    try:
        reading = await client.readings.last(request.match_info["entity_id"])
    except InvalidArgumentError as err:  # not a UUID: refused before anything was sent
        raise web.HTTPBadRequest(text=str(err)) from None
    except NotFoundError:
        raise web.HTTPNotFound(text="no such entity, or no reading yet") from None
    return web.json_response(reading.to_dict())


def make_app() -> web.Application:
    app = web.Application()
    app.add_routes(routes)
    app.cleanup_ctx.append(realto_context)
    return app


if __name__ == "__main__":
    web.run_app(make_app(), host="127.0.0.1", port=8081)
