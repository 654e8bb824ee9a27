"""client.bulk decodes each page where it is consumed: decoded pages never pile up between the
workers and the consumer, and a page whose body is cut on the way is fetched again."""

from __future__ import annotations

import gc
from collections import Counter
from collections.abc import AsyncIterator
from datetime import datetime, timedelta, timezone
from typing import Any

import anyio
import pytest

from realto_async import AsyncRealtoClient, ChargingRecord, Reading
from realto_async.testing import FakeClock, FakeRealto, Fleet

END = datetime(2024, 3, 1, tzinfo=timezone.utc)
START = END - timedelta(days=40)
PAGE = 5


@pytest.fixture
async def fleet() -> AsyncIterator[tuple[FakeRealto, AsyncRealtoClient]]:
    server = FakeRealto(
        seed=11,
        fleet=Fleet.only_evs(12),
        clock=FakeClock(),
    )
    async with server.serve(), server.client() as client:
        yield server, client


def _alive(model: type[object]) -> int:
    return sum(1 for obj in gc.get_objects() if type(obj) is model)


@pytest.mark.parametrize("concurrency", [4, 12])
async def test_decoded_records_stay_about_a_page_deep_whatever_the_concurrency(
    fleet: tuple[FakeRealto, AsyncRealtoClient], concurrency: int
) -> None:
    _, client = fleet
    ids = [entity.id async for entity in client.entities.list(type="EV")]
    gc.collect()
    before = _alive(ChargingRecord)
    most = 0
    records = 0
    run = client.bulk.charge_sessions(ids, start=START, end=END, page_size=PAGE, concurrency=concurrency)
    async for batch in run:
        records += len(batch.records)
        await anyio.sleep(0.01)  # a slow consumer: every worker has its next page fetched by now
        most = max(most, _alive(ChargingRecord) - before)
    assert run.report.ok
    assert records > 4 * concurrency * PAGE
    # The batch in hand (and the one before it, until the loop variable moves on), never one
    # page per worker.
    assert 0 < most <= 2 * PAGE


@pytest.mark.parametrize(("listing", "model"), [("charge_sessions", ChargingRecord), ("readings", Reading)])
async def test_a_page_cut_on_the_way_is_fetched_again_and_every_record_comes_once(
    fleet: tuple[FakeRealto, AsyncRealtoClient], listing: str, model: type[object]
) -> None:
    server, client = fleet
    ids = [entity.id async for entity in client.entities.list(type="EV")]
    start = START if listing == "charge_sessions" else END - timedelta(hours=6)
    expected = await client.bulk.__getattribute__(listing)(
        ids, start=start, end=END, page_size=PAGE
    ).collect()
    cut = server.faults.add("GET /v1/entities/*", truncate=True, probability=0.2)
    run = client.bulk.__getattribute__(listing)(ids, start=start, end=END, page_size=PAGE, entity_retries=10)
    got = await run.collect()
    assert cut.applied > 3
    assert all(isinstance(record, model) for record in got)
    assert Counter(record.id for record in got) == Counter(record.id for record in expected)
    assert run.report.ok
    assert run.report.retries >= cut.applied


@pytest.mark.parametrize(
    "fault",
    [{"truncate": True}, {"status": 503}, {"drop": "during"}, {"html_502": True}],
    ids=["cut body", "503", "dropped", "html 502"],
)
async def test_a_cut_body_gets_as_many_tries_as_any_other_read_fault(
    fleet: tuple[FakeRealto, AsyncRealtoClient], fault: dict[str, Any]
) -> None:
    server, client = fleet
    ids = [entity.id async for entity in client.entities.list(type="EV")][:3]
    tries = (1 + client.retry.max_retries) * (1 + 3)  # the client's own, then the run's (default 3)
    for times, failed in ((tries - 1, False), (tries, True)):
        server.faults.reset()
        rule = server.faults.add(f"GET /v1/entities/{ids[0]}/charge-sessions", times=times, **fault)
        run = client.bulk.charge_sessions(ids, start=START, end=END)
        got = await run.collect()
        assert rule.applied == times
        assert (ids[0] in run.report.failed) is failed
        assert run.report.entities_done == len(ids) - failed
        assert {record.entity_id for record in got} == set(ids[failed:])
