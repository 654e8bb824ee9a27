"""The transport seam: retry, deadline and write-safety behaviour tested without sockets."""

from __future__ import annotations

from typing import Any

import pytest

from realto_async import (
    APIConnectionError,
    AsyncRealtoClient,
    ConfigurationError,
    Entity,
    InternalServerError,
    RealtoError,
)
from realto_async.transport import HTTPRequest, MockTransport, Response
from tests.helpers import ENTITY_ID, FakeClock, entity_payload

BASE = "http://realto.invalid/api"


def scripted(*answers: Any) -> MockTransport:
    """Answers in order: a status (with an entity body when 200) or an exception to raise."""
    queue = list(answers)

    def handler(request: HTTPRequest) -> Response:
        answer = queue.pop(0)
        if isinstance(answer, BaseException):
            raise answer
        body = entity_payload() if answer == 200 else {"errors": [{"code": "Boom", "message": "boom"}]}
        return MockTransport.json_response(request, answer, body, headers={"x-request-id": f"r{len(queue)}"})

    return MockTransport(handler)


def client_with(transport: Any, **options: Any) -> AsyncRealtoClient:
    return AsyncRealtoClient(token="tok", base_url=BASE, clock=FakeClock(), transport=transport, **options)


async def test_a_get_is_retried_through_the_seam_and_each_attempt_is_numbered() -> None:
    transport = scripted(503, 502, 200)
    async with client_with(transport, max_retries=3) as client:
        raw = await client.with_raw_response.entities.retrieve(ENTITY_ID)
    assert isinstance(raw.parse(), Entity)
    assert raw.retries == 2
    assert [r.attempt for r in transport.requests] == [1, 2, 3]
    assert [r.headers.get("X-Retry-Count") for r in transport.requests] == [None, "1", "2"]
    assert all(r.url == f"{BASE}/v1/entities/{ENTITY_ID}" for r in transport.requests)
    assert all(r.headers["Authorization"] == "Bearer tok" for r in transport.requests)
    assert "tok" not in repr(transport.requests[0])  # the request's repr hides credentials


async def test_retries_stop_at_max_retries_with_the_last_error() -> None:
    transport = scripted(500, 500, 500, 200)
    async with client_with(transport, max_retries=2) as client:
        with pytest.raises(InternalServerError) as caught:
            await client.entities.retrieve(ENTITY_ID)
    assert len(transport.requests) == 3
    assert caught.value.request_id == "r1"


async def test_a_post_whose_connection_dropped_after_sending_is_not_sent_again() -> None:
    dropped = APIConnectionError("dropped", method="POST", url=BASE, may_have_reached_server=True)
    transport = scripted(dropped, 200)
    async with client_with(transport, max_retries=3) as client:
        with pytest.raises(RealtoError):
            await client.request("POST", "/v1/offboarding/entities", json={"entityId": ENTITY_ID})
    assert len(transport.requests) == 1


async def test_a_post_that_never_left_is_sent_again() -> None:
    refused = APIConnectionError("refused", method="POST", url=BASE, may_have_reached_server=False)
    transport = scripted(refused, 200)
    async with client_with(transport, max_retries=3) as client:
        answer = await client.request("POST", "/v1/offboarding/entities", json={"entityId": ENTITY_ID})
    assert answer["id"] == ENTITY_ID
    assert [r.body for r in transport.requests] == [transport.requests[0].body] * 2
    assert transport.requests[0].body is not None


async def test_an_async_handler_works_and_a_wrong_answer_is_a_typed_error() -> None:
    async def handler(request: HTTPRequest) -> Response:
        return MockTransport.json_response(request, 200, entity_payload())

    async with client_with(MockTransport(handler)) as client:
        assert (await client.entities.retrieve(ENTITY_ID)).id == ENTITY_ID

    async with client_with(MockTransport(lambda request: {"not": "a response"})) as client:  # type: ignore[arg-type,return-value]
        with pytest.raises(RealtoError, match="not a Response"):
            await client.entities.retrieve(ENTITY_ID)


def test_a_transport_must_be_callable() -> None:
    with pytest.raises(ConfigurationError, match="transport"):
        AsyncRealtoClient(token="t", base_url=BASE, transport="aiohttp")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        MockTransport(42)  # type: ignore[arg-type]


async def test_a_raw_body_and_headers_reach_the_client_as_given() -> None:
    def handler(request: HTTPRequest) -> Response:
        return MockTransport.json_response(request, 200, body=b'{"x": 1}', headers={"X-Extra": "yes"})

    async with client_with(MockTransport(handler)) as client:
        raw = await client.with_raw_response.request("GET", "/v1/anything")
    assert raw.parse() == {"x": 1}
    assert raw.headers["x-extra"] == "yes"
    assert raw.headers["content-type"] == "application/json"


async def test_a_plain_function_is_a_transport_too_and_its_answers_are_checked() -> None:
    def sync_transport(request: HTTPRequest) -> Response:
        return MockTransport.json_response(request, 200, entity_payload())

    async with client_with(sync_transport) as client:
        assert (await client.entities.retrieve(ENTITY_ID)).id == ENTITY_ID

    for wrong in (lambda request: None, lambda request: b"{}", lambda request: 200):
        async with client_with(wrong) as client:
            with pytest.raises(RealtoError, match=r"not a realto_async\.transport\.Response"):
                await client.entities.retrieve(ENTITY_ID)
