"""Issue 8 §7 (errors travel, clients can be mocked) and §9 (secrets stay out of tracebacks)."""

from __future__ import annotations

import copy
import inspect
import pickle
import traceback
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from multidict import CIMultiDict

import realto_async
import realto_sync
from realto_async import (
    AsyncRealtoClient,
    CommandOutcomeAmbiguousError,
    CommandOutcomeUnknownError,
    ConfigurationError,
    ErrorDetail,
    InvalidCredentialsError,
    NotFoundError,
    RealtoError,
)
from realto_async import errors as errors_module
from realto_async._convert import structure
from realto_async.models.commands import Command
from realto_sync import RealtoClient
from tests.helpers import CLIENT_SECRET, ENTITY_ID, ScriptedServer

MakeClient = Callable[..., AsyncRealtoClient]
SDK_DIRS = (str(Path(realto_async.__file__).parent), str(Path(realto_sync.__file__).parent))
COMMAND = structure(
    {"id": ENTITY_ID, "type": "StartCharging", "status": "Pending", "triggerTime": "2024-05-01T10:00:00Z"},
    Command,
)
STATUS_KWARGS: dict[str, Any] = {
    "status_code": 404,
    "method": "GET",
    "url": "https://x/api/v1/entities/1",
    "request_id": "req-1",
    "errors": [ErrorDetail(code="NotFound", message="no such entity")],
    "body": '{"errors": []}',
    "headers": CIMultiDict([("X-Request-Id", "req-1"), ("Set-Cookie", "a"), ("Set-Cookie", "b")]),
}
SPECIAL: dict[str, dict[str, Any]] = {
    "ResponseValidationError": {"model": "Entity", "path": "data[3].id", "body": "{", "request_id": "r"},
    "ResponseTooLargeError": {"model": None, "path": "", "body": None, "request_id": "r"},
    "APIConnectionError": {"method": "POST", "url": "https://x", "may_have_reached_server": False},
    "APITimeoutError": {"method": "GET", "url": "https://x", "may_have_reached_server": True},
    "TokenEndpointUnreachableError": {"url": "https://x/token", "may_have_reached_server": False},
    "TokenTimeoutError": {"url": "https://x/token", "may_have_reached_server": False},
    "RateLimitError": {**STATUS_KWARGS, "status_code": 429, "retry_after": 2.5},
    "CooldownActiveError": {**STATUS_KWARGS, "status_code": 409, "retry_after": 540.0},
    "OperationTimeoutError": {"last_state": COMMAND},
    "OnboardingFailedError": {"errors": [{"code": "X"}], "request": {"id": "r"}},
    "CommandOutcomeUnknownError": {
        "entity_id": ENTITY_ID,
        "command_type": "LimitFeedIn",
        "value": "3000",
        "sent_at": datetime(2024, 5, 1, 10, 0, tzinfo=timezone.utc),
    },
    "CommandOutcomeAmbiguousError": {"candidates": [COMMAND, COMMAND]},
}


def _every_error() -> Iterator[RealtoError]:
    for name in errors_module.__all__:
        cls = getattr(errors_module, name)
        if not (isinstance(cls, type) and issubclass(cls, RealtoError)):
            continue
        if name in SPECIAL:
            kwargs = SPECIAL[name]
        elif issubclass(cls, realto_async.APIStatusError):
            kwargs = STATUS_KWARGS
        else:
            kwargs = {}
        error = cls(f"{name} happened", **kwargs)
        error.continuation_token = "resume-here"
        error._resume_known = True
        yield error


ERRORS = list(_every_error())


def test_every_exported_error_is_covered() -> None:
    names = {type(e).__name__ for e in ERRORS}
    assert "NotFoundError" in names
    assert "CommandOutcomeAmbiguousError" in names
    assert len(names) == sum(
        1
        for n in errors_module.__all__
        if isinstance(getattr(errors_module, n), type) and issubclass(getattr(errors_module, n), RealtoError)
    )


