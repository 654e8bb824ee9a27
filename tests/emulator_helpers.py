"""Raw HTTP access to the emulator, for tests of the emulator itself."""

from __future__ import annotations

import json
from typing import Any

import aiohttp

from realto_async.testing import FakeRealto


class Raw:
    """A token-holding aiohttp caller of one emulator; answers are (status, json-or-text)."""

    def __init__(self, server: FakeRealto, session: aiohttp.ClientSession) -> None:
        self.server = server
        self.session = session
        self.token: str | None = None

    async def login(self, client_id: str | None = None, client_secret: str | None = None) -> str:
        cid = client_id or self.server.client_id
        secret = client_secret or self.server.client_secret
        if self.server.flavor == "traxes":
            form = {
                "grant_type": "client_credentials",
                "client_id": cid,
                "client_secret": secret,
                "scope": "esp",
            }
            async with self.session.post(self.server.token_url, data=form) as resp:
                payload = await resp.json()
        else:
            async with self.session.post(
                self.server.token_url, json={"clientId": cid, "clientSecret": secret}
            ) as resp:
                payload = await resp.json()
        assert resp.status == 200, payload
        self.token = payload["access_token"]
        return self.token

    async def call(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, str] | None = None,
        body: Any = None,
        raw_body: bytes | None = None,
    ) -> tuple[int, Any]:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        data = raw_body if raw_body is not None else (json.dumps(body).encode() if body is not None else None)
        if data is not None:
            headers["Content-Type"] = "application/json"
        async with self.session.request(
            method, self.server.url + path, params=params, data=data, headers=headers
        ) as resp:
            text = await resp.text()
        try:
            return resp.status, json.loads(text)
        except ValueError:
            return resp.status, text

    async def ok(self, method: str, path: str, status: int = 200, **kwargs: Any) -> Any:
        got, payload = await self.call(method, path, **kwargs)
        assert got == status, (method, path, got, payload)
        return payload

    async def error(self, method: str, path: str, status: int, **kwargs: Any) -> dict[str, Any]:
        got, payload = await self.call(method, path, **kwargs)
        assert got == status, (method, path, got, payload)
        assert isinstance(payload, dict)
        assert payload["errors"][0]["code"], payload
        return payload
