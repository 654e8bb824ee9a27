"""Synthetic readings, computed on demand from the seed, a page at a time.

Every value is a pure function of (seed, entity, time), so the same seed gives the same bytes.
Counters (energy, gas) are built from fixed daily profiles and per-day factors summed from an
anchor day, so they only ever grow; an EV's readings follow its charge sessions. A page is made
in one pass: what depends on the day is computed once a day, what depends on the quarter hour
comes from tables.
"""

from __future__ import annotations

import hashlib
import math
import random
import uuid
from collections.abc import Callable
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

from ._records import EntityRecord
from ._synth import ANCHOR, DEFAULT_CAPACITY, KM_PER_KWH, MIN_SOC, day_start, epoch_day, sessions_of_days

__all__ = ["READING_STEP", "reading_at", "reading_times", "readings"]

READING_STEP = timedelta(minutes=15)
SLOTS_PER_DAY = 96
SlotData = Callable[[int], dict[str, Any]]  # one day's reading data by quarter hour (0-95)
_CLOCK = [f"{slot // 4:02d}:{slot % 4 * 15:02d}" for slot in range(SLOTS_PER_DAY)]


def reading_times(start: datetime, end: datetime) -> tuple[datetime, int]:
    """The first reading time at or after ``start`` and how many fall in [start, end)."""
    first = _align_up(start)
    if end <= first:
        return first, 0
    return first, math.ceil((end - first) / READING_STEP)


def _align_up(moment: datetime) -> datetime:
    base = day_start(moment.date())
    slots = math.ceil((moment - base) / READING_STEP)
    return base + slots * READING_STEP


def readings(
    seed: int | str, entity: EntityRecord, first: datetime, start: int, stop: int
) -> list[dict[str, Any]]:
    """Readings number ``start`` to ``stop - 1`` of the series every 15 minutes from ``first``
    (a quarter-hour boundary), as re.alto JSON; each one's id is a UUID5 of its time."""
    namespace = hashlib.sha1(uuid.UUID(entity.id).bytes)
    base = first.date().toordinal() * SLOTS_PER_DAY + (first.hour * 60 + first.minute) // 15
    found = []
    current_day = -1
    day_text = ""
    slot_data: SlotData | None = None
    for index in range(start, stop):
        ordinal, slot = divmod(base + index, SLOTS_PER_DAY)
        if ordinal != current_day or slot_data is None:
            current_day = ordinal
            day = date.fromordinal(ordinal)
            day_text = day.isoformat() + "T"
            slot_data = _day_data(seed, entity, day)
        stamp = day_text + _CLOCK[slot]
        measured = stamp + ":00Z"
        found.append(
            {
                "id": _uuid5(namespace, measured),
                "entityId": entity.id,
                "measured": measured,
                "received": stamp + ":40Z",
                "processed": stamp + ":45Z",
                "data": slot_data(slot),
            }
        )
    return found


def reading_at(seed: int | str, entity: EntityRecord, moment: datetime) -> dict[str, Any]:
    """The reading of ``entity`` measured at ``moment`` (a quarter-hour boundary)."""
    return readings(seed, entity, moment, 0, 1)[0]


def _uuid5(namespace: Any, name: str) -> str:
    """``str(uuid.uuid5(namespace, name))``, with the namespace's hash started once per page."""
    digest = namespace.copy()
    digest.update(name.encode())
    raw = bytearray(digest.digest()[:16])
    raw[6] = (raw[6] & 0x0F) | 0x50
    raw[8] = (raw[8] & 0x3F) | 0x80
    text = raw.hex()
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


# ------------------------------------------------------------------------------ by entity type


def _day_data(seed: int | str, entity: EntityRecord, day: date) -> SlotData:
    if entity.type == "EV":
        return _ev_day(seed, entity, day)
    if entity.type in ("PV", "Inverter"):
        return _pv_day(seed, entity, day)
    if entity.type == "SmartMeter":
        return _meter_day(seed, entity, day)
    if entity.type == "RetrofitMeter":
        return _retrofit_day(seed, day)
    if entity.type == "Battery":
        return _battery_day(entity.nominal_power).__getitem__
    return _appliance_day(seed, entity.id, entity.type, entity.nominal_power).__getitem__


