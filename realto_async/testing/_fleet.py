"""A deterministic fleet: entities of every type, households, a fleet collective, a tenant."""

from __future__ import annotations

import gc
import hashlib
import string
import struct
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

import attrs

from ._ids import IdSource
from ._records import CollectiveRecord, EntityRecord, TenantRecord

__all__ = ["Fleet", "build_fleet"]

EV_MODELS = [
    ("Audi", "Q4 e-tron", 77.0),
    ("Tesla", "Model 3", 60.0),
    ("Tesla", "Model Y", 75.0),
    ("Volkswagen", "ID.3", 58.0),
    ("BMW", "i4", 80.7),
    ("Kia", "EV6", 77.4),
    ("Renault", "Megane E-Tech", 60.0),
    ("Hyundai", "Ioniq 5", 72.6),
]
MAKERS = {
    "ChargePole": ["Alfen", "Wallbox", "Easee"],
    "PV": ["Huawei", "SMA", "SolarEdge"],
    "Battery": ["BYD", "Tesla", "Sonnen"],
    "HeatPump": ["Daikin", "Vaillant", "Viessmann"],
    "SmartMeter": ["Fluvius", "Landis+Gyr"],
    "RetrofitMeter": ["re.alto"],
    "Boiler": ["Bosch", "Viessmann"],
    "Inverter": ["Fronius", "Huawei"],
}
VIN_CHARS = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"
FLEET_ANCHOR = datetime(2023, 1, 1)
MINUTE = timedelta(minutes=1)


@attrs.define(frozen=True)
class Fleet:
    """How many entities of each type the emulator starts with."""

    evs: int = 12
    charge_points: int = 3
    solar: int = 3
    batteries: int = 2
    heat_pumps: int = 2
    smart_meters: int = 3
    retrofit_meters: int = 1
    boilers: int = 1
    inverters: int = 0

    @classmethod
    def of_size(cls, total: int) -> Fleet:
        """About ``total`` entities: 60% EVs, the rest spread over the other types."""
        if total < 8:
            return cls(
                evs=max(total, 0),
                charge_points=0,
                solar=0,
                batteries=0,
                heat_pumps=0,
                smart_meters=0,
                retrofit_meters=0,
                boilers=0,
            )
        evs = total * 6 // 10
        rest = total - evs
        share = rest // 7
        return cls(
            evs=evs,
            charge_points=share,
            solar=share,
            batteries=share,
            heat_pumps=share,
            smart_meters=share,
            retrofit_meters=share,
            boilers=rest - 6 * share,
        )

    @classmethod
    def only_evs(cls, count: int) -> Fleet:
        return cls(
            evs=count,
            charge_points=0,
            solar=0,
            batteries=0,
            heat_pumps=0,
            smart_meters=0,
            retrofit_meters=0,
            boilers=0,
        )

    def counts(self) -> list[tuple[str, int]]:
        return [
            ("EV", self.evs),
            ("ChargePole", self.charge_points),
            ("PV", self.solar),
            ("Battery", self.batteries),
            ("HeatPump", self.heat_pumps),
            ("SmartMeter", self.smart_meters),
            ("RetrofitMeter", self.retrofit_meters),
            ("Boiler", self.boilers),
            ("Inverter", self.inverters),
        ]


def _table(alphabet: str) -> bytes:
    """A ``bytes.translate`` table taking every byte to a character of ``alphabet``."""
    return bytes(ord(alphabet[byte % len(alphabet)]) for byte in range(256))


_VIN_TABLE = _table(VIN_CHARS)
_DIGIT_TABLE = _table(string.digits)
_CODE_TABLE = _table(string.ascii_uppercase + string.digits)
# An entity's draws: bytes 0-15 for its identifier's characters, then 32-bit words.
_DRAWS = struct.Struct("<8I").unpack_from
_UNIT = 1 / 2**32


def _identifier(entity_type: str, digest: bytes, serial: int) -> tuple[str, str]:
    if entity_type == "EV":  # 17 characters without I, O or Q, never ending in the refused 000000
        return digest[:11].translate(_VIN_TABLE).decode() + f"{1 + serial % 999998:06d}", "vin"
    if entity_type == "SmartMeter":
        return "5414" + digest[:14].translate(_DIGIT_TABLE).decode(), "ean"
    if entity_type == "RetrofitMeter":
        return digest[:8].translate(_CODE_TABLE).decode(), "code"
    return digest[:6].hex(), "uuid"


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Keep the cyclic garbage collector from walking the growing fleet again and again: it
    makes no cycles, and 100,000 entities start in half the time."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def build_fleet(
    fleet: Fleet, seed: int | str, owner: str, created_before: datetime
) -> tuple[list[EntityRecord], list[CollectiveRecord], TenantRecord]:
    """The fleet's entities, its collectives and its tenant, the same for the same seed."""
    with _collector_paused():
        return _build_fleet(fleet, seed, owner, created_before)


