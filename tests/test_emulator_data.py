"""The synthetic data at fleet scale: readings of every entity type, made a page at a time, are the
same however the series is paged; listings of a large fleet page correctly and see writes."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import aiohttp
import pytest

from realto_async.testing import FakeClock, FakeRealto, Fleet
from realto_async.testing._readings import READING_STEP, reading_at, reading_times, readings
from tests.emulator_helpers import Raw

EVERY_TYPE = Fleet(
    evs=2,
    charge_points=1,
    solar=1,
    batteries=1,
    heat_pumps=1,
    smart_meters=1,
    retrofit_meters=1,
    boilers=1,
    inverters=1,
)
EXPECTED_KEYS = {
    "EV": {"stateOfCharge", "isCharging", "isPluggedIn", "range", "odometer", "location"},
    "PV": {"negativeActiveInstantaneousPower", "negativeActiveEnergy"},
    "Inverter": {"negativeActiveInstantaneousPower", "negativeActiveEnergy"},
    "SmartMeter": {
        "positiveActiveEnergy",
        "positiveActiveInstantaneousPower",
        "instantaneousVoltage",
        "positiveGasVolume",
    },
    "RetrofitMeter": {"positiveGasVolume"},
    "Battery": {"stateOfCharge", "positiveActiveInstantaneousPower", "negativeActiveInstantaneousPower"},
    "HeatPump": {"positiveActiveInstantaneousPower"},
    "Boiler": {"positiveActiveInstantaneousPower"},
    "ChargePole": {"positiveActiveInstantaneousPower"},
}


def test_every_type_reads_the_same_however_the_series_is_paged() -> None:
    server = FakeRealto(seed=3, fleet=EVERY_TYPE, clock=FakeClock())
    start = datetime(2024, 5, 28, 21, 7, tzinfo=timezone.utc)  # not on a quarter hour
    first, total = reading_times(start, start + timedelta(days=2))
    assert first == datetime(2024, 5, 28, 21, 15, tzinfo=timezone.utc)
    assert total == 192
    assert {e.type for e in server.store.entities.values()} == set(EXPECTED_KEYS)
    for entity in server.store.entities.values():
        whole = readings(server.seed, entity, first, 0, total)
        pieces = [
            r
            for offset in range(0, total, 37)
            for r in readings(server.seed, entity, first, offset, min(total, offset + 37))
        ]
        assert pieces == whole, entity.type
        times = [first + index * READING_STEP for index in range(total)]
        assert [r["measured"] for r in whole] == [t.isoformat().replace("+00:00", "Z") for t in times]
        for moment, reading in zip(times[::50], whole[::50], strict=True):
            assert reading == reading_at(server.seed, entity, moment)
            assert reading["id"] == str(uuid.uuid5(uuid.UUID(entity.id), reading["measured"]))
            assert reading["received"] == reading["measured"][:-3] + "40Z"
            assert set(reading["data"]) == EXPECTED_KEYS[entity.type], entity.type
        assert len({r["id"] for r in whole}) == total
    other_seed = FakeRealto(seed=4, fleet=EVERY_TYPE, clock=FakeClock())
    pv_here = next(e for e in server.store.entities.values() if e.type == "PV")
    pv_there = next(e for e in other_seed.store.entities.values() if e.type == "PV")
    assert readings(3, pv_here, first, 40, 60) != readings(4, pv_there, first, 40, 60)


async def test_a_large_fleets_listing_pages_through_every_entity_once_and_sees_writes() -> None:
    async with (
        FakeRealto(seed=1, fleet=Fleet.only_evs(2500), clock=FakeClock()).serve() as server,
        aiohttp.ClientSession() as session,
    ):
        raw = Raw(server, session)
        await raw.login()
        seen: list[str] = []
        params = {"pageSize": "1000"}
        while True:
            page = await raw.ok("GET", "/v1/entities", params=params)
            seen += [e["id"] for e in page["data"]]
            if page["meta"]["continuationToken"] is None:
                break
            params = {"pageSize": "1000", "continuationToken": page["meta"]["continuationToken"]}
        assert seen == list(server.store.entities)
        # A stranger sees nothing until given a permission (a write), then exactly that entity.
        stranger = server.add_principal(None)
        owner_token = raw.token
        await raw.login(*stranger)
        assert (await raw.ok("GET", "/v1/entities"))["data"] == []
        stranger_id = next(p.id for p in server.store.principals.values() if p.client_id == stranger[0])
        raw.token = owner_token
        await raw.ok(
            "POST",
            f"/v1/entities/{seen[7]}/permissions",
            body={"permissionLevel": "Viewer", "principalId": stranger_id},
        )
        await raw.login(*stranger)
        assert [e["id"] for e in (await raw.ok("GET", "/v1/entities"))["data"]] == [seen[7]]
        # Offboarded, an entity leaves the owner's listing.
        await raw.login()
        await raw.ok("POST", "/v1/offboarding/entities", 201, body={"entityId": seen[0]})
        assert isinstance(server.clock, FakeClock)
        server.clock.advance(timedelta(seconds=5))
        listed = await raw.ok("GET", "/v1/entities", params={"pageSize": "3"})
        assert [e["id"] for e in listed["data"]] == seen[1:4]


async def test_the_answer_cache_stays_within_its_byte_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    from realto_async.testing import _server

    monkeypatch.setattr(_server, "CACHE_BYTES", 300_000)
    async with (
        FakeRealto(seed=1, fleet=Fleet.only_evs(3), clock=FakeClock()).serve() as server,
        aiohttp.ClientSession() as session,
    ):
        raw = Raw(server, session)
        await raw.login()
        ev = next(iter(server.store.entities))
        path = f"/v1/entities/{ev}/readings"
        starts = [(server.clock.now() - timedelta(days=days)).isoformat() for days in (11, 10, 9, 8, 7)]
        first_answers = [await raw.ok("GET", path, params={"start": s, "pageSize": "1000"}) for s in starts]
        assert all(len(answer["data"]) >= 670 for answer in first_answers)
        kept = server._cache
        sizes = [len(response.body) for response in kept.values() if isinstance(response.body, bytes)]
        assert 1 <= len(kept) < len(starts)  # the oldest pages were let go ...
        assert sum(sizes) == server._cache_bytes <= 300_000
        again = [await raw.ok("GET", path, params={"start": s, "pageSize": "1000"}) for s in starts]
        assert again == first_answers  # ... and are made again, the same
