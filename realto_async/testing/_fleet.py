"""A deterministic fleet: entities of every type, households, a fleet collective, a tenant."""

from __future__ import annotations

import bisect
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

__all__ = ["Fleet", "FleetPlan", "collector_paused"]

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
def collector_paused() -> Iterator[None]:
    """Keep the cyclic garbage collector from walking a growing fleet again and again while many
    of its records are made: they make no cycles, and it halves the time."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


HOUSEHOLD_KINDS = ("PV", "Battery", "HeatPump", "EV", "ChargePole")  # one of each joins a meter


class FleetPlan:
    """The fleet, known by type and number: its ids, collectives and tenant are made at once, an
    entity's record only when :meth:`entity` is asked for it (a 100,000-entity fleet starts
    without making 100,000 records). The same for the same seed, whatever is made first.

    Households gather around each smart meter (the meter and the same-numbered PV, battery,
    heat pump, EV and charge point, all at the meter's home); the EVs left over form one company
    fleet.
    """

    def __init__(self, fleet: Fleet, seed: int | str, owner: str, created_before: datetime) -> None:
        self._owner = owner
        self._created_before = created_before
        ids = IdSource(seed, "fleet")
        self.tenant = TenantRecord(id=ids.new(), name="Emulated Energy Co.", administrators=[owner])
        self._kinds: list[tuple[str, int]] = []  # (type, position of its first entity)
        self._counts = dict(fleet.counts())
        position = 0
        for entity_type, count in fleet.counts():
            self._kinds.append((entity_type, position))
            position += count
        self._firsts = [first for _, first in self._kinds]
        self.ids = [ids.new() for _ in range(position)]
        self._streams = {
            entity_type: hashlib.blake2b(f"{seed}:fleet:{entity_type}:".encode(), digest_size=64)
            for entity_type, _ in self._kinds
        }
        self._households = [
            CollectiveRecord(
                id=ids.new(),
                name=f"Household {number + 1}",
                type="Household",
                owner=owner,
                tenant_id=self.tenant.id,
            )
            for number in range(self._counts.get("SmartMeter", 0))
        ]
        for number, household in enumerate(self._households):
            members = [("SmartMeter", number)] + [
                (kind, number) for kind in HOUSEHOLD_KINDS if number < self._counts.get(kind, 0)
            ]
            household.entities = [self._id_of(kind, index) for kind, index in members]
        self._company: CollectiveRecord | None = None
        spare_evs = range(len(self._households), self._counts.get("EV", 0))
        if spare_evs:
            self._company = CollectiveRecord(
                id=ids.new(), name="Company fleet", type="Fleet", owner=owner, tenant_id=self.tenant.id
            )
            self._company.entities = [self._id_of("EV", index) for index in spare_evs]
        self.collectives = self._households + ([self._company] if self._company else [])

    def _id_of(self, entity_type: str, index: int) -> str:
        first = next(first for kind, first in self._kinds if kind == entity_type)
        return self.ids[first + index]

    def _digest(self, entity_type: str, index: int) -> bytes:
        """The entity's draws: bytes 0-15 for its identifier's characters, then 32-bit words."""
        hashed = self._streams[entity_type].copy()
        hashed.update(index.to_bytes(8, "little"))
        return hashed.digest()

    def entity(self, position: int) -> EntityRecord:
        """A new record of the fleet's entity number ``position`` (in :attr:`ids` order)."""
        entity_type, first = self._kinds[bisect.bisect_right(self._firsts, position) - 1]
        index = position - first
        digest = self._digest(entity_type, index)
        serial, age, pick, _, _, first_draw, second_draw, _ = _DRAWS(digest, 16)
        identifier, kind = _identifier(entity_type, digest, serial)
        if entity_type == "EV":
            maker, model, capacity = EV_MODELS[pick % len(EV_MODELS)]
        else:
            makers = MAKERS[entity_type]
            maker, model, capacity = makers[pick % len(makers)], f"{entity_type} {index + 1}", None
        collective: CollectiveRecord | None = None
        home_digest = digest
        if index < len(self._households) and (entity_type == "SmartMeter" or entity_type in HOUSEHOLD_KINDS):
            collective = self._households[index]
            home_digest = self._digest("SmartMeter", index)
        elif entity_type == "EV":
            collective = self._company
        entity = EntityRecord(
            id=self.ids[position],
            type=entity_type,
            manufacturer=maker,
            model=model,
            identifier=identifier,
            identifier_kind=kind,
            owner=self._owner,
            tenant_id=self.tenant.id,
            # 30 to 399 days and up to a day before the clock's start
            created=self._created_before - MINUTE * (30 * 1440 + age % (370 * 1440)),
            collective_id=collective.id if collective is not None else None,
            properties={"label": f"{entity_type.lower()}-{index + 1:04d}"},
            system_properties={"source": "emulator"},
            battery_capacity=capacity,
            home=_home(home_digest),
            permissions={self._owner: {"Owner"}},
        )
        _default_settings(entity, first_draw * _UNIT, second_draw * _UNIT)
        return entity


def _home(digest: bytes) -> tuple[float, float]:
    """Latitude 50.8-51.4 and longitude 3.2-4.8 (Flanders), to 5 decimals."""
    _, _, _, north, east, _, _, _ = _DRAWS(digest, 16)
    return (5_080_000 + north % 60_001) / 100_000, (320_000 + east % 160_001) / 100_000


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
