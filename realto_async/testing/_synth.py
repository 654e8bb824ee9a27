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
    """The EV's sessions starting that day: times, states of charge and energy, and the parts
    of their JSON that depend on nothing else (shared, never changed)."""
    day_text = day.isoformat()
    rng = random.Random(f"{seed}:{entity_id}:{day_text}:sessions")
    count = (0, 1, 1, 1, 2)[_below(rng, 5)]  # rng.choice, drawn the same way
    if not count:
        return ()
    ids = IdSource(seed, f"{entity_id}:{day_text}:session-ids")
    windows = [(18, 22)] if count == 1 else [(6, 9), (17, 21)][:count]
    midnight = day_start(day)
    sessions = []
    for first_hour, last_hour in windows:
        # rng.randrange(first_hour, last_hour) and rng.randrange(0, 60, 5)
        hour = first_hour + _below(rng, last_hour - first_hour)
        start = midnight + timedelta(hours=hour, minutes=5 * _below(rng, 12))
        power = (3.7, 7.4, 11.0)[_below(rng, 3)]
        start_soc = _round(rng.uniform(12, 60), 1)
        wanted_hours = rng.uniform(0.75, 4.5)
        energy = min(power * wanted_hours, (MAX_SOC - start_soc) / 100 * capacity)
        end_soc = start_soc + energy / capacity * 100
        hours = energy / power
        end = start + timedelta(seconds=round(hours * 3600))
        day_share = _day_tier_share(start, end)
        total = _round(energy)
        end_soc = _round(end_soc, 2)
        t1 = _round(total * day_share)
        sessions.append(
            {
                "id": ids.new(),
                "start": start,
                "end": end,
                "start_soc": start_soc,
                "end_soc": end_soc,
                "away": rng.random() < 0.2,
                "start_text": iso(start),
                "end_text": iso(end),
                # Published the day after the session ends, at 02:00.
                "created_text": iso(day_start(end.date()) + timedelta(days=1, hours=2)),
                "charge": {
                    "averagePower": {"unit": "kW", "value": power},
                    "start": {"unit": "%", "value": start_soc},
                    "end": {"unit": "%", "value": end_soc},
                    "total": {"t1": t1, "t2": _round(total - t1), "total": total, "unit": "kWh"},
                },
                "range": {
                    "start": {"unit": "km", "value": _round(start_soc / 100 * capacity * KM_PER_KWH, 1)},
                    "end": {"unit": "km", "value": _round(end_soc / 100 * capacity * KM_PER_KWH, 1)},
                },
            }
        )
    return tuple(sessions)


def _below(rng: random.Random, size: int) -> int:
    """``rng.randrange(size)``, drawn by rejection from ``getrandbits`` as ``random`` does it."""
    width = size.bit_length()
    draw = rng.getrandbits(width)
    while draw >= size:
        draw = rng.getrandbits(width)
    return draw


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
    lat, lon = entity.home
    if s["away"]:
        lat, lon = _round(lat + 0.21, 5), _round(lon - 0.13, 5)
    data: dict[str, Any] = {
        "start": s["start_text"],
        "end": s["end_text"],
        "charge": s["charge"],
        "range": s["range"],
        "location": {"latitude": lat, "longitude": lon},
    }
    if not s["away"]:
        data["location"]["address"] = "Home"
        matches = [
            {"accuracy": 0.97, "location": {"id": loc.id, "label": loc.label}} for loc in entity.locations
        ]
        if matches:
            data["locationMatches"] = matches
    return {"id": s["id"], "entityId": entity.id, "created": s["created_text"], "data": data}
