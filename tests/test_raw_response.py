"""with_raw_response on both clients: status, headers, request id, elapsed, retries, parse();
single models know their request id without it changing their equality or pickling."""

from __future__ import annotations

import copy
import pickle
from typing import Any

import pytest

from realto_async import Entity, Page, RawResponse, RealtoError, ResponseValidationError
from realto_sync import SyncPage
from tests.observed import observed

KINDS = ["async", "sync"]


async def first_entity_id(client: Any) -> str:
    page = await client.entities.list(page_size=3)
    return str(page.data[0].id)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("flavor", ["realto", "traxes"])
async def test_a_raw_single_object_carries_the_answer_and_parses_to_the_usual_result(
    kind: str, flavor: str
) -> None:
    async with observed(kind, flavor) as (_, client):
        entity_id = await first_entity_id(client)
        raw = await client.with_raw_response.entities.retrieve(entity_id)
        assert isinstance(raw, RawResponse)
        assert raw.status_code == 200
        assert raw.request_id is not None
        assert raw.request_id.startswith("req-")
        assert raw.headers["X-Request-Id"] == raw.request_id  # case-insensitive headers
        assert raw.retries == 0
        assert isinstance(raw.elapsed, float)
        assert raw.elapsed >= 0
        assert raw.method == "GET"
        assert raw.url.endswith(f"/v1/entities/{entity_id}")
        entity = raw.parse()
        assert isinstance(entity, Entity)
        assert entity == await client.entities.retrieve(entity_id)
        assert b'"id"' in raw.content
        assert "200" in repr(raw)
        assert raw.request_id in repr(raw)


@pytest.mark.parametrize("kind", KINDS)
async def test_a_raw_listing_is_its_first_page(kind: str) -> None:
    async with observed(kind) as (_, client):
        raw = await client.with_raw_response.entities.list(page_size=2)
        page = raw.parse()
        assert isinstance(page, SyncPage if kind == "sync" else Page)
        assert len(page.data) == 2
        assert page.request_id == raw.request_id is not None
        assert page.has_next_page()


@pytest.mark.parametrize("kind", KINDS)
async def test_retries_and_elapsed_count_every_attempt(kind: str) -> None:
    async with observed(kind, max_retries=4) as (server, client):
        entity_id = await first_entity_id(client)
        server.faults.add(f"GET /v1/entities/{entity_id}", status=503, times=3)
        raw = await client.with_raw_response.entities.retrieve(entity_id)
        assert raw.retries == 3
        assert raw.status_code == 200
        server.faults.add(f"GET /v1/entities/{entity_id}", status=429, retry_after=2, times=1)
        raw = await client.with_raw_response.entities.retrieve(entity_id)
        assert raw.retries == 1
        assert raw.elapsed >= 2.0  # the Retry-After wait is part of the call (on the emulator's clock)


@pytest.mark.parametrize("kind", KINDS)
async def test_an_answer_that_does_not_parse_is_still_shown_and_parse_raises(kind: str) -> None:
    async with observed(kind) as (_, client):
        # A page envelope read as one entity: the answer is fine HTTP, the parse is not.
        raw = await client.with_raw_response.request("GET", "/v1/entities", cast_to=Entity)
        assert raw.status_code == 200
        assert raw.request_id is not None
        with pytest.raises(ResponseValidationError):
            raw.parse()
        with pytest.raises(ResponseValidationError):
            raw.parse()  # the same error every time


@pytest.mark.parametrize("kind", KINDS)
async def test_status_errors_are_raised_as_usual(kind: str) -> None:
    from realto_async import NotFoundError

    async with observed(kind) as (_, client):
        with pytest.raises(NotFoundError) as caught:
            await client.with_raw_response.entities.retrieve("00000000-0000-4000-8000-000000000000")
        assert caught.value.request_id is not None
        assert caught.value.request_id.startswith("req-")


@pytest.mark.parametrize("kind", KINDS)
async def test_single_models_know_their_request_id_without_changing_equality_or_pickling(kind: str) -> None:
    async with observed(kind) as (_, client):
        listed = (await client.entities.list(page_size=3)).data[0]
        assert listed.request_id is None  # items of a list are not tracked one by one
        first = await client.entities.retrieve(str(listed.id))
        second = await client.entities.retrieve(str(listed.id))
        assert first.request_id is not None
        assert second.request_id is not None
        assert first.request_id != second.request_id
        assert first == second == listed
        for clone in (pickle.loads(pickle.dumps(first)), copy.copy(first), copy.deepcopy(first)):
            assert clone == first
            assert clone.request_id is None  # the id belongs to the object read, not to copies
        assert pickle.dumps(first) == pickle.dumps(second)
        assert "request_id" not in first.to_dict()
        assert "request_id" not in repr(first)


async def test_the_raw_view_refuses_what_is_not_a_call() -> None:
    async with observed("async") as (_, client):
        view = client.with_raw_response
        assert "with_raw_response" in repr(view)
        assert "with_raw_response" in repr(view.entities)
        with pytest.raises(AttributeError):
            _ = view.flavor  # a setting, not a call
        with pytest.raises(AttributeError):
            _ = view._transport
        with pytest.raises(AttributeError):
            _ = view.entities.no_such_call
        with pytest.raises(RealtoError, match="not an API call"):
            await view.with_options(timeout=5)
        with pytest.raises(RealtoError, match="sent no request"):
            await view.aclose()


def test_the_blocking_raw_view_refuses_private_names_and_names_its_client() -> None:
    from realto_sync import RealtoClient

    with RealtoClient(token="t", base_url="http://127.0.0.1:9/api") as client:
        view: Any = client.with_raw_response
        assert "RealtoClient" in repr(view)
        assert callable(view.entities.retrieve)
        assert view.entities.retrieve.__name__ == "retrieve"
        with pytest.raises(AttributeError):
            _ = view._runner