def _build_fleet(
    fleet: Fleet, seed: int | str, owner: str, created_before: datetime
) -> tuple[list[EntityRecord], list[CollectiveRecord], TenantRecord]:
    """Each entity's draws come from one BLAKE2b digest of (seed, type, number): cheap, and the
    same whatever else the fleet holds."""
    ids = IdSource(seed, "fleet")
    tenant = TenantRecord(id=ids.new(), name="Emulated Energy Co.", administrators=[owner])
    entities: list[EntityRecord] = []
    for entity_type, count in fleet.counts():
        stream = hashlib.blake2b(f"{seed}:fleet:{entity_type}:".encode(), digest_size=64)
        label = entity_type.lower()
        for index in range(count):
            hashed = stream.copy()
            hashed.update(index.to_bytes(8, "little"))
            digest = hashed.digest()
            serial, age, pick, north, east, first, second, _ = _DRAWS(digest, 16)
            identifier, kind = _identifier(entity_type, digest, serial)
            if entity_type == "EV":
                maker, model, capacity = EV_MODELS[pick % len(EV_MODELS)]
            else:
                makers = MAKERS[entity_type]
                maker, model, capacity = makers[pick % len(makers)], f"{entity_type} {index + 1}", None
            entity = EntityRecord(
                id=ids.new(),
                type=entity_type,
                manufacturer=maker,
                model=model,
                identifier=identifier,
                identifier_kind=kind,
                owner=owner,
                tenant_id=tenant.id,
                # 30 to 399 days and up to a day before the clock's start
                created=created_before - MINUTE * (30 * 1440 + age % (370 * 1440)),
                properties={"label": f"{label}-{index + 1:04d}"},
                system_properties={"source": "emulator"},
                battery_capacity=capacity,
                # latitude 50.8-51.4, longitude 3.2-4.8 (Flanders), to 5 decimals
                home=((5_080_000 + north % 60_001) / 100_000, (320_000 + east % 160_001) / 100_000),
                permissions={owner: {"Owner"}},
            )
            _default_settings(entity, first * _UNIT, second * _UNIT)
            entities.append(entity)
    collectives = _group(entities, ids, owner, tenant.id)
    return entities, collectives, tenant


def _default_settings(entity: EntityRecord, first: float, second: float) -> None:
    """Settings by type, from two uniform draws in [0, 1)."""
    if entity.type == "EV":
        entity.features = {"CaptureChargeSessions": True, "SmartCharging": False}
    elif entity.type == "PV":
        entity.nominal_power = round(3 + first * 7, 1)
        entity.features = {"ProductionForecast": True}
    elif entity.type == "HeatPump":
        entity.heated_area = float(90 + int(first * 170))
        entity.nominal_power = round(4 + second * 8, 1)
    elif entity.type == "Battery":
        entity.battery_capacity = round(5 + first * 10, 1)
        entity.nominal_power = 5.0
    elif entity.type == "SmartMeter":
        entity.disaggregators = {"HeatPump": False, "EVCharging": True, "Baseload": True}
    elif entity.type == "ChargePole":
        entity.nominal_power = (7.4, 11.0, 22.0)[int(first * 3)]


def _group(entities: list[EntityRecord], ids: IdSource, owner: str, tenant_id: str) -> list[CollectiveRecord]:
    """Households around each smart meter; the EVs left over form one company fleet."""
    by_type: dict[str, list[EntityRecord]] = {}
    for entity in entities:
        by_type.setdefault(entity.type, []).append(entity)
    collectives = []
    meters = by_type.get("SmartMeter", [])
    for number, meter in enumerate(meters):
        members = [meter]
        for kind in ("PV", "Battery", "HeatPump", "EV", "ChargePole"):
            pool = by_type.get(kind, [])
            if pool:
                members.append(pool.pop(0))
        home = CollectiveRecord(
            id=ids.new(), name=f"Household {number + 1}", type="Household", owner=owner, tenant_id=tenant_id
        )
        for member in members:
            member.collective_id = home.id
            member.home = meter.home
            home.entities.append(member.id)
        collectives.append(home)
    spare_evs = by_type.get("EV", [])
    if spare_evs:
        fleet = CollectiveRecord(
            id=ids.new(), name="Company fleet", type="Fleet", owner=owner, tenant_id=tenant_id
        )
        for ev in spare_evs:
            ev.collective_id = fleet.id
            fleet.entities.append(ev.id)
        collectives.append(fleet)
    return collectives
