"""pytest fixtures for code that uses realto: a fresh emulator per test, and clients for it.

Installed as a pytest11 entry point. Mark a test to change the emulator::

    @pytest.mark.realto(seed=7, flavor="traxes", entities=100)
    async def test_something(realto_client): ...
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, Any

import pytest

from ._clock import FakeClock
from ._server import FakeRealto

if TYPE_CHECKING:
    from realto_sync import RealtoClient

    from .._client import AsyncRealtoClient

try:
    import pytest_asyncio
except ImportError:  # pragma: no cover - the fixtures need pytest-asyncio
    HAVE_PYTEST_ASYNCIO = False
else:
    HAVE_PYTEST_ASYNCIO = True


def _options(request: pytest.FixtureRequest) -> dict[str, Any]:
    marker = request.node.get_closest_marker("realto")
    options: dict[str, Any] = dict(marker.kwargs) if marker else {}
    options.setdefault("clock", FakeClock())
    return options


@pytest.fixture
def realto_thread_server(request: pytest.FixtureRequest) -> Iterator[FakeRealto]:
    """An emulator served from a background thread, for blocking code; options as realto_server."""
    with FakeRealto(**_options(request)).serve_in_thread() as server:
        yield server


@pytest.fixture
def realto_sync_client(realto_thread_server: FakeRealto) -> Iterator[RealtoClient]:
    """A realto_sync.RealtoClient connected to ``realto_thread_server``."""
    with realto_thread_server.sync_client() as client:
        yield client


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "realto(**options): options for the realto_server fixture's FakeRealto (seed, flavor, entities...)",
    )


if HAVE_PYTEST_ASYNCIO:

    @pytest_asyncio.fixture
    async def realto_server(request: pytest.FixtureRequest) -> AsyncIterator[FakeRealto]:
        """A running emulator on a FakeClock; options from ``@pytest.mark.realto(...)``."""
        async with FakeRealto(**_options(request)).serve() as server:
            yield server

    @pytest_asyncio.fixture
    async def realto_client(realto_server: FakeRealto) -> AsyncIterator[AsyncRealtoClient]:
        """An AsyncRealtoClient connected to ``realto_server``."""
        async with realto_server.client() as client:
            yield client
