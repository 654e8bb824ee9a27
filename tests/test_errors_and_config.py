"""Error mapping, configuration precedence and validation of arguments."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any
from uuid import UUID

import pytest

from realto_async import (
    APIStatusError,
    AsyncRealtoClient,
    AuthenticationError,
    BadRequestError,
    ConfigurationError,
    ConflictError,
    InternalServerError,
    InvalidArgumentError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    RealtoError,
    ResponseValidationError,
    RetryPolicy,
    Timeout,
    UnprocessableEntityError,
)
from realto_async._config import Secret, resolve_config
from realto_async._http import parse_error_details
from tests.helpers import CLIENT_SECRET, ENTITY_ID, ScriptedServer, entity_payload

MakeClient = Callable[..., AsyncRealtoClient]
ENTITY_PATH = f"/v1/entities/{ENTITY_ID}"


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, BadRequestError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (409, ConflictError),
        (422, UnprocessableEntityError),
        (418, APIStatusError),
    ],
)
async def test_each_status_family_raises_its_error(
    server: ScriptedServer, client: AsyncRealtoClient, status: int, cls: type[APIStatusError]
) -> None:
    body = {"errors": [{"code": "Code1", "description": "Described", "message": "It failed"}]}
    server.on("GET", ENTITY_PATH, (status, body, {"x-request-id": "rid-1"}))
    with pytest.raises(cls) as info:
        await client.entities.retrieve(ENTITY_ID)
    err = info.value
    assert type(err) is cls
    assert isinstance(err, RealtoError)
    assert err.status_code == status
    assert err.request_id == "rid-1"
    assert [(e.code, e.description, e.message) for e in err.errors] == [("Code1", "Described", "It failed")]
    assert '"Code1"' in err.body
    assert err.headers["x-request-id"] == "rid-1"
    assert f"HTTP {status}" in str(err)
    assert "Code1: It failed" in str(err)


@pytest.mark.parametrize(
    ("status", "cls"), [(429, RateLimitError), (500, InternalServerError), (503, InternalServerError)]
)
async def test_retryable_statuses_raise_their_error_when_retries_run_out(
    server: ScriptedServer, make_client: MakeClient, status: int, cls: type[APIStatusError]
) -> None:
    client = make_client(max_retries=0)
    server.on("GET", ENTITY_PATH, (status, "<html><body>Bad Gateway</body></html>", {"request-id": "r2"}))
    with pytest.raises(cls) as info:
        await client.entities.retrieve(ENTITY_ID)
    assert info.value.errors == []
    assert info.value.request_id == "r2"
    assert "Bad Gateway" in str(info.value)


async def test_a_success_body_that_is_not_json_is_a_validation_error(
    server: ScriptedServer, client: AsyncRealtoClient
) -> None:
    server.on("GET", ENTITY_PATH, (200, "<html>maintenance</html>", {"x-request-id": "r3"}))
    with pytest.raises(ResponseValidationError, match="not JSON") as info:
        await client.entities.retrieve(ENTITY_ID)
    assert info.value.body == "<html>maintenance</html>"
    assert info.value.request_id == "r3"


async def test_truncated_json_is_a_validation_error(
    server: ScriptedServer, client: AsyncRealtoClient
) -> None:
    server.on("GET", ENTITY_PATH, (200, '{"id": "3c90c3cc-0d44', {"Content-Type": "application/json"}))
    with pytest.raises(ResponseValidationError, match="not JSON"):
        await client.entities.retrieve(ENTITY_ID)


def test_error_bodies_of_other_shapes_are_read() -> None:
    problem = b'{"title": "One or more validation errors occurred.", "errors": {"start": ["required"]}}'
    assert [(e.code, e.message) for e in parse_error_details(problem)] == [("start", "required")]
    assert [e.message for e in parse_error_details(b'{"message": "nope", "code": 7}')] == ["nope"]
    assert [e.message for e in parse_error_details(b'{"errors": ["plain text"]}')] == ["plain text"]
    assert parse_error_details(b"not json") == []
    assert parse_error_details(b"[1]") == []


def test_settings_come_from_arguments_then_environment_then_defaults() -> None:
    env = {
        "REALTO_CLIENT_ID": "env-id",
        "REALTO_CLIENT_SECRET": "env-secret",
        "REALTO_BASE_URL": "https://api.traxes.io/connect/",
        "REALTO_FLAVOR": "traxes",
    }
    common: dict[str, Any] = {
        "token": None,
        "token_url": None,
        "timeout": None,
        "max_retries": None,
        "retry": None,
        "connector_limit": None,
        "default_headers": None,
    }
    from_env = resolve_config(
        client_id=None, client_secret=None, base_url=None, flavor=None, env=env, **common
    )
    assert from_env.client_id == "env-id"
    assert from_env.client_secret == Secret("env-secret")
    assert from_env.base_url == "https://api.traxes.io/connect"
    assert from_env.flavor == "traxes"
    assert from_env.token_url.startswith("https://signin.energy/")
    from_args = resolve_config(
        client_id="arg-id",
        client_secret="arg-secret",
        base_url="http://127.0.0.1:1/api",
        flavor="realto",
        env=env,
        **common,
    )
    assert from_args.client_id == "arg-id"
    assert from_args.flavor == "realto"
    assert from_args.token_url == "http://127.0.0.1:1/api/v1/authentication"
    defaults = resolve_config(client_id="a", client_secret="b", base_url=None, flavor=None, env={}, **common)
    assert defaults.base_url == "https://platform.realto.io/api"
    assert defaults.timeout == Timeout()
    assert defaults.retry == RetryPolicy()


def test_environment_is_read_when_the_client_is_built_not_at_import(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REALTO_CLIENT_ID", "late-id")
    monkeypatch.setenv("REALTO_CLIENT_SECRET", "late-secret")
    client = AsyncRealtoClient()
    assert client.config.client_id == "late-id"
    assert "late-secret" not in repr(client.config)
    assert "late-secret" not in repr(client)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, "no credentials"),
        ({"client_id": "x"}, "client_secret"),
        ({"token": "t", "flavor": "other"}, "flavor"),
        ({"token": "t", "base_url": "platform.realto.io"}, "absolute http"),
        ({"token": "t", "timeout": -1}, "positive"),
        ({"token": "t", "timeout": "10"}, "seconds"),
        ({"token": "t", "max_retries": -1}, "max_retries"),
        ({"token": "t", "retry": 3}, "RetryPolicy"),
        ({"token": "t", "connector_limit": "many"}, "connector_limit"),
        ({"token": "t", "default_headers": {"Authorization": "x"}}, "Authorization"),
        ({"token": "   "}, "empty"),
        ({"token": 42}, "token must be"),
        ({"token": "t", "session": object()}, "aiohttp.ClientSession"),
        ({"token": "t", "on_retry": 5}, "on_retry"),
    ],
)
def test_bad_settings_raise_configuration_error(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        AsyncRealtoClient(**kwargs)  # type: ignore[arg-type]


def test_timeout_forms() -> None:
    assert Timeout.coerce(5) == Timeout(connect=5, read=5, total=5, pool=5)
    assert Timeout.coerce(300) == Timeout(connect=10, read=60, total=300)
    custom = Timeout(connect=1, read=2, total=None)
    assert Timeout.coerce(custom) is custom
    with pytest.raises(ConfigurationError):
        Timeout(connect=0)
    for beyond_any_float in (10**400, -(10**400)):
        with pytest.raises(ConfigurationError):
            Timeout(read=beyond_any_float)
        with pytest.raises(ConfigurationError):
            Timeout.coerce(beyond_any_float)


def test_secret_never_shows() -> None:
    secret = Secret(CLIENT_SECRET)
    assert CLIENT_SECRET not in repr(secret)
    assert CLIENT_SECRET not in str(secret)
    assert secret.reveal() == CLIENT_SECRET
    assert hash(secret) == hash(Secret(CLIENT_SECRET))


@pytest.mark.parametrize(
    "bad_id",
    ["../../v1/tenants", "3c90c3cc-0d44-4b50-8888-8dd25736052a/../x", "", "not-a-uuid", "3c90c3cc%2F..", 12],
)
async def test_path_ids_are_checked_before_any_request(
    server: ScriptedServer, client: AsyncRealtoClient, bad_id: object
) -> None:
    with pytest.raises(InvalidArgumentError, match="entity_id must be"):
        await client.entities.retrieve(bad_id)  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentError, match="entity_id must be"):
        client.charge_sessions.list(bad_id, datetime.now(timezone.utc))  # type: ignore[arg-type]
    assert server.requests == []
    assert server.token_requests == []


async def test_uuid_objects_and_upper_case_ids_are_normalised(
    server: ScriptedServer, client: AsyncRealtoClient
) -> None:
    server.on("GET", ENTITY_PATH, entity_payload())
    await client.entities.retrieve(UUID(ENTITY_ID))
    await client.entities.retrieve(ENTITY_ID.upper())
    assert [r.path for r in server.requests] == ["/api" + ENTITY_PATH] * 2


async def test_naive_datetimes_and_reversed_ranges_are_refused(
    server: ScriptedServer, client: AsyncRealtoClient
) -> None:
    with pytest.raises(InvalidArgumentError, match="naive datetime"):
        client.charge_sessions.list(ENTITY_ID, datetime(2024, 1, 1))
    now = datetime.now(timezone.utc)
    with pytest.raises(InvalidArgumentError, match="naive datetime"):
        client.charge_sessions.list(ENTITY_ID, now, datetime(2024, 1, 1))
    with pytest.raises(InvalidArgumentError, match="before start"):
        client.charge_sessions.list(ENTITY_ID, now, now - timedelta(days=1))
    with pytest.raises(InvalidArgumentError, match="must be a datetime"):
        client.charge_sessions.list(ENTITY_ID, "2024-01-01")  # type: ignore[arg-type]
    assert server.requests == []


async def test_bad_continuation_tokens_and_max_items_are_refused(client: AsyncRealtoClient) -> None:
    now = datetime.now(timezone.utc)
    with pytest.raises(InvalidArgumentError, match="continuation_token"):
        client.charge_sessions.list(ENTITY_ID, now, continuation_token="")
    with pytest.raises(InvalidArgumentError, match="max_items"):
        client.charge_sessions.list(ENTITY_ID, now, max_items=-1)


async def test_error_of_a_401_says_what_to_check(server: ScriptedServer, make_client: MakeClient) -> None:
    client = make_client(token="expired")
    with pytest.raises(AuthenticationError, match="check the client id and secret, or the token"):
        await client.entities.retrieve(ENTITY_ID)