@pytest.mark.parametrize("error", ERRORS, ids=lambda e: type(e).__name__)
@pytest.mark.parametrize(
    "travel",
    [lambda e: pickle.loads(pickle.dumps(e)), copy.copy, copy.deepcopy],
    ids=["pickle", "copy", "deepcopy"],
)
def test_an_error_survives_pickle_and_copies_with_all_its_attributes(
    error: RealtoError, travel: Callable[[Any], Any]
) -> None:
    arrived: Any = travel(error)
    assert type(arrived) is type(error)
    assert str(arrived) == str(error)
    assert arrived.args == error.args
    assert vars(arrived).keys() == vars(error).keys()
    for name, value in vars(error).items():
        if name == "headers":
            headers = vars(arrived)["headers"]
            assert list(headers.items()) == list(value.items())
            assert headers["x-request-id"] == "req-1"  # still case-insensitive
        else:
            assert getattr(arrived, name) == value, name
    assert arrived.continuation_token == "resume-here"


async def test_a_real_404_travels_to_another_process(
    server: ScriptedServer, client: AsyncRealtoClient
) -> None:
    with pytest.raises(NotFoundError) as info:
        await client.entities.retrieve(ENTITY_ID)
    arrived = pickle.loads(pickle.dumps(info.value))
    assert arrived.status_code == 404
    assert arrived.errors[0].code == "NotFound"
    assert arrived.headers["content-type"].startswith("application/json")
    assert arrived.url == info.value.url


# ------------------------------------------------------------------------------------ mocks


def _namespaces(cls: type) -> dict[str, type]:
    return {name: getattr(cls, name) for name in inspect.get_annotations(cls)}


@pytest.mark.parametrize("client_cls", [AsyncRealtoClient, RealtoClient])
def test_create_autospec_exposes_every_namespace_and_method_with_its_signature(client_cls: type) -> None:
    mocked = mock.create_autospec(client_cls, instance=True)
    real = client_cls(token="t", base_url="http://127.0.0.1:9/api")
    try:
        checked = 0
        for path in (
            ("entities", "retrieve"),
            ("entities", "permissions", "add"),
            ("settings", "features", "update"),
            ("settings", "battery_capacity", "update"),
            ("onboarding", "entities", "create"),
            ("onboarding", "guided_sessions", "create"),
            ("commands", "trigger"),
            ("charge_sessions", "list"),
            ("offboarding", "wait"),
        ):
            fake: Any = mocked
            actual: Any = real
            for name in path:
                fake, actual = getattr(fake, name), getattr(actual, name)
            assert inspect.signature(fake) == inspect.signature(actual), path
            checked += 1
        with pytest.raises(AttributeError):
            mocked.entities.no_such_method  # noqa: B018
        with pytest.raises(TypeError):
            mocked.entities.retrieve()  # entity_id is missing
        assert set(_namespaces(client_cls)) == {
            "entities",
            "collectives",
            "tenants",
            "onboarding",
            "readings",
            "commands",
            "charge_sessions",
            "settings",
            "offboarding",
        }
        assert checked == 9
    finally:
        if isinstance(real, RealtoClient):
            real.close()


async def test_an_autospecced_async_client_awaits_like_the_real_one() -> None:
    mocked = mock.create_autospec(AsyncRealtoClient, instance=True)
    mocked.entities.retrieve.return_value = "an entity"
    assert await mocked.entities.retrieve(ENTITY_ID) == "an entity"
    mocked.entities.retrieve.assert_awaited_once_with(ENTITY_ID)


async def test_patch_object_works_on_a_real_async_client(client: AsyncRealtoClient) -> None:
    with mock.patch.object(client.entities, "retrieve", autospec=True) as retrieve:
        retrieve.return_value = "patched"
        found: Any = await client.entities.retrieve(ENTITY_ID)
        assert found == "patched"
    assert inspect.ismethod(client.entities.retrieve)
    with mock.patch.object(client.settings.features, "list") as features:
        features.return_value = []
        assert client.settings.features.list is features
    with mock.patch.object(client, "entities") as entities:
        assert client.entities is entities
    assert type(client.entities).__name__ == "Entities"


def test_patch_object_works_on_a_real_blocking_client() -> None:
    with RealtoClient(token="t", base_url="http://127.0.0.1:9/api") as client:
        with mock.patch.object(client.entities, "retrieve", return_value="patched") as retrieve:
            found: Any = client.entities.retrieve(ENTITY_ID)
            assert found == "patched"
        retrieve.assert_called_once_with(ENTITY_ID)
        with mock.patch.object(client.onboarding.entities, "retrieve", return_value="p"):
            request: Any = client.onboarding.entities.retrieve(ENTITY_ID)
            assert request == "p"


