"""client.bulk's entities: each polled once however often the source repeats it, from a plain
iterable or an async one, and read only as the workers need them."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from realto_async import AsyncRealtoClient
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
