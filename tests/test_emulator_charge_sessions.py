"""The emulator's charge sessions: the same records whatever window, page size or order they are
asked in, in both dialects; realistic (energy = SoC gain x capacity, durations, tiers, places);
published only once over; and the EV's readings follow them."""

from __future__ import annotations

import json
import random
import uuid
from collections import Counter
from datetime import datetime, timedelta, timezone
from typing import Any

import aiohttp
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from realto_async.testing import FakeClock, FakeRealto, Fleet
from realto_async.testing._readings import READING_STEP, readings
from realto_async.testing._records import EntityRecord, LocationRecord
from realto_async.testing._synth import (
    AWAY_OFFSET,
    KM_PER_KWH,
    POWERS,
    SYNTH_ORIGIN,
    WANTED_HOURS,
    Session,
    ended_sessions,
    session_texts,
)
from tests.emulator_helpers import Raw

SEED = 5
SERVER = FakeRealto(seed=SEED, fleet=Fleet.only_evs(3), clock=FakeClock())
NOW = SERVER.clock.now()
EVS = list(SERVER.store.entities.values())
YEAR_BEFORE = NOW - timedelta(days=365)


def records(
    entity: EntityRecord, start: datetime, end: datetime, now: datetime = NOW
) -> list[dict[str, Any]]:
    """The records as the stdlib's json reads them."""
    return [json.loads(text) for text in session_texts(entity, ended_sessions(SEED, entity, start, end, now))]