# ---------------------------------------------------------------------------------- secrets


def _sdk_locals(error: BaseException) -> str:
    """Every local variable of every SDK frame, as an error reporter capturing locals shows them."""
    seen: list[str] = []
    stack: list[traceback.TracebackException | None] = [
        traceback.TracebackException.from_exception(error, capture_locals=True)
    ]
    while stack:
        found = stack.pop()
        if found is None:
            continue
        for frame in found.stack:
            if frame.filename.startswith(SDK_DIRS) and frame.locals:
                seen.extend(f"{frame.name}: {k}={v}" for k, v in frame.locals.items())
        stack.extend([found.__cause__, found.__context__])
    assert seen, "no SDK frame was captured"
    return "\n".join(seen)


async def test_a_refused_secret_is_not_in_any_sdk_frame(
    server: ScriptedServer, make_client: MakeClient
) -> None:
    client = make_client(client_secret="not-the-right-" + CLIENT_SECRET)
    with pytest.raises(InvalidCredentialsError) as info:
        await client.entities.retrieve(ENTITY_ID)
    text = _sdk_locals(info.value)
    assert CLIENT_SECRET not in text
    assert "client_secret" in text or "config" in text  # the frames were there, redacted


async def test_a_fetched_token_is_not_in_any_sdk_frame(
    server: ScriptedServer, make_client: MakeClient
) -> None:
    client = make_client(max_retries=0)
    server.on("GET", f"/v1/entities/{ENTITY_ID}", (500, {"errors": []}, None))
    with pytest.raises(RealtoError) as info:
        await client.entities.retrieve(ENTITY_ID)
    text = _sdk_locals(info.value)
    assert "token-1" not in text
    assert CLIENT_SECRET not in text
    assert "Authorization" in text  # the headers were captured, their value hidden


async def test_a_static_token_is_not_in_any_sdk_frame(
    server: ScriptedServer, make_client: MakeClient
) -> None:
    token = "static-token-value-9f8e7d"
    server.valid_tokens.add(token)
    client = make_client(token=token)
    with pytest.raises(NotFoundError) as info:
        await client.entities.retrieve(ENTITY_ID)
    text = _sdk_locals(info.value)
    assert token not in text
    assert token not in repr(client)
    assert token not in repr(client.config)


@pytest.mark.parametrize("bad", [{"base_url": "ftp://nope"}, {"connector_limit": -1}, {"timeout": -5}])
def test_a_secret_passed_to_a_client_that_is_refused_is_not_in_any_sdk_frame(
    bad: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(ConfigurationError) as info:
        AsyncRealtoClient(client_id="id", client_secret=CLIENT_SECRET, **bad)
    assert CLIENT_SECRET not in _sdk_locals(info.value)
    monkeypatch.setenv("REALTO_CLIENT_SECRET", CLIENT_SECRET)
    monkeypatch.setenv("REALTO_CLIENT_ID", "id")
    with pytest.raises(ConfigurationError) as info:
        AsyncRealtoClient(**bad)
    assert CLIENT_SECRET not in _sdk_locals(info.value)
    with pytest.raises(ConfigurationError) as info:
        AsyncRealtoClient(token="tok-" + CLIENT_SECRET, **bad)
    assert CLIENT_SECRET not in _sdk_locals(info.value)


def test_a_secret_does_not_pickle() -> None:
    from realto_async._config import Secret

    with pytest.raises(TypeError, match="not pickled"):
        pickle.dumps(Secret(CLIENT_SECRET))


async def test_a_command_error_chain_travels(server: ScriptedServer, client: AsyncRealtoClient) -> None:
    server.on("POST", f"/v1/entities/{ENTITY_ID}/commands", (503, {"errors": []}, None))
    with pytest.raises(CommandOutcomeUnknownError) as info:
        await client.commands.trigger(ENTITY_ID, type="StartCharging")
    arrived = pickle.loads(pickle.dumps(info.value))
    assert arrived.sent_at == info.value.sent_at
    assert arrived.entity_id == ENTITY_ID
    ambiguous = pickle.loads(pickle.dumps(CommandOutcomeAmbiguousError("two", candidates=[COMMAND])))
    assert ambiguous.candidates == [COMMAND]
