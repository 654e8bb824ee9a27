"""Test doubles: a scriptable API server on a real loopback socket, and a fake clock."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

import attrs
from aiohttp import web
from aiohttp.test_utils import TestServer

CLIENT_ID = "test-client"
CLIENT_SECRET = "s3cr3t-value-never-shown"
ENTITY_ID = "3c90c3cc-0d44-4b50-8888-8dd25736052a"

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class FakeClock:
    """A clock whose sleeps return at once and advance time; records every sleep."""

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self._now = 1000.0
        self._wall_offset = start - self._now
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self._now

    def time(self) -> float:
        return self._now + self._wall_offset

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self._now += seconds
        await asyncio.sleep(0)

    def advance(self, seconds: float) -> None:
        self._now += seconds


@attrs.define
class Logged:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes


def page(data: list[Any], token: str | None = None, page_size: int = 25) -> dict[str, Any]:
    """A page envelope as the API sends it."""
    return {
        "data": data,
        "links": {"next": None},
        "meta": {"continuationToken": token, "pageSize": page_size},
    }


def json_response(payload: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    return web.Response(
        body=json.dumps(payload).encode(), status=status, content_type="application/json", headers=headers
    )


class ScriptedServer:
    """A real HTTP server on 127.0.0.1 (free port) whose API answers each test scripts.

    ``on(method, path, *answers)`` queues answers for a route: each is a handler coroutine
    function, a JSON payload, or a ``(status, payload, headers)`` tuple; the last one repeats.
    The token endpoint (``/api/v1/authentication`` and ``/oauth/token``) hands out
    ``token-1``, ``token-2``, ... for the right credentials.
    """

    def __init__(self) -> None:
        self.requests: list[Logged] = []
        self.token_requests: list[Logged] = []
        self.valid_tokens: set[str] = set()
        self.tokens_issued = 0
        self.token_expires_in = 3599
        self.token_status: int | None = None
        self.routes: dict[tuple[str, str], list[Any]] = {}
        self.check_auth = True
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._dispatch)
        self._server = TestServer(app, host="127.0.0.1")

    async def start(self) -> None:
        await self._server.start_server()

    async def close(self) -> None:
        await self._server.close()

    @property
    def root(self) -> str:
        return str(self._server.make_url("")).rstrip("/")

    @property
    def base_url(self) -> str:
        return self.root + "/api"

    @property
    def oauth_url(self) -> str:
        return self.root + "/oauth/token"

    def on(self, method: str, path: str, *answers: Any) -> None:
        self.routes[(method, "/api" + path)] = list(answers)

    def api_requests(self, method: str | None = None) -> list[Logged]:
        return [r for r in self.requests if method is None or r.method == method]

    def expire_tokens(self) -> None:
        self.valid_tokens.clear()

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        logged = Logged(request.method, request.path, dict(request.query), dict(request.headers), body)
        if request.path in ("/api/v1/authentication", "/oauth/token"):
            self.token_requests.append(logged)
            return self._token(request.path, body)
        self.requests.append(logged)
        if self.check_auth:
            auth = request.headers.get("Authorization", "")
            if not auth.startswith("Bearer ") or auth[7:] not in self.valid_tokens:
                return json_response({"errors": [{"code": "Unauthorized", "message": "bad token"}]}, 401)
        answers = self.routes.get((request.method, request.path))
        if not answers:
            return json_response({"errors": [{"code": "NotFound", "message": "no route"}]}, 404)
        answer = answers.pop(0) if len(answers) > 1 else answers[0]
        if callable(answer):
            handler: Handler = answer
            return await handler(request)
        if isinstance(answer, tuple):
            status, payload, headers = answer
            if isinstance(payload, (bytes, str)):
                return web.Response(body=payload, status=status, headers=headers)
            return json_response(payload, status, headers)
        return json_response(answer)

    def _token(self, path: str, body: bytes) -> web.Response:
        if self.token_status is not None:
            return json_response({"error": "server_error"}, self.token_status)
        if path == "/oauth/token":
            from urllib.parse import parse_qs

            form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
            ok = (
                form.get("grant_type") == "client_credentials"
                and form.get("client_id") == CLIENT_ID
                and form.get("client_secret") == CLIENT_SECRET
                and form.get("scope") == "esp"
            )
        else:
            creds = json.loads(body or b"{}")
            ok = creds.get("clientId") == CLIENT_ID and creds.get("clientSecret") == CLIENT_SECRET
        if not ok:
            return json_response({"error": "invalid_client"}, 401)
        self.tokens_issued += 1
        token = f"token-{self.tokens_issued}"
        self.valid_tokens.add(token)
        return json_response(
            {"access_token": token, "expires_in": self.token_expires_in, "token_type": "Bearer"}
        )


def entity_payload(entity_id: str = ENTITY_ID, **overrides: Any) -> dict[str, Any]:
    """An Entity as the re.alto dialect sends it."""
    payload: dict[str, Any] = {
        "id": entity_id,
        "type": "EV",
        "owner": "441c436d-bd15-4a44-9ac0-52a6b1b4c1de",
        "tenantId": "5f0c2a7e-7b3a-4c55-9a61-3b8f6f1d2e10",
        "information": {"type": "EV", "manufacturer": "Audi", "vin": "WA1DMAFE0D0000000", "model": "Q4"},
        "properties": {"fleet": "north"},
    }
    payload.update(overrides)
    return payload


def charge_record_payload(index: int = 0, entity_id: str = ENTITY_ID) -> dict[str, Any]:
    """A ChargingRecord with every documented field."""
    return {
        "id": f"00000000-0000-4000-8000-{index:012d}",
        "entityId": entity_id,
        "created": "2024-05-28T02:00:00Z",
        "data": {
            "start": "2024-05-27T18:00:00Z",
            "end": "2024-05-27 21:30:00Z",
            "charge": {
                "averagePower": {"unit": "kW", "value": 7.2},
                "start": {"unit": "%", "value": 20},
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