def stamp(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def parse(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@settings(max_examples=60, deadline=None)
@given(
    ev=st.sampled_from(EVS),
    start_seconds=st.integers(0, 300 * 86400),
    length_seconds=st.integers(0, 40 * 86400),
    microseconds=st.integers(0, 999_999),
)
def test_a_window_holds_exactly_the_sessions_of_a_larger_one_that_start_in_it(
    ev: EntityRecord, start_seconds: int, length_seconds: int, microseconds: int
) -> None:
    start = YEAR_BEFORE + timedelta(seconds=start_seconds, microseconds=microseconds)
    end = start + timedelta(seconds=length_seconds)
    inside = records(ev, start, end)  # asked first: nothing of the larger window is known yet
    larger = records(ev, YEAR_BEFORE, NOW)
    assert inside == [r for r in larger if start <= parse(r["data"]["start"]) < end]
    assert records(ev, start, end) == inside


def test_sessions_are_the_same_in_any_order_and_differ_by_ev_and_seed() -> None:
    days = [YEAR_BEFORE + timedelta(days=day) for day in range(0, 360, 30)]
    in_order = [records(EVS[0], day, day + timedelta(days=30)) for day in days]
    shuffled = list(enumerate(days))
    random.Random(1).shuffle(shuffled)
    by_index = {index: records(EVS[0], day, day + timedelta(days=30)) for index, day in shuffled}
    assert [by_index[index] for index in range(len(days))] == in_order
    whole = records(EVS[0], YEAR_BEFORE, NOW)
    assert [record for window in in_order for record in window] == [
        r for r in whole if parse(r["data"]["start"]) < days[-1] + timedelta(days=30)
    ]
    other_ev = {r["data"]["start"] for r in records(EVS[1], YEAR_BEFORE, NOW)}
    assert other_ev != {r["data"]["start"] for r in whole}
    other_seed = ended_sessions(SEED + 1, EVS[0], YEAR_BEFORE, NOW, NOW)
    assert {s.id for s in other_seed}.isdisjoint({r["id"] for r in whole})


def test_sessions_are_realistic() -> None:
    seen: Counter[str] = Counter()
    per_day: Counter[tuple[str, str]] = Counter()
    for ev in EVS:
        capacity = ev.battery_capacity
        assert capacity is not None
        found = records(ev, SYNTH_ORIGIN, NOW)
        previous_end: datetime | None = None
        for record in found:
            data, charge = record["data"], record["data"]["charge"]
            start, end = parse(data["start"]), parse(data["end"])
            hours = (end - start).total_seconds() / 3600
            total = charge["total"]
            power = charge["averagePower"]["value"]
            soc_start, soc_end = charge["start"]["value"], charge["end"]["value"]
            assert record["entityId"] == ev.id
            assert uuid.UUID(record["id"]).version == 4
            assert power in POWERS
            assert charge["averagePower"]["unit"] == "kW"
            assert 12 <= soc_start < soc_end <= 95
            # The energy is the SoC gain times the capacity (to the Wh), charged at the average power.
            assert total["total"] == pytest.approx((soc_end - soc_start) / 100 * capacity, abs=0.0006)
            assert total["total"] == pytest.approx(power * hours, abs=0.002)
            assert 0 < hours <= WANTED_HOURS[1] + 0.01
            assert min(total["t1"], total["t2"]) >= 0
            assert total["t1"] + total["t2"] == pytest.approx(total["total"], abs=1e-9)
            day_tier_hours = (
                sum(
                    max(
                        0.0,
                        (
                            min(end, edge + timedelta(hours=22)) - max(start, edge + timedelta(hours=7))
                        ).total_seconds(),
                    )
                    for edge in (
                        datetime.combine(start.date(), datetime.min.time(), timezone.utc) + timedelta(days=d)
                        for d in (0, 1)
                    )
                )
                / 3600
            )
            assert total["t1"] == pytest.approx(power * day_tier_hours, abs=0.003)  # whole Wh and seconds
            assert data["range"]["end"]["value"] == pytest.approx(
                soc_end / 100 * capacity * KM_PER_KWH,
                abs=0.051,  # to 0.1 km
            )
            assert 6 <= start.hour <= 21
            assert (start.minute % 5, start.second) == (0, 0)
            assert SYNTH_ORIGIN <= start < end <= NOW
            assert record["created"] == stamp(
                datetime.combine(end.date(), datetime.min.time(), timezone.utc) + timedelta(days=1, hours=2)
            )
            assert previous_end is None or previous_end <= start  # one charger, one session at a time
            previous_end = end
            home = data["location"].get("address") == "Home"
            seen["home" if home else "away"] += 1
            if not home:
                assert data["location"]["latitude"] == pytest.approx(ev.home[0] + AWAY_OFFSET[0], abs=1e-5)
            per_day[(ev.id, data["start"][:10])] += 1
    days = 3 * (NOW - SYNTH_ORIGIN).days
    assert max(per_day.values()) == 2
    assert 0.9 <= sum(per_day.values()) / days <= 1.1  # 0, 1, 1, 1 or 2 a day
    assert 0.15 <= seen["away"] / (seen["away"] + seen["home"]) <= 0.25


def test_a_session_is_published_once_it_is_over() -> None:
    ev = EVS[0]
    session = ended_sessions(SEED, ev, NOW - timedelta(days=20), NOW, NOW)[-1]
    begins = datetime.fromtimestamp(session.start, timezone.utc)
    window = (begins - timedelta(hours=1), begins + timedelta(hours=1))
    for now in (begins, datetime.fromtimestamp(session.end - 1, timezone.utc)):
        assert session.id not in {s.id for s in ended_sessions(SEED, ev, *window, now)}
    over = datetime.fromtimestamp(session.end, timezone.utc)
    assert session.id in {s.id for s in ended_sessions(SEED, ev, *window, over)}


def test_an_evs_places_and_capacity_shape_its_records() -> None:
    ev = EntityRecord(
        id=str(uuid.UUID(int=7)),
        type="EV",
        manufacturer="Kia",
        model="EV6",
        identifier="KNAC381AFN5012345",
        identifier_kind="vin",
        owner="o",
        tenant_id="t",
        created=NOW,
        battery_capacity=40.0,
        locations=[LocationRecord("loc-1", 'Depot "North"', 51.0, 3.0)],
    )
    found = records(ev, NOW - timedelta(days=60), NOW)
    home = [r for r in found if r["data"]["location"].get("address") == "Home"]
    away = [r for r in found if r["data"]["location"].get("address") is None]
    assert home
    assert away
    assert all(
        r["data"]["locationMatches"]
        == [{"accuracy": 0.97, "location": {"id": "loc-1", "label": 'Depot "North"'}}]
        for r in home
    )
    assert all("locationMatches" not in r["data"] for r in away)
    for r in found:
        charge = r["data"]["charge"]
        gain = charge["end"]["value"] - charge["start"]["value"]
        assert charge["total"]["total"] == pytest.approx(gain / 100 * 40.0, abs=0.0006)
    # An absurd capacity still gives sessions that start, last and end.
    ev.battery_capacity = 1e6
    huge = ended_sessions(
        SEED, ev, NOW - timedelta(days=10), NOW + timedelta(days=10**5), NOW + timedelta(days=10**5)
    )
    assert huge
    assert all(s.end > s.start and s.end_tenths > s.start_tenths for s in huge)


def test_an_evs_readings_follow_its_sessions() -> None:
    ev = EVS[1]
    start = NOW - timedelta(days=8)
    sessions: list[Session] = ended_sessions(SEED, ev, start - timedelta(days=1), NOW, NOW)
    first = start.replace(hour=0, minute=0, second=0, microsecond=0)
    series = readings(SEED, ev, first, 0, 7 * 96)
    charging = 0
    for index, reading in enumerate(series):
        moment = int((first + index * READING_STEP).timestamp())
        during = [s for s in sessions if s.start <= moment < s.end]
        assert reading["data"]["isCharging"] is bool(during)
        if during:
            charging += 1
            soc = reading["data"]["stateOfCharge"]["value"]
            assert during[0].start_tenths / 10 - 0.05 <= soc <= during[0].end_tenths / 10 + 0.05
    assert charging > 7  # about an hour or more a day


@pytest.fixture
async def both_dialects() -> Any:
    async with (
        FakeRealto(seed=SEED, flavor="realto", fleet=Fleet.only_evs(3), clock=FakeClock()).serve() as realto,
        FakeRealto(seed=SEED, flavor="traxes", fleet=Fleet.only_evs(3), clock=FakeClock()).serve() as traxes,
        aiohttp.ClientSession() as session,
    ):
        callers = [Raw(realto, session), Raw(traxes, session)]
        for caller in callers:
            await caller.login()
        yield callers


async def _paged(raw: Raw, ev_id: str, start: datetime, end: datetime, size: int) -> list[dict[str, Any]]:
    params = {"start": stamp(start), "end": stamp(end), "pageSize": str(size)}
    found: list[dict[str, Any]] = []
    while True:
        page = await raw.ok("GET", f"/v1/entities/{ev_id}/charge-sessions", params=params)
        assert len(page["data"]) <= size
        found += page["data"]
        token = page["meta"]["continuationToken"]
        if token is None:
            return found
        params = {**params, "continuationToken": token}


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(size=st.integers(1, 40), start_hours=st.integers(0, 24 * 50), length_hours=st.integers(1, 24 * 20))
async def test_pages_of_any_size_hold_the_same_records_in_both_dialects(
    both_dialects: list[Raw], size: int, start_hours: int, length_hours: int
) -> None:
    window_start = NOW - timedelta(days=60)
    start = window_start + timedelta(hours=start_hours)
    end = min(NOW, start + timedelta(hours=length_hours))
    ev_id = EVS[2].id
    whole = await _paged(both_dialects[0], ev_id, window_start, NOW, 1000)
    expected = [r for r in whole if start <= parse(r["data"]["start"]) < end]
    for raw in both_dialects:
        assert await _paged(raw, ev_id, start, end, size) == expected
    assert whole == records(EVS[2], window_start, NOW)
