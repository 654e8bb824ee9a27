"""A minimal API server for benchmarks: pre-rendered charge-session pages, run as its own process.

``python benchmarks/page_server.py PORT PAGES RECORDS_PER_PAGE [FIRST_PAGE_FILE]`` serves
``/api/v1/authentication``, a tiny ``/api/v1/entities/{id}`` and
``/api/v1/entities/{id}/charge-sessions`` (PAGES pages chained by continuation tokens; the
first page's bytes read from FIRST_PAGE_FILE when given, so it serves exactly what another
server answered) and prints ``ready`` once listening on 127.0.0.1.
"""

from __future__ import annotations

import json
import sys

from aiohttp import web


def record(index: int, entity_id: str) -> dict[str, object]:
    hour = index % 24
    return {
        "id": f"00000000-0000-4000-8000-{index:012d}",
        "entityId": entity_id,
        "created": "2024-05-28T02:00:00Z",
        "data": {
            "start": f"2024-05-27T{hour:02d}:00:00Z",
            "end": f"2024-05-27T{hour:02d}:45:00Z",
            "charge": {
                "averagePower": {"unit": "kW", "value": 7.2 + index % 5},
                "start": {"unit": "%", "value": 20 + index % 30},
                "end": {"unit": "%", "value": 80.5},
                "total": {"t1": 12.1, "t2": 13.1, "total": 25.2, "unit": "kWh"},
            },
            "range": {"start": {"unit": "km", "value": 80}, "end": {"unit": "km", "value": 320}},
            "location": {"address": "Main St 1", "latitude": 51.2, "longitude": 4.4},
            "locationMatches": [
                {
                    "accuracy": 0.93,
                    "location": {"id": "7d1e5c2a-8a34-4f4b-9f1e-2b6d8c7e9a01", "label": "Home"},
                }
            ],
        },
    }


def build_pages(pages: int, per_page: int, entity_id: str) -> dict[str | None, bytes]:
    bodies: dict[str | None, bytes] = {}
    for number in range(pages):
        token = None if number == 0 else f"p{number}"
        following = f"p{number + 1}" if number + 1 < pages else None
        data = [record(number * per_page + i, entity_id) for i in range(per_page)]
        envelope = {
            "data": data,
            "links": {"next": None},
            "meta": {"continuationToken": following, "pageSize": per_page},
        }
        bodies[token] = json.dumps(envelope).encode()
    return bodies


def main() -> None:
    port, pages, per_page = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    bodies = build_pages(pages, per_page, "3c90c3cc-0d44-4b50-8888-8dd25736052a")
    if len(sys.argv) > 4:
        with open(sys.argv[4], "rb") as first_page:
            bodies[None] = first_page.read()
    token_body = json.dumps(
        {"access_token": "bench-token", "expires_in": 3599, "token_type": "Bearer"}
    ).encode()

    async def token(request: web.Request) -> web.Response:
        return web.Response(body=token_body, content_type="application/json")

    async def sessions(request: web.Request) -> web.Response:
        body = bodies.get(request.query.get("continuationToken"))
        if body is None:
            return web.Response(status=400)
        return web.Response(body=body, content_type="application/json")

    entity_body = json.dumps({"id": "3c90c3cc-0d44-4b50-8888-8dd25736052a", "type": "EV"}).encode()

    async def entity(request: web.Request) -> web.Response:
        return web.Response(body=entity_body, content_type="application/json")

    app = web.Application()
    app.router.add_post("/api/v1/authentication", token)
    app.router.add_get("/api/v1/entities/{entity_id}", entity)
    app.router.add_get("/api/v1/entities/{entity_id}/charge-sessions", sessions)

    async def announce(app: web.Application) -> None:
        print("ready", flush=True)

    app.on_startup.append(announce)
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)


if __name__ == "__main__":
    main()
