from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from realto_async import AsyncRealtoClient
from tests.helpers import CLIENT_ID, CLIENT_SECRET, FakeClock, ScriptedServer


@pytest.fixture(autouse=True)
def _no_realto_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "REALTO_CLIENT_ID",
        "REALTO_CLIENT_SECRET",
        "REALTO_BASE_URL",
        "REALTO_FLAVOR",
        "REALTO_TOKEN_URL",
        "REALTO_LOG",
    ):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
async def server() -> AsyncIterator[ScriptedServer]:
    srv = ScriptedServer()
    await srv.start()
    yield srv
    await srv.close()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def make_client(
    server: ScriptedServer, clock: FakeClock
) -> AsyncIterator[Callable[..., AsyncRealtoClient]]:
    made: list[AsyncRealtoClient] = []

    def make(**kwargs: Any) -> AsyncRealtoClient:
        kwargs.setdefault("base_url", server.base_url)
        if "token" not in kwargs:
            kwargs.setdefault("client_id", CLIENT_ID)
            kwargs.setdefault("client_secret", CLIENT_SECRET)
        kwargs.setdefault("clock", clock)
        client = AsyncRealtoClient(**kwargs)
        made.append(client)
        return client

    yield make
    for client in made:
        await client.aclose()


@pytest.fixture
async def client(make_client: Callable[..., AsyncRealtoClient]) -> AsyncRealtoClient:
    return make_client()


@pytest.fixture(params=["realto", "traxes"])
def flavor(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def emu(flavor: str) -> AsyncIterator[Any]:
    """A running emulator on a FakeClock, in both dialects, and a logged-in raw caller."""
    import aiohttp

    from realto_async.testing import FakeClock, FakeRealto
    from tests.emulator_helpers import Raw

    async with (
        FakeRealto(seed=1, flavor=flavor, clock=FakeClock()).serve() as server,
        aiohttp.ClientSession() as session,
    ):
        raw = Raw(server, session)
        await raw.login()
        yield raw


@pytest.fixture(params=["async", "sync"])
async def served(flavor: str, request: pytest.FixtureRequest) -> AsyncIterator[tuple[Any, Any]]:
    """The emulator and a client of it: the async one, or the blocking one behind AsyncFacade,
    so one scenario runs through both clients."""
    from realto_async.testing import FakeClock, FakeRealto
    from tests.sync_facade import AsyncFacade

    async with FakeRealto(seed=3, flavor=flavor, clock=FakeClock()).serve() as server:
        client: Any = server.client() if request.param == "async" else AsyncFacade(server.sync_client())
        async with client:
            yield server, client