@lru_cache(maxsize=1024)
def _appliance_day(
    seed: int | str, entity_id: str, entity_type: str, nominal_power: float | None
) -> tuple[dict[str, Any], ...]:
    """A heat pump's, boiler's or charge point's power by quarter hour: the same every day."""
    powers, _ = _profile(seed, entity_id, entity_type)
    scale = nominal_power or 2.0
    return tuple(
        {"positiveActiveInstantaneousPower": {"total": round(power * scale * 300, 1), "unit": "W"}}
        for power in powers
    )


def _ev_day(seed: int | str, entity: EntityRecord, day: date) -> SlotData:
    capacity = entity.battery_capacity or DEFAULT_CAPACITY
    today = epoch_day(day)
    sessions = sessions_of_days(seed, entity, today - 3, today)
    lat, lon = entity.home
    odometer = 15000 + (day - ANCHOR).days * 38
    midnight = today * 86400  # UTC seconds since the Unix epoch, as the sessions' times
    step = int(READING_STEP.total_seconds())

    def data(slot: int) -> dict[str, Any]:
        moment = midnight + slot * step
        soc, charging, plugged = 50.0, False, False
        previous = None
        for session in sessions:
            if session.start <= moment < session.end:
                progress = (moment - session.start) / (session.end - session.start)
                soc = (session.start_tenths + (session.end_tenths - session.start_tenths) * progress) / 10
                charging = plugged = True
                previous = None
                break
            if session.end <= moment:
                previous = session
        else:
            if previous is not None:
                hours = (moment - previous.end) / 3600
                soc = max(MIN_SOC, previous.end_tenths / 10 - 0.4 * hours)
                plugged = hours < 0.5
        return {
            "stateOfCharge": {"unit": "%", "value": round(soc, 1)},
            "isCharging": charging,
            "isPluggedIn": plugged,
            "range": {"unit": "km", "value": round(soc / 100 * capacity * KM_PER_KWH, 1)},
            "odometer": {"unit": "km", "value": odometer},
            "location": {"latitude": lat, "longitude": lon},
        }

    return data


def _pv_day(seed: int | str, entity: EntityRecord, day: date) -> SlotData:
    peak = entity.nominal_power or 5.0
    factor, before = _factors_until(seed, "sun", day)
    counted = before * _SUN_DAY * peak

    def data(slot: int) -> dict[str, Any]:
        power_kw = peak * factor * _SUN[slot]
        counter = counted + _SUN_BEFORE[slot] * peak * factor
        return {
            "negativeActiveInstantaneousPower": {"total": round(power_kw * 1000, 1), "unit": "W"},
            "negativeActiveEnergy": {"total": round(counter, 3), "t1": round(counter, 3), "unit": "kWh"},
        }

    return data


def _meter_day(seed: int | str, entity: EntityRecord, day: date) -> SlotData:
    powers, day_tier, night_tier, day_before, night_before = _meter_tables(seed, entity.id)
    days = (day - ANCHOR).days
    gas = _retrofit_day(seed, day)

    def data(slot: int) -> dict[str, Any]:
        t1 = days * day_tier + day_before[slot]
        t2 = days * night_tier + night_before[slot]
        watts = powers[slot] * 1000
        return {
            "positiveActiveEnergy": {
                "t1": round(t1, 3),
                "t2": round(t2, 3),
                "total": round(t1 + t2, 3),
                "unit": "kWh",
            },
            "positiveActiveInstantaneousPower": {
                "l1": round(watts * 0.5, 1),
                "l2": round(watts * 0.3, 1),
                "l3": round(watts * 0.2, 1),
                "total": round(watts, 1),
                "unit": "W",
            },
            "instantaneousVoltage": {"l1": 231.2, "l2": 229.8, "l3": 230.5, "unit": "V"},
            **gas(slot),
        }

    return data


def _retrofit_day(seed: int | str, day: date) -> SlotData:
    factor, before = _factors_until(seed, "heat", day)
    daily = 4.0  # m3 on a factor-1 day
    return lambda slot: {
        "positiveGasVolume": {
            "unit": "m3",
            "value": round(1200 + (before + factor * slot / SLOTS_PER_DAY) * daily, 3),
        }
    }


