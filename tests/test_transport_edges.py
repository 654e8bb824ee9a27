"""Transport failures that a real socket cannot produce on demand, through aioresponses."""

from __future__ import annotations

import aiohttp
import pytest
from aioresponses import aioresponses

from realto_async import APIConnectionError, APITimeoutError, AsyncRealtoClient
from tests.helpers import ENTITY_ID, FakeClock

BASE = "https://api.test/api"
URL = f"{BASE}/v1/entities/{ENTITY_ID}"


@pytest.fixture
async def mocked_client(clock: FakeClock) -> AsyncRealtoClient:
    return AsyncRealtoClient(token="tok", base_url=BASE, clock=clock)


async def test_a_connect_timeout_is_retried_even_for_patch(
    mocked_client: AsyncRealtoClient, clock: FakeClock
) -> None:
    # aioresponses only injects exceptions here: its canned bodies do not build on aiohttp 3.14.
    with aioresponses() as mocked:
        for _ in range(3):
            mocked.patch(URL, exception=aiohttp.ConnectionTimeoutError("connect"))
        with pytest.raises(APITimeoutError, match="was not sent") as info:
            await mocked_client.entities.update(ENTITY_ID, name="x")
    assert info.value.may_have_reached_server is False
    assert len(clock.sleeps) == 2  # the request never left, so both retries were made
    await mocked_client.aclose()


async def test_a_server_disconnect_is_not_retried_for_patch(mocked_client: AsyncRealtoClient) -> None:
    with aioresponses() as mocked:
        mocked.patch(URL, exception=aiohttp.ServerDisconnectedError())
        with pytest.raises(APIConnectionError) as info:
            await mocked_client.entities.update(ENTITY_ID, name="x")
    assert info.value.may_have_reached_server is True
    assert not isinstance(info.value, APITimeoutError)
    assert "before a full answer arrived" in str(info.value)
    assert mocked_client._transport.clock.sleeps == []  # type: ignore[attr-defined]
    await mocked_client.aclose()


async def test_a_dns_failure_says_to_check_the_base_url(mocked_client: AsyncRealtoClient) -> None:
    from aiohttp.client_reqrep import ConnectionKey

    key = ConnectionKey("api.test", 443, True, True, None, None, None)
    error = aiohttp.ClientConnectorDNSError(key, OSError(-2, "Name or service not known"))
    with aioresponses() as mocked:
        for _ in range(3):
            mocked.get(URL, exception=error)
        with pytest.raises(APIConnectionError, match="check base_url") as info:
            await mocked_client.entities.retrieve(ENTITY_ID)
    assert info.value.may_have_reached_server is False
    await mocked_client.aclose()
