"""event_hooks on both clients: once per attempt, no secrets, a failing hook is a typed error."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from realto_async import (
    AsyncRealtoClient,
    ConfigurationError,
    EventHookError,
    RequestEvent,
    ResponseEvent,
)
from tests.observed import observed

KINDS = ["async", "sync"]


class Recorder:
    """A sync request hook and an async response hook that keep what they see."""

    def __init__(self) -> None:
        self.requests: list[RequestEvent] = []
        self.responses: list[ResponseEvent] = []

    def on_request(self, event: RequestEvent) -> None:
        self.requests.append(event)

    async def on_response(self, event: ResponseEvent) -> None:
        await asyncio.sleep(0)
        self.responses.append(event)

    def hooks(self) -> dict[str, Any]:
        return {"request": [self.on_request], "response": [self.on_response]}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("flavor", ["realto", "traxes"])
async def test_hooks_see_every_attempt_once_with_status_elapsed_and_attempt(kind: str, flavor: str) -> None:
    seen = Recorder()
    async with observed(kind, flavor, event_hooks=seen.hooks(), max_retries=3) as (server, client):
        page = await client.entities.list(page_size=2)
        entity_id = str(page.data[0].id)
        token_calls = [e for e in seen.requests if e.method == "POST"]
        assert len(token_calls) == 1  # the token fetch is an HTTP request too
        seen.requests.clear()
        seen.responses.clear()
        server.faults.add(f"GET /v1/entities/{entity_id}", status=503, times=2)
        await client.entities.retrieve(entity_id)
        assert [e.attempt for e in seen.requests] == [1, 2, 3]
        assert [e.attempt for e in seen.responses] == [1, 2, 3]
        assert [e.status for e in seen.responses] == [503, 503, 200]
        for event in seen.responses:
            assert event.method == "GET"
            assert event.url.endswith(f"/v1/entities/{entity_id}")
            assert event.elapsed >= 0
            assert event.request_id is not None
            assert event.request_id.startswith("req-")
        assert seen.requests[1].headers["X-Retry-Count"] == "1"
        assert seen.requests[2].headers["X-Retry-Count"] == "2"


@pytest.mark.parametrize("kind", KINDS)
async def test_hooks_never_see_a_secret(kind: str) -> None:
    seen = Recorder()
    async with observed(kind, event_hooks=seen.hooks()) as (server, client):
        await client.entities.list(page_size=1, extra_query={"api_key": "query-secret-1"})
        engine = client._target._async_client() if kind == "sync" else client
        token = engine._transport.auth.current()
        assert token is not None
        shown = repr(seen.requests) + repr(seen.responses)
        for secret in (server.client_secret, token.reveal(), "query-secret-1"):
            assert secret not in shown
        api_call = next(e for e in seen.requests if e.method == "GET")
        assert api_call.headers["Authorization"] == "[redacted]"
        assert "api_key=[redacted]" in api_call.url
        assert "pageSize=1" in api_call.url


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("which", ["request", "response"])
async def test_a_hook_that_raises_surfaces_as_a_typed_error(kind: str, which: str) -> None:
    def broken(event: Any) -> None:
        if event.method == "GET":
            raise LookupError("metrics backend is down")

    async def broken_async(event: Any) -> None:
        broken(event)

    for hook in (broken, broken_async):
        async with observed(kind, event_hooks={which: [hook]}) as (server, client):
            before = len([r for r in server.requests if r.method == "GET"])
            with pytest.raises(EventHookError) as caught:
                await asyncio.wait_for(client.entities.list(page_size=1), timeout=10)
            assert isinstance(caught.value.__cause__, LookupError)
            assert "metrics backend is down" in str(caught.value)
            assert which in str(caught.value)
            sent = len([r for r in server.requests if r.method == "GET"]) - before
            assert sent == (0 if which == "request" else 1)  # a failing request hook sends nothing


@pytest.mark.parametrize(
    "hooks",
    [
        ["not", "a", "dict"],
        {"requests": []},
        {"request": print},
        {"request": "print"},
        {"response": [1]},
        {"request": [None]},
    ],
)
def test_bad_event_hooks_are_refused_when_the_client_is_built(hooks: Any) -> None:
    with pytest.raises(ConfigurationError, match="event_hooks"):
        AsyncRealtoClient(token="t", base_url="http://127.0.0.1:9/api", event_hooks=hooks)


def test_bad_event_hooks_are_refused_by_the_blocking_client_too() -> None:
    from realto_sync import RealtoClient

    with pytest.raises(ConfigurationError, match="event_hooks"):
        RealtoClient(token="t", base_url="http://127.0.0.1:9/api", event_hooks={"request": [42]})  # type: ignore[list-item]


@pytest.mark.parametrize(
    ("name", "hidden"),
    [
        ("api_key", True),
        ("X-Api-Key", True),
        ("access_token", True),
        ("client_secret", True),
        ("sig", True),
        ("code", True),
        ("Proxy-Authorization", True),
        ("Cookie", True),
        ("continuationToken", False),  # the API's page cursor, not a secret
        ("pageSize", False),
        ("design", False),
        ("start", False),
    ],
)
def test_redaction_hides_credential_names_and_keeps_the_rest(name: str, hidden: bool) -> None:
    from realto_async._redact import REDACTED, redact_headers, safe_url

    assert (redact_headers({name: "v4lue"})[name] == REDACTED) is hidden
    shown = safe_url("https://user:pw@api.example:8443/v1/x?keep=1", {name: "v4lue"})
    assert ("v4lue" in shown) is not hidden
    assert "user" not in shown
    assert "pw@" not in shown
    assert shown.startswith("https://api.example:8443/v1/x?keep=1&")
