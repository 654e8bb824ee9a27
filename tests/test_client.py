"""Client lifecycle, views, cookies, logging and the two resource groups of this release."""

from __future__ import annotations

import asyncio
import gc
import json
import logging
import threading
import warnings
from collections.abc import Callable

import aiohttp
import pytest
from aiohttp import web

from realto_async import (
    AsyncRealtoClient,
    EntityType,
    EventLoopMismatchError,
    InvalidArgumentError,
    RealtoError,
    Timeout,
)
from tests.helpers import CLIENT_ID, CLIENT_SECRET, ENTITY_ID, ScriptedServer, entity_payload, page

MakeClient = Callable[..., AsyncRealtoClient]
ENTITY_PATH = f"/v1/entities/{ENTITY_ID}"


async def test_the_session_is_created_lazily_and_closed_with_the_client(server: ScriptedServer) -> None:
    server.on("GET", ENTITY_PATH, entity_payload())
    async with AsyncRealtoClient(
        client_id=CLIENT_ID, client_secret=CLIENT_SECRET, base_url=server.base_url
    ) as client:
        assert client._transport._session is None
        await client.entities.retrieve(ENTITY_ID)
        session = client._transport._session
        assert session is not None
        assert isinstance(session.cookie_jar, aiohttp.DummyCookieJar)
    assert session.closed
    assert client.is_closed
    with pytest.raises(RealtoError, match="closed"):
        await client.entities.retrieve(ENTITY_ID)


async def test_an_injected_session_is_used_and_never_closed(server: ScriptedServer) -> None:
    server.on("GET", ENTITY_PATH, entity_payload())
    async with aiohttp.ClientSession() as session:
        client = AsyncRealtoClient(token="t", base_url=server.base_url, session=session)
        server.valid_tokens.add("t")
        await client.entities.retrieve(ENTITY_ID)
        await client.aclose()
        assert not session.closed
        async with session.get(
            server.root + "/api" + ENTITY_PATH, headers={"Authorization": "Bearer t"}
        ) as resp:
            assert resp.status == 200


async def test_an_unclosed_client_warns_when_collected_and_schedules_nothing(server: ScriptedServer) -> None:
    server.on("GET", ENTITY_PATH, entity_payload())
    client = AsyncRealtoClient(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, base_url=server.base_url)
    await client.entities.retrieve(ENTITY_ID)
    session = client._transport._session
    assert session is not None
    tasks_before = len(asyncio.all_tasks())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        del client
        gc.collect()
    assert any(issubclass(w.category, ResourceWarning) and "was not closed" in str(w.message) for w in caught)
    assert len(asyncio.all_tasks()) == tasks_before
    await session.close()


async def test_a_closed_client_does_not_warn(server: ScriptedServer) -> None:
    client = AsyncRealtoClient(token="t", base_url=server.base_url)
    server.valid_tokens.add("t")
    server.on("GET", ENTITY_PATH, entity_payload())
    await client.entities.retrieve(ENTITY_ID)
    await client.aclose()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        del client
        gc.collect()
    assert not [w for w in caught if issubclass(w.category, ResourceWarning)]


async def test_using_a_client_from_another_event_loop_is_a_clear_error(server: ScriptedServer) -> None:
    server.on("GET", ENTITY_PATH, entity_payload())
    client = AsyncRealtoClient(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, base_url=server.base_url)
    await client.entities.retrieve(ENTITY_ID)
    errors: list[BaseException] = []

    def other_thread() -> None:
        try:
            asyncio.run(client.entities.retrieve(ENTITY_ID))
        except BaseException as err:
            errors.append(err)

    thread = threading.Thread(target=other_thread)
    thread.start()
    thread.join()
    assert len(errors) == 1
    assert isinstance(errors[0], EventLoopMismatchError)
    assert "one client per event loop" in str(errors[0])
    await client.aclose()


