"""A resolution is a timedelta or an ISO 8601 duration string, wherever one is taken."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from realto_async import AsyncRealtoClient, InvalidArgumentError
from realto_async._validate import check_resolution, parse_iso_duration
from realto_async.resources.readings import iso_duration
from realto_async.testing import FakeClock, FakeRealto

GOOD = [
    ("PT1H", timedelta(hours=1)),
    ("pt15m", timedelta(minutes=15)),
    (" PT30M ", timedelta(minutes=30)),
    ("P1D", timedelta(days=1)),
    ("P1DT2H", timedelta(days=1, hours=2)),
    ("PT1H30M", timedelta(hours=1, minutes=30)),
    ("PT90M", timedelta(minutes=90)),
    ("P1W", timedelta(weeks=1)),
    ("PT3600S", timedelta(hours=1)),
    (timedelta(minutes=15), timedelta(minutes=15)),
]
BAD: list[Any] = [
    "PT0M",  # zero
    "P0D",
    "PT30S",  # not whole minutes
    "PT1.5M",
    "-PT1H",  # negative
    "P",
    "PT",
    "P1DT",
    "1H",
    "hourly",
    "",
    "P1M",  # a month has no fixed length (and M before T is months)
    "P1Y",
    timedelta(0),
    timedelta(minutes=-15),
    timedelta(seconds=90),
    60,
    None,
    3.5,
    "PT\uff11\uff15M",  # full-width digits
]


@pytest.mark.parametrize(("value", "expected"), GOOD)
def test_a_resolution_is_a_timedelta_or_an_iso_8601_duration(
    value: timedelta | str, expected: timedelta
) -> None:
    assert check_resolution(value) == expected


@pytest.mark.parametrize("value", BAD)
def test_zero_negative_fractional_and_malformed_resolutions_are_refused(value: Any) -> None:
    with pytest.raises(InvalidArgumentError, match="resolution") as caught:
        check_resolution(value)
    assert "ISO 8601" in str(caught.value) or "whole number of minutes" in str(caught.value)


def test_the_api_gets_the_canonical_iso_form() -> None:
    assert iso_duration("PT60M") == "PT1H"
    assert iso_duration("P1DT0H") == "P1D"
    assert iso_duration(timedelta(minutes=15)) == "PT15M"
    assert parse_iso_duration("PT2H") == timedelta(hours=2)
    assert parse_iso_duration("two hours") is None


def aggregation_call(client: AsyncRealtoClient, entity_id: str, resolution: Any) -> Any:
    start = datetime(2024, 5, 1, tzinfo=timezone.utc)
    return client.readings.aggregations(entity_id, start, start + timedelta(days=1), resolution=resolution)


async def test_readings_and_bulk_aggregations_take_the_string_and_refuse_bad_ones() -> None:
    async with FakeRealto(seed=1, entities=3, clock=FakeClock()).serve() as server, server.client() as client:
        ev = (await client.entities.list(type="EV", page_size=1)).data[0]
        by_string = [a async for a in aggregation_call(client, ev.id, "PT1H")]
        by_delta = [a async for a in aggregation_call(client, ev.id, timedelta(hours=1))]
        assert len(by_string) == 24
        assert by_string == by_delta
        assert [a.end - a.start for a in by_string] == [timedelta(hours=1)] * 24
        for bad in ("PT0M", "-PT1H", "PT1X", timedelta(0)):
            with pytest.raises(InvalidArgumentError, match="resolution"):
                aggregation_call(client, ev.id, bad)
            with pytest.raises(InvalidArgumentError, match="resolution"):
                client.bulk.aggregations(
                    [ev.id], start=datetime(2024, 5, 1, tzinfo=timezone.utc), resolution=bad
                )
        start = datetime(2024, 5, 1, tzinfo=timezone.utc)
        run = client.bulk.aggregations([ev.id], start=start, end=start + timedelta(days=1), resolution="PT1H")
        records = [record async for batch in run for record in batch.records]
        assert sorted(r.start for r in records) == [a.start for a in by_delta]


def test_the_blocking_client_takes_the_string_too() -> None:
    with FakeRealto(seed=1, entities=3).serve_in_thread() as server, server.sync_client() as client:
        ev = client.entities.list(type="EV", page_size=1).first_page().data[0]
        start = datetime.now(timezone.utc) - timedelta(days=1)
        found = list(
            client.readings.aggregations(ev.id, start, start + timedelta(hours=6), resolution="PT15M")
        )
        assert found
        assert {a.end - a.start for a in found} == {timedelta(minutes=15)}
        with pytest.raises(InvalidArgumentError, match="resolution"):
            client.readings.aggregations(ev.id, start, resolution="PT0M")
