"""Synthetic readings and charge sessions, computed on demand from the seed.

Every value is a pure function of (seed, entity, time), so the same seed gives the same bytes.
Counters (energy, gas) are built from fixed daily profiles and per-day factors summed from an
anchor day, so they only ever grow. A charge session's energy equals its state-of-charge gain
times the EV's battery capacity, and the EV's readings follow its sessions.
"""

from __future__ import annotations

import math
import random
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from typing import Any

from ._ids import IdSource, iso
from ._records import EntityRecord

__all__ = ["READING_STEP", "SYNTH_ORIGIN", "charge_sessions", "reading_at", "reading_times"]

READING_STEP = timedelta(minutes=15)
SLOTS_PER_DAY = 96
ANCHOR = date(2023, 1, 1)
SYNTH_ORIGIN = datetime(2023, 1, 1, tzinfo=timezone.utc)  # no charge session starts earlier
MIN_SOC, MAX_SOC = 5.0, 95.0
KM_PER_KWH = 6.0


def _day_start(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=timezone.utc)


def _round(value: float, digits: int = 3) -> float:
    return round(value, digits)


# ------------------------------------------------------------------------ charge sessions


@lru_cache(maxsize=65536)
def _sessions_of_day(
    seed: int | str, entity_id: str, capacity: float, day: date
) -> tuple[dict[str, Any], ...]:
    rng = random.Random(f"{seed}:{entity_id}:{day.isoformat()}:sessions")
    ids = IdSource(seed, f"{entity_id}:{day.isoformat()}:session-ids")
    count = rng.choice((0, 1, 1, 1, 2))
    windows = [(18, 22)] if count == 1 else [(6, 9), (17, 21)][:count]
    sessions = []
    for first_hour, last_hour in windows:
        start = _day_start(day) + timedelta(
            hours=rng.randrange(first_hour, last_hour), minutes=rng.randrange(0, 60, 5)
        )
        power = rng.choice((3.7, 7.4, 11.0))
        start_soc = _round(rng.uniform(12, 60), 1)
        wanted_hours = rng.uniform(0.75, 4.5)
        energy = min(power * wanted_hours, (MAX_SOC - start_soc) / 100 * capacity)
        end_soc = start_soc + energy / capacity * 100
        hours = energy / power
        end = start + timedelta(seconds=round(hours * 3600))
        day_share = _day_tier_share(start, end)
        total = _round(energy)
        sessions.append(
            {
                "id": ids.new(),
                "start": start,
                "end": end,
                "start_soc": start_soc,
                "end_soc": _round(end_soc, 2),
                "power": power,
                "energy": total,
                "t1": _round(total * day_share),
                "t2": _round(total - _round(total * day_share)),
                "away": rng.random() < 0.2,
            }
        )
    return tuple(sessions)


def _day_tier_share(start: datetime, end: datetime) -> float:
    """Share of [start, end) inside the day tier (07:00-22:00 UTC)."""
    seconds = (end - start).total_seconds()
    if seconds <= 0:
        return 1.0
    inside, cursor = 0.0, start
    while cursor < end:
        step_end = min(end, cursor + timedelta(minutes=15))
        if 7 <= cursor.hour < 22:
            inside += (step_end - cursor).total_seconds()
        cursor = step_end
    return inside / seconds


def _sessions_between(seed: int | str, entity: EntityRecord, first: date, last: date) -> list[dict[str, Any]]:
    capacity = entity.battery_capacity or 60.0
    found: list[dict[str, Any]] = []
    day = first
    while day <= last:
        found.extend(_sessions_of_day(seed, entity.id, capacity, day))
        day += timedelta(days=1)
    return found


def charge_sessions(
    seed: int | str, entity: EntityRecord, start: datetime, end: datetime, now: datetime
) -> list[dict[str, Any]]:
    """The entity's ended charge sessions starting in [start, end), as re.alto JSON."""
    records = []
    for session in _sessions_between(seed, entity, start.date(), end.date()):
        if not (start <= session["start"] < end) or session["end"] > now:
            continue
        records.append(_session_json(entity, session))
    return records


def _session_json(entity: EntityRecord, s: dict[str, Any]) -> dict[str, Any]:
    capacity = entity.battery_capacity or 60.0
    lat, lon = entity.home
    if s["away"]:
        lat, lon = _round(lat + 0.21, 5), _round(lon - 0.13, 5)
    data: dict[str, Any] = {
        "start": iso(s["start"]),
        "end": iso(s["end"]),
        "charge": {
            "averagePower": {"unit": "kW", "value": s["power"]},
            "start": {"unit": "%", "value": s["start_soc"]},
            "end": {"unit": "%", "value": s["end_soc"]},
            "total": {"t1": s["t1"], "t2": s["t2"], "total": s["energy"], "unit": "kWh"},
        },
        "range": {
            "start": {"unit": "km", "value": _round(s["start_soc"] / 100 * capacity * KM_PER_KWH, 1)},
            "end": {"unit": "km", "value": _round(s["end_soc"] / 100 * capacity * KM_PER_KWH, 1)},
        },
        "location": {"latitude": lat, "longitude": lon},
    }
    if not s["away"]:
        data["location"]["address"] = "Home"
        matches = [
            {"accuracy": 0.97, "location": {"id": loc.id, "label": loc.label}} for loc in entity.locations
        ]
        if matches:
            data["locationMatches"] = matches
    created = _day_start(s["end"].date() + timedelta(days=1)) + timedelta(hours=2)
    return {"id": s["id"], "entityId": entity.id, "created": iso(created), "data": data}


# ------------------------------------------------------------------------------- readings