@lru_cache(maxsize=64)
def _battery_day(nominal_power: float | None) -> tuple[dict[str, Any], ...]:
    """A home battery's state of charge and power by quarter hour: the same every day."""
    nominal_w = (nominal_power or 5.0) * 1000
    found = []
    for slot in range(SLOTS_PER_DAY):
        hour = slot / 4
        soc = 20 + 70 * max(0.0, math.sin(math.pi * (hour - 8) / 16)) if 8 <= hour <= 24 else 20.0
        power = nominal_w * math.cos(math.pi * (hour - 8) / 16) * 0.4 if hour >= 8 else 0.0
        found.append(
            {
                "stateOfCharge": {"unit": "%", "value": round(soc, 1)},
                "positiveActiveInstantaneousPower": {"total": round(max(power, 0.0), 1), "unit": "W"},
                "negativeActiveInstantaneousPower": {"total": round(max(-power, 0.0), 1), "unit": "W"},
            }
        )
    return tuple(found)


# ------------------------------------------------------------------------------ profiles and factors


@lru_cache(maxsize=4096)
def _profile(seed: int | str, entity_id: str, kind: str) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """A daily profile of 96 average powers (kW) and its running energy sums (kWh)."""
    rng = random.Random(f"{seed}:{entity_id}:{kind}:profile")
    base = rng.uniform(0.15, 0.4)
    powers = []
    for slot in range(SLOTS_PER_DAY):
        hour = slot / 4
        morning = math.exp(-(((hour - 7.5) / 1.2) ** 2)) * rng.uniform(0.6, 1.4)
        evening = math.exp(-(((hour - 19) / 2.0) ** 2)) * rng.uniform(1.2, 2.2)
        powers.append(round(base + morning + evening, 4))
    return tuple(powers), _running([power / 4 for power in powers])


@lru_cache(maxsize=4096)
def _meter_tables(
    seed: int | str, entity_id: str
) -> tuple[tuple[float, ...], float, float, tuple[float, ...], tuple[float, ...]]:
    """A smart meter's profile, its day-tier (07:00-22:00) and night-tier energy a day (kWh), and
    each tier's energy before each quarter hour of the day."""
    powers, running = _profile(seed, entity_id, "meter")
    in_day = [power / 4 if 28 <= slot < 88 else 0.0 for slot, power in enumerate(powers)]
    in_night = [power / 4 if not 28 <= slot < 88 else 0.0 for slot, power in enumerate(powers)]
    day_tier = sum(power / 4 for slot, power in enumerate(powers) if 28 <= slot < 88)
    night_tier = running[-1] + powers[-1] / 4 - day_tier
    return powers, day_tier, night_tier, _running(in_day), _running(in_night)


def _running(values: list[float]) -> tuple[float, ...]:
    """The sum of the values before each position, added in order."""
    sums, total = [], 0.0
    for value in values:
        sums.append(total)
        total += value
    return tuple(sums)


@lru_cache(maxsize=64)
def _day_factors(seed: int | str, kind: str, days: int) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Per-day factors from the anchor day (weather) and their running sums."""
    rng = random.Random(f"{seed}:{kind}:days")
    factors, sums, total = [], [], 0.0
    for index in range(days):
        season = math.cos(2 * math.pi * (index - 172) / 365.25)  # 1 at midsummer
        if kind == "sun":
            value = max(0.1, 0.55 + 0.35 * season + rng.uniform(-0.3, 0.2))
        else:  # heating: strongest in winter
            value = max(0.05, 0.6 - 0.5 * season + rng.uniform(-0.1, 0.1))
        factors.append(round(value, 4))
        sums.append(total)
        total += value
    return tuple(factors), tuple(sums)


def _factors_until(seed: int | str, kind: str, day: date) -> tuple[float, float]:
    """The day's factor and the sum of all factors before it."""
    index = max(0, (day - ANCHOR).days)
    size = 512
    while size <= index:
        size *= 2
    factors, sums = _day_factors(seed, kind, size)
    return factors[index], sums[index]


def _sun(slot: int) -> float:
    hour = slot / 4 + 0.125
    return max(0.0, math.sin(math.pi * (hour - 6) / 14)) if 6 <= hour <= 20 else 0.0


_SUN = [_sun(slot) for slot in range(SLOTS_PER_DAY)]
_SUN_BEFORE = _running([_sun(slot) / 4 for slot in range(SLOTS_PER_DAY)])
_SUN_DAY = sum(_sun(slot) / 4 for slot in range(SLOTS_PER_DAY))