async def test_cookies_are_not_kept(server: ScriptedServer, client: AsyncRealtoClient) -> None:
    async def sets_cookie(request: web.Request) -> web.Response:
        response = web.json_response(entity_payload())
        response.set_cookie("session", "abc")
        return response

    server.on("GET", ENTITY_PATH, sets_cookie)
    await client.entities.retrieve(ENTITY_ID)
    await client.entities.retrieve(ENTITY_ID)
    assert "Cookie" not in server.requests[1].headers


async def test_with_options_shares_the_pool_and_token_and_overrides_settings(
    server: ScriptedServer, client: AsyncRealtoClient
) -> None:
    server.on("GET", ENTITY_PATH, entity_payload())
    await client.entities.retrieve(ENTITY_ID)
    view = client.with_options(timeout=5, max_retries=7, default_headers={"X-Tenant": "north"})
    assert view.timeout == Timeout.coerce(5)
    assert view.retry.max_retries == 7
    assert client.retry.max_retries == 2
    await view.entities.retrieve(ENTITY_ID)
    assert view._transport is client._transport
    assert len(server.token_requests) == 1
    assert server.requests[-1].headers["X-Tenant"] == "north"
    assert "view" in repr(view)
    await view.aclose()
    assert not client.is_closed
    await client.entities.retrieve(ENTITY_ID)
    assert "X-Tenant" not in server.requests[-1].headers


BAD_PER_CALL_SETTINGS: list[dict[str, object]] = [
    {"max_retries": -2},
    {"max_retries": True},
    {"max_retries": 1.5},
    {"retry": "often"},
    {"retry": 3},
    {"timeout": -1},
    {"timeout": "5"},
    {"timeout": float("inf")},
    {"timeout": 10**400},
    {"default_headers": {"authorization": "x"}},
    {"default_headers": {"X-Count": 1}},
    {"default_headers": {2: "x"}},
    {"default_headers": [("X-A", "b")]},
    {"on_retry": "log it"},
    {"on_retry": 42},
]


@pytest.mark.parametrize("settings", BAD_PER_CALL_SETTINGS, ids=repr)
def test_with_options_refuses_what_the_constructor_refuses_with_the_same_message(
    client: AsyncRealtoClient, settings: dict[str, object]
) -> None:
    from realto_async import ConfigurationError

    with pytest.raises(ConfigurationError) as by_constructor:
        AsyncRealtoClient(token="t", base_url="http://127.0.0.1:9/api", **settings)  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError) as by_view:
        client.with_options(**settings)  # type: ignore[arg-type]
    assert str(by_view.value) == str(by_constructor.value)


def test_with_options_accepts_what_the_constructor_accepts(client: AsyncRealtoClient) -> None:
    from realto_async import RetryPolicy

    def hook(event: object) -> None:
        return None

    view = client.with_options(
        retry=RetryPolicy(max_retries=5), max_retries=1, default_headers={"X-A": "b"}, on_retry=hook
    )
    built = AsyncRealtoClient(
        token="t",
        retry=RetryPolicy(max_retries=5),
        max_retries=1,
        default_headers={"X-A": "b"},
        on_retry=hook,
    )
    assert view.retry == built.retry
    assert view.retry.max_retries == 1
    assert view._options.headers["X-A"] == built._options.headers["X-A"] == "b"
    assert view._options.on_retry is hook


async def test_default_headers_and_user_agent_are_sent(
    server: ScriptedServer, make_client: MakeClient
) -> None:
    client = make_client(default_headers={"X-Caller": "tests"})
    server.on("GET", ENTITY_PATH, entity_payload())
    await client.entities.retrieve(ENTITY_ID)
    headers = server.requests[0].headers
    assert headers["X-Caller"] == "tests"
    assert headers["User-Agent"].startswith("realto-python/")
    assert headers["Accept"] == "application/json"


