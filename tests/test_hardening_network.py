"""Issue 8 §8: proxies (argument and environment) and private CAs, on the async and blocking clients."""

from __future__ import annotations

import asyncio
import ssl
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from realto_async import APIConnectionError, AsyncRealtoClient, ConfigurationError
from realto_sync import RealtoClient
from tests.helpers import CLIENT_ID, CLIENT_SECRET, ENTITY_ID, ScriptedServer, entity_payload

PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "no_proxy")


@pytest.fixture(autouse=True)
def _no_proxy_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
async def proxy() -> AsyncIterator[ScriptedServer]:
    """A second server that plays the proxy: whatever reaches it went through the proxy."""
    srv = ScriptedServer()
    await srv.start()
    srv.on("GET", f"/v1/entities/{ENTITY_ID}", entity_payload(name="via proxy"))
    yield srv
    await srv.close()


def _credentials(server: ScriptedServer) -> dict[str, Any]:
    return {"base_url": server.base_url, "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}


async def _name_seen(**options: Any) -> str | None:
    async with AsyncRealtoClient(**options) as client:
        return (await client.entities.retrieve(ENTITY_ID)).name


async def test_proxy_argument_sends_every_call_through_the_proxy(
    server: ScriptedServer, proxy: ScriptedServer
) -> None:
    server.on("GET", f"/v1/entities/{ENTITY_ID}", entity_payload(name="direct"))
    assert await _name_seen(**_credentials(server), proxy=proxy.root) == "via proxy"
    assert len(proxy.token_requests) == 1
    assert len(proxy.requests) == 1
    assert server.requests == []
    assert server.token_requests == []


async def test_the_environment_proxy_is_honoured_by_default_and_no_proxy_too(
    server: ScriptedServer, proxy: ScriptedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.on("GET", f"/v1/entities/{ENTITY_ID}", entity_payload(name="direct"))
    monkeypatch.setenv("HTTP_PROXY", proxy.root)
    assert await _name_seen(**_credentials(server)) == "via proxy"
    assert await _name_seen(**_credentials(server), proxy=False) == "direct"
    monkeypatch.setenv("NO_PROXY", "localhost,127.0.0.1")
    assert await _name_seen(**_credentials(server)) == "direct"
    assert await _name_seen(**_credentials(server), proxy=proxy.root) == "via proxy"  # an argument wins
    monkeypatch.delenv("NO_PROXY")
    monkeypatch.delenv("HTTP_PROXY")
    monkeypatch.setenv("http_proxy", proxy.root)
    assert await _name_seen(**_credentials(server)) == "via proxy"


async def test_the_blocking_client_goes_through_a_proxy(
    server: ScriptedServer, proxy: ScriptedServer
) -> None:
    def blocking() -> str | None:
        with RealtoClient(**_credentials(server), proxy=proxy.root) as client:
            name: str | None = client.entities.retrieve(ENTITY_ID).name
            return name

    assert await asyncio.to_thread(blocking) == "via proxy"
    assert len(proxy.requests) == 1


@pytest.mark.parametrize("bad", ["not a url", "ftp://proxy:21", 3128, True])
def test_a_bad_proxy_is_a_configuration_error(bad: Any) -> None:
    with pytest.raises(ConfigurationError, match="proxy"):
        AsyncRealtoClient(token="t", proxy=bad)


def test_a_bad_proxy_in_the_environment_is_a_configuration_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "proxy.example")
    with pytest.raises(ConfigurationError, match="HTTPS_PROXY"):
        AsyncRealtoClient(token="t")


# ---------------------------------------------------------------------------------------- TLS


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (a private CA in miniature)."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
            "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "2", "-subj", "/CN=127.0.0.1",
            "-addext", "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


@pytest.fixture
async def https_url(certificate: tuple[Path, Path]) -> AsyncIterator[str]:
    async def token(request: web.Request) -> web.Response:
        return web.json_response({"access_token": "tls-token", "expires_in": 3600})

    async def entity(request: web.Request) -> web.Response:
        return web.json_response(entity_payload(name="over tls"))

    app = web.Application()
    app.router.add_post("/api/v1/authentication", token)
    app.router.add_get(f"/api/v1/entities/{ENTITY_ID}", entity)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=context)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield f"https://127.0.0.1:{port}/api"
    await runner.cleanup()


def _tls_options(url: str) -> dict[str, Any]:
    return {"base_url": url, "client_id": "id", "client_secret": "secret", "max_retries": 0}


async def test_a_private_ca_is_trusted_through_ssl(https_url: str, certificate: tuple[Path, Path]) -> None:
    cert = certificate[0]
    assert await _name_seen(**_tls_options(https_url), ssl=str(cert)) == "over tls"
    assert await _name_seen(**_tls_options(https_url), ssl=cert) == "over tls"
    context = ssl.create_default_context(cafile=str(cert))
    assert await _name_seen(**_tls_options(https_url), ssl=context) == "over tls"
    assert await _name_seen(**_tls_options(https_url), ssl=False) == "over tls"


async def test_an_unknown_ca_is_refused_by_default(https_url: str) -> None:
    with pytest.raises(APIConnectionError, match=r"certificate|SSL") as info:
        await _name_seen(**_tls_options(https_url))
    assert info.value.may_have_reached_server is False


async def test_the_blocking_client_trusts_a_private_ca(
    https_url: str, certificate: tuple[Path, Path]
) -> None:
    def blocking() -> str | None:
        with RealtoClient(**_tls_options(https_url), ssl=str(certificate[0])) as client:
            name: str | None = client.entities.retrieve(ENTITY_ID).name
            return name

    assert await asyncio.to_thread(blocking) == "over tls"


@pytest.mark.parametrize("bad", ["/no/such/ca-bundle.pem", 443, object()])
def test_a_bad_ssl_setting_is_a_configuration_error(bad: Any) -> None:
    with pytest.raises(ConfigurationError, match="ssl"):
        AsyncRealtoClient(token="t", ssl=bad)


def test_a_file_that_is_not_a_ca_bundle_is_a_configuration_error(tmp_path: Path) -> None:
    junk = tmp_path / "junk.pem"
    junk.write_text("not a certificate")
    with pytest.raises(ConfigurationError, match="CA bundle"):
        AsyncRealtoClient(token="t", ssl=junk)
