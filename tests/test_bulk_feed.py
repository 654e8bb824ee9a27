"""client.bulk's entities: each polled once however often the source repeats it, from a plain
iterable or an async one, and read only as the workers need them."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import attrs
import pytest

from realto_async import AsyncRealtoClient, InvalidArgumentError
from realto_async.testing import FakeClock, FakeRealto, Fleet

END = datetime(2024, 3, 1, tzinfo=timezone.utc)
START = END - timedelta(days=10)


@pytest.fixture
async def served() -> AsyncIterator[tuple[FakeRealto, AsyncRealtoClient]]:
    server = FakeRealto(seed=3, fleet=Fleet(evs=6), clock=FakeClock())
    async with server.serve(), server.client() as client:
        yield server, client


def _repeating(ids: list[str]) -> Iterator[str]:
    for number, entity_id in enumerate(ids * 3):
        yield entity_id if number % 2 else entity_id.upper()  # the same id, spelt twice


async def _repeating_async(ids: list[str]) -> AsyncIterator[str]:
    for entity_id in _repeating(ids):
        yield entity_id


@pytest.mark.parametrize("kind", ["list", "generator", "async generator"])
async def test_a_repeated_entity_is_polled_once(
    served: tuple[FakeRealto, AsyncRealtoClient], kind: str
) -> None:
    server, client = served
    ids = [entity.id async for entity in client.entities.list(type="EV")]
    source: Any = {
        "list": list(_repeating(ids)),
        "generator": _repeating(ids),
        "async generator": _repeating_async(ids),
    }[kind]
    before = len(server.requests)
    run = client.bulk.charge_sessions(source, start=START, end=END, concurrency=3)
    batches = [batch async for batch in run]
    polled = [request for request in list(server.requests)[before:] if "charge-sessions" in request.path]
    assert sorted({batch.entity_id for batch in batches}) == sorted(ids)
    assert len({request.path for request in polled}) == len(polled) == len(ids)
    assert run.report.entities_done == run.progress.entities_total == len(ids)


@pytest.mark.parametrize("concurrency", [1, 3])
async def test_entities_are_taken_from_the_source_as_workers_need_them(
    served: tuple[FakeRealto, AsyncRealtoClient], concurrency: int
) -> None:
    _, client = served
    ids = [entity.id async for entity in client.entities.list(type="EV")]
    taken: list[str] = []

    def plain() -> Iterator[str]:
        for entity_id in ids:
            taken.append(entity_id)
            yield entity_id

    async def asynchronous() -> AsyncIterator[str]:
        for entity_id in plain():
            yield entity_id

    for source in (plain(), asynchronous()):
        taken.clear()
        async with client.bulk.charge_sessions(source, start=START, end=END, concurrency=concurrency) as run:
            async for _ in run:
                break
        # Each worker took one entity and the first batch came: the rest of the fleet was never read.
        assert len(taken) <= concurrency + 1 < len(ids)


async def test_an_entity_whose_id_is_not_a_uuid_fails_alone(
    served: tuple[FakeRealto, AsyncRealtoClient],
) -> None:
    """An Entity from the caller's own source is checked like a plain id: a malformed id is that
    entity's failure (the run's requests use the ids unchecked), not the whole run's."""
    _, client = served
    entities = [entity async for entity in client.entities.list(type="EV")]
    odd = attrs.evolve(entities[0], id="not-a-uuid")
    upper = attrs.evolve(entities[1], id=entities[1].id.upper())
    run = client.bulk.charge_sessions([odd, upper, *entities[2:]], start=START, end=END)
    batches = [batch async for batch in run]
    assert set(run.report.failed) == {"not-a-uuid"}
    assert isinstance(run.report.failed["not-a-uuid"], InvalidArgumentError)
    assert "not-a-uuid" in str(run.report.failed["not-a-uuid"])
    assert run.report.entities_done == len(entities) - 1
    assert entities[1].id in {batch.entity_id for batch in batches}  # canonical, lower case


@pytest.mark.parametrize("listing", ["charge_sessions", "readings", "commands", "aggregations"])
async def test_bulk_requests_ask_what_the_resource_listing_asks(
    served: tuple[FakeRealto, AsyncRealtoClient], listing: str
) -> None:
    """The run formats its time frame once and sends it with every entity's request: the same
    path and query as the resource's own list (entities sharing a window share one frame)."""
    server, client = served
    ids = [entity.id async for entity in client.entities.list(type="EV")][:3]
    start = START
    single: Any = {
        "charge_sessions": lambda entity_id: client.charge_sessions.list(entity_id, start, END, page_size=7),
        "readings": lambda entity_id: client.readings.list(entity_id, start, END, page_size=7),
        "commands": lambda entity_id: client.commands.list(entity_id, start, END, page_size=7),
        "aggregations": lambda entity_id: client.readings.aggregations(
            entity_id, start, END, resolution=timedelta(hours=1), page_size=7
        ),
    }[listing]
    options: dict[str, Any] = {"resolution": timedelta(hours=1)} if listing == "aggregations" else {}
    expected = []
    for entity_id in ids:
        before = len(server.requests)
        await single(entity_id).first_page()
        expected.append((server.requests[before].path, server.requests[before].query))
    before = len(server.requests)
    run = getattr(client.bulk, listing)(ids, start=start, end=END, page_size=7, **options)
    await run.collect()
    firsts = [
        (request.path, request.query)
        for request in list(server.requests)[before:]
        if "continuationToken" not in request.query
    ]
    assert sorted(firsts) == sorted(expected)
    assert len(firsts) == len(ids)
