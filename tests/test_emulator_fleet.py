"""The emulator's fleet: the same for a seed whatever is read first, each entity's identity
independent of the rest of the fleet, households and the company fleet as before, entities made
only when read, and the same ids as the seeded stream always gave."""

from __future__ import annotations

import random
import statistics
import uuid
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from realto_async.testing import FakeClock, FakeRealto, Fleet
from realto_async.testing._entities import FleetEntities
from realto_async.testing._facts import VIN_RE
from realto_async.testing._ids import IdSource
from realto_async.testing._records import EntityRecord

NOW = FakeClock().now()
MIXED = Fleet(
    evs=6,
    charge_points=4,
    solar=3,
    batteries=1,
    heat_pumps=0,
    smart_meters=2,
    retrofit_meters=1,
    boilers=1,
    inverters=2,
)


def test_the_fleet_is_the_same_for_a_seed_and_each_entity_whatever_else_it_holds() -> None:
    def identities(fleet: Fleet, seed: int = 9) -> dict[str, tuple[Any, ...]]:
        server = FakeRealto(seed=seed, fleet=fleet, clock=FakeClock())
        return {
            e.id: (e.identifier, e.created, e.model, e.battery_capacity, e.home, e.nominal_power)
            for e in server.store.entities.values()
        }

    evs = identities(Fleet.only_evs(300))
    assert identities(Fleet.only_evs(300)) == evs
    with_solar = identities(
        Fleet(
            evs=300,
            solar=20,
            charge_points=0,
            batteries=0,
            heat_pumps=0,
            smart_meters=0,
            retrofit_meters=0,
            boilers=0,
        )
    )
    assert {key: with_solar[key] for key in evs} == evs
    assert identities(Fleet.only_evs(300), seed=10) != evs
    vins = [identity[0] for identity in evs.values()]
    assert all(VIN_RE.fullmatch(vin) and not vin.endswith("000000") for vin in vins)
    assert len(set(vins)) == len(vins)
    ages = [(NOW - identity[1]).days for identity in evs.values()]
    assert 30 <= min(ages) <= max(ages) <= 400
    assert statistics.pstdev(ages) > 50
    assert len({identity[2] for identity in evs.values()}) > 4  # several models


def test_the_fleet_of_every_type_has_its_settings_in_range() -> None:
    server = FakeRealto(seed=2, entities=700, clock=FakeClock())
    by_type: dict[str, list[EntityRecord]] = {}
    for entity in server.store.entities.values():
        by_type.setdefault(entity.type, []).append(entity)
    assert all(3 <= (e.nominal_power or 0) <= 10 for e in by_type["PV"])
    assert all(
        90 <= (e.heated_area or 0) < 260 and 4 <= (e.nominal_power or 0) <= 12 for e in by_type["HeatPump"]
    )
    assert all(5 <= (e.battery_capacity or 0) <= 15 for e in by_type["Battery"])
    assert {e.nominal_power for e in by_type["ChargePole"]} == {7.4, 11.0, 22.0}
    assert all(e.identifier.startswith("5414") and len(e.identifier) == 18 for e in by_type["SmartMeter"])
    assert all(len(e.identifier) == 8 and e.identifier.isalnum() for e in by_type["RetrofitMeter"])
    assert all(len(e.identifier) == 12 for e in by_type["Boiler"])


@given(seed=st.integers(0, 10**6) | st.text(max_size=8))
def test_ids_are_the_uuid4_of_the_seeded_stream(seed: int | str) -> None:
    source, stream = IdSource(seed, "fleet"), random.Random(f"{seed}:fleet")
    for _ in range(3):
        assert source.new() == str(uuid.UUID(int=stream.getrandbits(128), version=4))


def _fields(entity: EntityRecord) -> tuple[Any, ...]:
    return (
        entity.id,
        entity.type,
        entity.identifier,
        entity.created,
        entity.home,
        entity.collective_id,
        entity.model,
    )


def test_entities_are_made_when_read_and_the_same_in_any_order() -> None:
    in_order = FakeRealto(seed=4, fleet=MIXED, clock=FakeClock()).store
    expected = [_fields(e) for e in in_order.entities.values()]
    lazy = FakeRealto(seed=4, fleet=MIXED, clock=FakeClock()).store
    entities = lazy.entities
    assert isinstance(entities, FleetEntities)
    assert "20 not made yet" in repr(entities)
    ids = list(entities)
    assert ids == [fields[0] for fields in expected]
    for position in random.Random(2).sample(range(len(ids)), 7):
        assert _fields(entities[ids[position]]) == expected[position]
    assert "13 not made yet" in repr(entities)
    assert [_fields(e) for e in entities.values()] == expected
    assert "0 not made yet" in repr(entities)


def test_households_and_the_company_fleet_gather_the_same_numbered_entities() -> None:
    store = FakeRealto(seed=4, fleet=MIXED, clock=FakeClock()).store
    by_type: dict[str, list[EntityRecord]] = {}
    for entity in store.entities.values():
        by_type.setdefault(entity.type, []).append(entity)
    households = [c for c in store.collectives.values() if c.type == "Household"]
    assert len(households) == 2
    for number, household in enumerate(households):
        meter = by_type["SmartMeter"][number]
        members = [meter] + [
            by_type[kind][number]
            for kind in ("PV", "Battery", "EV", "ChargePole")
            if number < len(by_type[kind])
        ]
        assert household.entities == [m.id for m in members]
        assert all(m.collective_id == household.id and m.home == meter.home for m in members)
    (company,) = [c for c in store.collectives.values() if c.type == "Fleet"]
    assert company.entities == [ev.id for ev in by_type["EV"][2:]]
    assert all(ev.collective_id == company.id for ev in by_type["EV"][2:])
    alone = (
        by_type["PV"][2:]
        + by_type["Boiler"]
        + by_type["RetrofitMeter"]
        + by_type["Inverter"]
        + by_type["ChargePole"][2:]
    )
    assert all(e.collective_id is None for e in alone)
    assert len({e.home for e in alone}) == len(alone)  # each at its own home


def test_the_entity_mapping_reads_writes_and_removes_like_a_dict() -> None:
    server = FakeRealto(seed=4, fleet=Fleet.only_evs(5), clock=FakeClock())
    entities = server.store.entities
    ids = list(entities)
    assert len(entities) == 5
    assert ids[1] in entities
    assert "nope" not in entities
    assert entities.get("nope") is None
    removed = entities.pop(ids[1])  # never read before
    del entities[ids[2]]
    assert removed.id == ids[1]
    added = entities[ids[0]]
    entities["new"] = added
    entities[ids[3]] = added  # replaces one not made yet
    assert list(entities) == [ids[0], ids[3], ids[4], "new"]
    assert [e.id for e in entities.values()] == [ids[0], ids[0], ids[4], ids[0]]
    assert "0 not made yet" in repr(entities)


def test_a_fleet_evs_vin_conflicts_before_any_entity_is_read() -> None:
    store = FakeRealto(seed=4, fleet=Fleet.only_evs(50), clock=FakeClock()).store
    last = list(store.entities)[-1]
    lone = FakeRealto(seed=4, fleet=Fleet.only_evs(50), clock=FakeClock()).store.entities[last]
    conflict = store.vin_conflict(lone.identifier)
    assert conflict is not None
    assert last in conflict
    assert store.vin_conflict("WA1DMAFE0D0123456") is None
