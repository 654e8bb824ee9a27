"""Tokens: both dialects, single flight, refresh ahead of expiry, 401 replay, typed failures."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from urllib.parse import parse_qs

import pytest

from realto_async import (
    AsyncRealtoClient,
    AuthenticationError,
    InternalServerError,
    InvalidCredentialsError,
    TokenEndpointUnreachableError,
)
from tests.helpers import CLIENT_ID, CLIENT_SECRET, ENTITY_ID, FakeClock, ScriptedServer, entity_payload

MakeClient = Callable[..., AsyncRealtoClient]


async def test_realto_token_request_is_json_to_the_authentication_endpoint(
    server: ScriptedServer, client: AsyncRealtoClient
) -> None:
    server.on("GET", f"/v1/entities/{ENTITY_ID}", entity_payload())
    await client.entities.retrieve(ENTITY_ID)
    (token_request,) = server.token_requests
    assert token_request.path == "/api/v1/authentication"
    assert token_request.headers["Content-Type"] == "application/json"
    assert json.loads(token_request.body) == {"clientId": CLIENT_ID, "clientSecret": CLIENT_SECRET}
    assert server.requests[0].headers["Authorization"] == "Bearer token-1"


async def test_traxes_token_request_is_form_encoded_client_credentials_with_scope_esp(
    server: ScriptedServer, make_client: MakeClient
) -> None:
    client = make_client(flavor="traxes", token_url=server.oauth_url)
    server.on("GET", f"/v1/entities/{ENTITY_ID}", entity_payload())
    await client.entities.retrieve(ENTITY_ID)
    (token_request,) = server.token_requests
    assert token_request.path == "/oauth/token"
    assert token_request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    form = {k: v[0] for k, v in parse_qs(token_request.body.decode()).items()}
    assert form == {
        "grant_type": "client_credentials",
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "scope": "esp",
    }


async def test_200_concurrent_calls_on_a_cold_client_fetch_exactly_one_token(
    server: ScriptedServer, client: AsyncRealtoClient
) -> None:
    server.on("GET", f"/v1/entities/{ENTITY_ID}", entity_payload())
    results = await asyncio.gather(*(client.entities.retrieve(ENTITY_ID) for _ in range(200)))
    assert len(server.token_requests) == 1
    assert len(server.requests) == 200
    assert {r.id for r in results} == {ENTITY_ID}
    assert {r.headers["Authorization"] for r in server.requests} == {"Bearer token-1"}


async def test_token_is_refreshed_ahead_of_expiry(
    server: ScriptedServer, client: AsyncRealtoClient, clock: FakeClock
) -> None:
    server.token_expires_in = 3600
    server.on("GET", f"/v1/entities/{ENTITY_ID}", entity_payload())
    await client.entities.retrieve(ENTITY_ID)
    clock.advance(3600 - 61)  # still more than the refresh margin (60 s) left
    await client.entities.retrieve(ENTITY_ID)
    assert len(server.token_requests) == 1
    clock.advance(2)  # now inside the margin: the token is renewed before it expires
    await client.entities.retrieve(ENTITY_ID)
    assert len(server.token_requests) == 2
    assert server.requests[-1].headers["Authorization"] == "Bearer token-2"


async def test_a_401_fetches_one_new_token_and_replays_once(
    server: ScriptedServer, client: AsyncRealtoClient
) -> None:
    server.on("GET", f"/v1/entities/{ENTITY_ID}", entity_payload())
    await client.entities.retrieve(ENTITY_ID)
    server.expire_tokens()
    entity = await client.entities.retrieve(ENTITY_ID)
    assert entity.id == ENTITY_ID
    assert len(server.token_requests) == 2
    assert [r.headers["Authorization"] for r in server.requests] == [
        "Bearer token-1",
        "Bearer token-1",
        "Bearer token-2",
    ]


async def test_concurrent_401s_share_one_refetch(server: ScriptedServer, client: AsyncRealtoClient) -> None:
    server.on("GET", f"/v1/entities/{ENTITY_ID}", entity_payload())
    await client.entities.retrieve(ENTITY_ID)
    server.expire_tokens()
    await asyncio.gather(*(client.entities.retrieve(ENTITY_ID) for _ in range(50)))
    assert len(server.token_requests) == 2


async def test_a_second_401_raises_authentication_error(
    server: ScriptedServer, client: AsyncRealtoClient
) -> None:
    server.on(
        "GET",
        f"/v1/entities/{ENTITY_ID}",
        (401, {"errors": [{"code": "Unauthorized", "message": "no"}]}, None),
    )
    with pytest.raises(AuthenticationError) as info:
        await client.entities.retrieve(ENTITY_ID)
    assert info.value.status_code == 401
    assert len(server.requests) == 2  # the call and its one replay
    assert len(server.token_requests) == 2


async def test_bad_credentials_raise_invalid_credentials_without_retrying(
    server: ScriptedServer, make_client: MakeClient
) -> None:
    client = make_client(client_secret="wrong-secret-value")
    with pytest.raises(InvalidCredentialsError) as info:
        await client.entities.retrieve(ENTITY_ID)
    assert isinstance(info.value, AuthenticationError)
    assert "refused the client id and secret" in str(info.value)
    assert "wrong-secret-value" not in str(info.value)
    assert len(server.token_requests) == 1
    assert server.requests == []


async def test_unreachable_token_endpoint_is_a_different_error(
    server: ScriptedServer, make_client: MakeClient, unused_tcp_port: int
) -> None:
    client = make_client(token_url=f"http://127.0.0.1:{unused_tcp_port}/token", max_retries=1)
    with pytest.raises(TokenEndpointUnreachableError) as info:
        await client.entities.retrieve(ENTITY_ID)
    assert "could not reach the token endpoint" in str(info.value)
    assert not isinstance(info.value, AuthenticationError)
    assert server.requests == []


async def test_token_endpoint_server_error_is_retried_then_reported_as_unreachable(
    server: ScriptedServer, client: AsyncRealtoClient, clock: FakeClock
) -> None:
    server.token_status = 503
    with pytest.raises(TokenEndpointUnreachableError, match="HTTP 503"):
        await client.entities.retrieve(ENTITY_ID)
    assert len(server.token_requests) == 3  # first try + 2 retries
    assert len(clock.sleeps) == 2


async def test_static_token_is_sent_and_a_401_is_not_replayed(
    server: ScriptedServer, make_client: MakeClient
) -> None:
    server.valid_tokens.add("static-token-abc")
    client = make_client(token="static-token-abc")
    server.on("GET", f"/v1/entities/{ENTITY_ID}", entity_payload())
    await client.entities.retrieve(ENTITY_ID)
    assert server.requests[0].headers["Authorization"] == "Bearer static-token-abc"
    server.expire_tokens()
    with pytest.raises(AuthenticationError):
        await client.entities.retrieve(ENTITY_ID)
    assert len(server.requests) == 2
    assert server.token_requests == []


async def test_async_callable_token_is_single_flight_and_asked_again_after_401(
    server: ScriptedServer, make_client: MakeClient
) -> None:
    calls = 0

    async def provide() -> str:
        nonlocal calls
        calls += 1
        token = f"callable-{calls}"
        server.valid_tokens.add(token)
        await asyncio.sleep(0)
        return token

    client = make_client(token=provide)
    server.on("GET", f"/v1/entities/{ENTITY_ID}", entity_payload())
    await asyncio.gather(*(client.entities.retrieve(ENTITY_ID) for _ in range(20)))
    assert calls == 1
    server.expire_tokens()
    await client.entities.retrieve(ENTITY_ID)
    assert calls == 2
    assert server.requests[-1].headers["Authorization"] == "Bearer callable-2"


async def test_token_callable_returning_nothing_is_a_clear_error(make_client: MakeClient) -> None:
    async def provide() -> str:
        return ""

    client = make_client(token=provide)
    with pytest.raises(InvalidCredentialsError, match="returned no token"):
        await client.entities.retrieve(ENTITY_ID)


async def test_token_answer_without_access_token_is_a_validation_error(
    server: ScriptedServer, make_client: MakeClient
) -> None:
    from realto_async import ResponseValidationError

    client = make_client(token_url=server.base_url + "/v1/broken-token")
    server.check_auth = False
    server.on("POST", "/v1/broken-token", {"token": "x"})
    with pytest.raises(ResponseValidationError, match="access_token"):
        await client.entities.retrieve(ENTITY_ID)


async def test_secrets_and_tokens_never_appear_in_reprs_errors_or_logs(
    server: ScriptedServer, client: AsyncRealtoClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="realto")
    server.on("GET", f"/v1/entities/{ENTITY_ID}", entity_payload(), (500, {"errors": []}, None))
    await client.entities.retrieve(ENTITY_ID)
    with pytest.raises(InternalServerError) as info:
        await client.entities.retrieve(ENTITY_ID)
    texts = [repr(client), repr(client.config), str(info.value), repr(info.value), caplog.text]
    texts.append(repr(client._transport.auth))
    for text in texts:
        assert CLIENT_SECRET not in text
        assert "token-1" not in text
    assert "GET" in caplog.text  # the requests were logged, just not their secrets
