"""Synthetic charge sessions, computed on demand from the seed (readings: ``_readings``).

Every value is a pure function of (seed, entity, time), so the same seed gives the same bytes.
A charge session's energy equals its state-of-charge gain times the EV's battery capacity, and
the EV's readings follow its sessions.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from typing import Any

from ._ids import IdSource, iso
from ._records import EntityRecord

__all__ = [
    "ANCHOR",
    "KM_PER_KWH",
    "MIN_SOC",
    "SYNTH_ORIGIN",
    "charge_sessions",
    "day_start",
    "sessions_between",
]

ANCHOR = date(2023, 1, 1)
SYNTH_ORIGIN = datetime(2023, 1, 1, tzinfo=timezone.utc)  # no charge session starts earlier
MIN_SOC, MAX_SOC = 5.0, 95.0
KM_PER_KWH = 6.0


def day_start(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=timezone.utc)


def _round(value: float, digits: int = 3) -> float:
    return round(value, digits)


# ------------------------------------------------------------------------ charge sessions


@lru_cache(maxsize=65536)
def _sessions_of_day(
    seed: int | str, entity_id: str, capacity: float, day: date
) -> tuple[dict[str, Any], ...]:
    rng = random.Random(f"{seed}:{entity_id}:{day.isoformat()}:sessions")
    count = rng.choice((0, 1, 1, 1, 2))
    if not count:
        return ()
    ids = IdSource(seed, f"{entity_id}:{day.isoformat()}:session-ids")
    windows = [(18, 22)] if count == 1 else [(6, 9), (17, 21)][:count]
    sessions = []
    for first_hour, last_hour in windows:
        start = day_start(day) + timedelta(
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
    """Share of [start, end) inside the day tier (07:00-22:00 UTC); sessions last whole seconds."""
    seconds = (end - start).total_seconds()
    if seconds <= 0:
        return 1.0
    inside, done, total = 0, 0, int(seconds)
    clock = start.hour * 3600 + start.minute * 60 + start.second
    while done < total:
        step = min(900, total - done)  # up to 15 minutes at a time
        if 7 <= (clock + done) // 3600 % 24 < 22:
            inside += step
        done += step
    return inside / seconds


def sessions_between(seed: int | str, entity: EntityRecord, first: date, last: date) -> list[dict[str, Any]]:
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
    for session in sessions_between(seed, entity, start.date(), end.date()):
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
    created = day_start(s["end"].date() + timedelta(days=1)) + timedelta(hours=2)
    return {"id": s["id"], "entityId": entity.id, "created": iso(created), "data": data}