def test_realto_log_turns_on_logging(monkeypatch: pytest.MonkeyPatch) -> None:
    logger = logging.getLogger("realto")
    level, handlers = logger.level, list(logger.handlers)
    monkeypatch.setenv("REALTO_LOG", "debug")
    try:
        AsyncRealtoClient(token="t")
        assert logger.level == logging.DEBUG
        assert logger.handlers
    finally:
        logger.setLevel(level)
        logger.handlers[:] = handlers
    monkeypatch.setenv("REALTO_LOG", "chatty")
    from realto_async import ConfigurationError

    with pytest.raises(ConfigurationError, match="REALTO_LOG"):
        AsyncRealtoClient(token="t")


# ------------------------------------------------------------------------------ resources


async def test_entities_list_filters_by_type_in_the_clients_dialect(
    server: ScriptedServer, make_client: MakeClient
) -> None:
    server.on("GET", "/v1/entities", page([entity_payload()]))
    realto = make_client()
    traxes = make_client(flavor="traxes", token_url=server.oauth_url)
    assert [e.id async for e in realto.entities.list(type=EntityType.CHARGE_POINT)] == [ENTITY_ID]
    assert [e.id async for e in traxes.entities.list(type="ChargePole")] == [ENTITY_ID]
    await traxes.entities.list()
    assert [r.query.get("type") for r in server.requests] == ["ChargePole", "ChargePoint", None]


async def test_entities_list_passes_unknown_types_with_a_warning(
    server: ScriptedServer, client: AsyncRealtoClient, caplog: pytest.LogCaptureFixture
) -> None:
    server.on("GET", "/v1/entities", page([]))
    await client.entities.list(type="Hydrogen")
    assert server.requests[0].query["type"] == "Hydrogen"
    assert "not a EntityType this SDK knows" in caplog.text
    with pytest.raises(InvalidArgumentError):
        client.entities.list(type=3)  # type: ignore[arg-type]


async def test_entities_retrieve_and_update(server: ScriptedServer, client: AsyncRealtoClient) -> None:
    server.on("GET", ENTITY_PATH, entity_payload())
    server.on("PATCH", ENTITY_PATH, entity_payload(name="Van 7", properties={"depot": 2}))
    entity = await client.entities.retrieve(ENTITY_ID)
    assert entity.type is EntityType.EV
    assert entity.information is not None
    assert entity.information.vin == "WA1DMAFE0D0000000"
    updated = await client.entities.update(ENTITY_ID, name="Van 7", properties={"depot": 2})
    assert updated.name == "Van 7"
    patch = server.api_requests("PATCH")[0]
    assert json.loads(patch.body) == {"name": "Van 7", "properties": {"depot": 2}}
    assert patch.headers["Content-Type"] == "application/json"
    await client.entities.update(ENTITY_ID, properties=None)
    assert json.loads(server.api_requests("PATCH")[1].body) == {"properties": None}


async def test_entities_update_needs_something_to_update(
    server: ScriptedServer, client: AsyncRealtoClient
) -> None:
    with pytest.raises(InvalidArgumentError, match="nothing to update"):
        await client.entities.update(ENTITY_ID)
    with pytest.raises(InvalidArgumentError, match="name must be a str"):
        await client.entities.update(ENTITY_ID, name=5)  # type: ignore[arg-type]
    assert server.requests == []


async def test_charge_sessions_list_sends_start_and_end(
    server: ScriptedServer, client: AsyncRealtoClient
) -> None:
    from datetime import datetime, timedelta, timezone

    server.on("GET", f"/v1/entities/{ENTITY_ID}/charge-sessions", page([]))
    cet = timezone(timedelta(hours=1))
    await client.charge_sessions.list(
        ENTITY_ID, datetime(2024, 1, 1, tzinfo=cet), datetime(2024, 2, 1, tzinfo=timezone.utc)
    )
    assert server.requests[0].query == {"start": "2024-01-01T00:00:00+01:00", "end": "2024-02-01T00:00:00Z"}
