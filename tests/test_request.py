"""client.request(): endpoints the SDK does not wrap, with the whole engine, on both clients."""

from __future__ import annotations

from typing import Any

import pytest

from realto_async import (
    Entity,
    InvalidArgumentError,
    NotFoundError,
    Reading,
    ResponseValidationError,
)
from tests.observed import observed

KINDS = ["async", "sync"]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("flavor", ["realto", "traxes"])
async def test_request_reads_json_or_a_model_in_either_dialect(kind: str, flavor: str) -> None:
    async with observed(kind, flavor) as (_, client):
        listed = await client.request("GET", "/v1/entities", params={"pageSize": "2"})
        assert isinstance(listed, dict)
        assert len(listed["data"]) == 2
        entity_id = listed["data"][0]["id"]
        entity = await client.request("GET", f"/v1/entities/{entity_id}", cast_to=Entity)
        assert isinstance(entity, Entity)
        assert entity == await client.entities.retrieve(entity_id)
        assert entity.request_id is not None  # a model read by request() knows its answer too
        reading = await client.request("GET", f"/v1/entities/{entity_id}/readings/last", cast_to=Reading)
        assert reading == await client.readings.last(entity_id)


@pytest.mark.parametrize("kind", KINDS)
async def test_request_raises_the_usual_typed_errors(kind: str) -> None:
    async with observed(kind) as (_server, client):
        entity_id = (await client.entities.list(page_size=1)).data[0].id
        # The readings API's Statistics group has no documented endpoint; the emulator has none.
        with pytest.raises(NotFoundError) as caught:
            await client.request("GET", f"/v1/entities/{entity_id}/statistics")
        assert caught.value.status_code == 404
        assert caught.value.request_id is not None
        with pytest.raises(ResponseValidationError, match="not a list"):
            await client.request("GET", "/v1/entities", cast_to=list)


@pytest.mark.parametrize("kind", KINDS)
async def test_request_retries_reads_and_writes_by_the_usual_rules(kind: str) -> None:
    async with observed(kind, max_retries=2) as (server, client):
        entity_id = str((await client.entities.list(page_size=1)).data[0].id)
        server.faults.add(f"GET /v1/entities/{entity_id}", status=503, times=2)
        assert (await client.request("GET", f"/v1/entities/{entity_id}"))["id"] == entity_id
        gets = [r for r in server.requests if r.method == "GET" and r.path == f"/v1/entities/{entity_id}"]
        assert len(gets) == 3
        server.faults.add("PATCH /v1/entities/*", status=503, times=1)
        from realto_async import InternalServerError

        with pytest.raises(InternalServerError):  # a write that reached the server is not resent
            await client.request("PATCH", f"/v1/entities/{entity_id}", json={"name": "x"})
        assert len([r for r in server.requests if r.method == "PATCH"]) == 1


@pytest.mark.parametrize(
    ("arguments", "named"),
    [
        ({"method": "FETCH", "path": "/v1/entities"}, "method"),
        ({"method": 1, "path": "/v1/entities"}, "method"),
        ({"method": "GET", "path": "v1/entities"}, "path"),
        ({"method": "GET", "path": "https://evil.example/v1/entities"}, "path"),
        ({"method": "GET", "path": "//evil.example/v1/entities"}, "path"),
        ({"method": "GET", "path": "/v1/entities?pageSize=1"}, "path"),
        ({"method": "GET", "path": "/v1/entities#x"}, "path"),
        ({"method": "GET", "path": "/v1/../v1/entities"}, "path"),
        ({"method": "GET", "path": "/v1/entities\r\nX: y"}, "path"),
        ({"method": "GET", "path": None}, "path"),
        ({"method": "GET", "path": "/v1/entities", "params": {"pageSize": 2}}, "params"),
        ({"method": "GET", "path": "/v1/entities", "params": [("pageSize", "2")]}, "params"),
        ({"method": "GET", "path": "/v1/entities", "params": {"": "2"}}, "params"),
        ({"method": "GET", "path": "/v1/entities", "cast_to": int}, "cast_to"),
        ({"method": "GET", "path": "/v1/entities", "cast_to": "Entity"}, "cast_to"),
        ({"method": "GET", "path": "/v1/entities", "timeout": -1}, "timeout"),
    ],
)
@pytest.mark.parametrize("kind", KINDS)
async def test_bad_arguments_are_refused_before_any_request(
    kind: str, arguments: dict[str, Any], named: str
) -> None:
    async with observed(kind) as (server, client):
        with pytest.raises(InvalidArgumentError, match=named):
            await client.request(**arguments)
        assert [r for r in server.requests if not r.path.endswith("authentication")] == []


async def test_an_empty_answer_is_an_empty_dict_or_list() -> None:
    from realto_async.transport import HTTPRequest, MockTransport, Response

    def handler(request: HTTPRequest) -> Response:
        return MockTransport.json_response(request, 204)

    from realto_async import AsyncRealtoClient

    async with AsyncRealtoClient(
        token="t", base_url="http://realto.invalid/api", transport=MockTransport(handler)
    ) as client:
        assert await client.request("DELETE", "/v1/x") == {}
        assert await client.request("DELETE", "/v1/x", cast_to=list) == []
        with pytest.raises(ResponseValidationError):
            await client.request("DELETE", "/v1/x", cast_to=Entity)