def reading_times(start: datetime, end: datetime) -> tuple[datetime, int]:
    """The first reading time at or after ``start`` and how many fall in [start, end)."""
    first = _align_up(start)
    if end <= first:
        return first, 0
    return first, math.ceil((end - first) / READING_STEP)


def _align_up(moment: datetime) -> datetime:
    base = _day_start(moment.date())
    slots = math.ceil((moment - base) / READING_STEP)
    return base + slots * READING_STEP


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
    running, total = [], 0.0
    for power in powers:
        running.append(total)
        total += power / 4
    return tuple(powers), tuple(running)


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


_SUN_DAY = sum(_sun(slot) / 4 for slot in range(SLOTS_PER_DAY))


def reading_at(seed: int | str, entity: EntityRecord, moment: datetime, reading_id: str) -> dict[str, Any]:
    """The reading of ``entity`` measured at ``moment`` (a 15-minute boundary)."""
    day = moment.date()
    slot = int((moment - _day_start(day)) / READING_STEP)
    data: dict[str, Any]
    if entity.type == "EV":
        data = _ev_data(seed, entity, moment)
    elif entity.type in ("PV", "Inverter"):
        data = _pv_data(seed, entity, day, slot)
    elif entity.type == "SmartMeter":
        data = _meter_data(seed, entity, day, slot)
    elif entity.type == "RetrofitMeter":
        data = {"positiveGasVolume": {"unit": "m3", "value": _gas_counter(seed, entity, day, slot)}}
    elif entity.type == "Battery":
        data = _battery_data(entity, slot)
    else:
        powers, _ = _profile(seed, entity.id, entity.type)
        scale = entity.nominal_power or 2.0
        data = {
            "positiveActiveInstantaneousPower": {"total": round(powers[slot] * scale * 300, 1), "unit": "W"}
        }
    received = moment + timedelta(seconds=40)
    return {
        "id": reading_id,
        "entityId": entity.id,
        "measured": iso(moment),
        "received": iso(received),
        "processed": iso(received + timedelta(seconds=5)),
        "data": data,
    }


def _ev_data(seed: int | str, entity: EntityRecord, moment: datetime) -> dict[str, Any]:
    capacity = entity.battery_capacity or 60.0
    sessions = _sessions_between(seed, entity, moment.date() - timedelta(days=3), moment.date())
    soc, charging, plugged = 50.0, False, False
    previous = None
    for session in sessions:
        if session["start"] <= moment < session["end"]:
            progress = (moment - session["start"]) / (session["end"] - session["start"])
            soc = session["start_soc"] + (session["end_soc"] - session["start_soc"]) * progress
            charging = plugged = True
            previous = None
            break
        if session["end"] <= moment:
            previous = session
    else:
        if previous is not None:
            hours = (moment - previous["end"]).total_seconds() / 3600
            soc = max(MIN_SOC, previous["end_soc"] - 0.4 * hours)
            plugged = hours < 0.5
    lat, lon = entity.home
    odometer = 15000 + (moment.date() - ANCHOR).days * 38
    return {
        "stateOfCharge": {"unit": "%", "value": round(soc, 1)},
        "isCharging": charging,
        "isPluggedIn": plugged,
        "range": {"unit": "km", "value": round(soc / 100 * capacity * KM_PER_KWH, 1)},
        "odometer": {"unit": "km", "value": odometer},
        "location": {"latitude": lat, "longitude": lon},
    }


def _pv_data(seed: int | str, entity: EntityRecord, day: date, slot: int) -> dict[str, Any]:
    peak = entity.nominal_power or 5.0
    factor, before = _factors_until(seed, "sun", day)
    power_kw = peak * factor * _sun(slot)
    today = sum(_sun(s) / 4 for s in range(slot)) * peak * factor
    counter = before * _SUN_DAY * peak + today
    return {
        "negativeActiveInstantaneousPower": {"total": round(power_kw * 1000, 1), "unit": "W"},
        "negativeActiveEnergy": {"total": round(counter, 3), "t1": round(counter, 3), "unit": "kWh"},
    }


def _meter_data(seed: int | str, entity: EntityRecord, day: date, slot: int) -> dict[str, Any]:
    powers, running = _profile(seed, entity.id, "meter")
    days = (day - ANCHOR).days
    day_tier = sum(p / 4 for s, p in enumerate(powers) if 28 <= s < 88)
    night_tier = running[-1] + powers[-1] / 4 - day_tier
    t1 = days * day_tier + sum(p / 4 for s, p in enumerate(powers[:slot]) if 28 <= s < 88)
    t2 = days * night_tier + sum(p / 4 for s, p in enumerate(powers[:slot]) if not 28 <= s < 88)
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
        "positiveGasVolume": {"unit": "m3", "value": _gas_counter(seed, entity, day, slot)},
    }


def _gas_counter(seed: int | str, entity: EntityRecord, day: date, slot: int) -> float:
    factor, before = _factors_until(seed, "heat", day)
    daily = 4.0  # m3 on a factor-1 day
    return round(1200 + (before + factor * slot / SLOTS_PER_DAY) * daily, 3)


def _battery_data(entity: EntityRecord, slot: int) -> dict[str, Any]:
    hour = slot / 4
    soc = 20 + 70 * max(0.0, math.sin(math.pi * (hour - 8) / 16)) if 8 <= hour <= 24 else 20.0
    power = (
        (entity.nominal_power or 5.0) * 1000 * math.cos(math.pi * (hour - 8) / 16) * 0.4 if hour >= 8 else 0.0
    )
    return {
        "stateOfCharge": {"unit": "%", "value": round(soc, 1)},
        "positiveActiveInstantaneousPower": {"total": round(max(power, 0.0), 1), "unit": "W"},
        "negativeActiveInstantaneousPower": {"total": round(max(-power, 0.0), 1), "unit": "W"},
    }
