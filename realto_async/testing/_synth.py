"""Synthetic charge sessions, computed on demand from the seed (readings: ``_readings``).

Each EV-day's sessions are a pure function of (seed, EV, battery capacity, day): one 64-byte
BLAKE2b digest of the EV's stream and the day gives every draw of that day (how many sessions,
their start, power, state of charge, wanted hours, place and ids). So a session never depends on
the window, page or order it was asked in, and a year is a few hundred digests. States of charge
are on a 0.1% grid and energy is in whole Wh, so a session's energy is its state-of-charge gain
times the battery's capacity, and its JSON is put together from texts made once (only the page
asked for is written). The EV's readings follow its sessions.
"""

from __future__ import annotations

import hashlib
import struct
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache, partial
from typing import Any, NamedTuple

from .._json import HAVE_ORJSON, dumps, stdlib_loads
from ._records import EntityRecord

__all__ = [
    "ANCHOR",
    "DEFAULT_CAPACITY",
    "KM_PER_KWH",
    "MIN_SOC",
    "SYNTH_ORIGIN",
    "Session",
    "day_start",
    "ended_sessions",
    "epoch_day",
    "session_records",
    "session_texts",
    "sessions_of_days",
]

ANCHOR = date(2023, 1, 1)
SYNTH_ORIGIN = datetime(2023, 1, 1, tzinfo=timezone.utc)  # no charge session starts earlier
MIN_SOC = 5.0  # %, the least an EV's readings show
MAX_SOC_TENTHS = 950  # charging stops at 95.0%
KM_PER_KWH = 6.0
DEFAULT_CAPACITY = 60.0  # kWh, for an EV whose battery is not known
DAY = 86400  # seconds
DAY_TIER = (7 * 3600, 22 * 3600)  # the day tariff, 07:00-22:00 UTC (t1); the rest is t2
POWERS = (3.7, 7.4, 11.0)  # kW
SESSION_COUNTS = (0, 1, 1, 1, 2)  # drawn uniformly: how many sessions start on a day
# (first hour, hours wide) of the starts (on a 5-minute grid), by how many sessions there are
START_HOURS = {1: ((18, 4),), 2: ((6, 3), (17, 4))}
START_SOC_TENTHS = (120, 481)  # the start SoC: 12.0% + 0.1% x (0 to 480)
WANTED_HOURS = (0.75, 4.5)  # how long the driver would charge, were the battery not full first
AWAY_ONE_IN = 5  # one session in five is away from home
AWAY_OFFSET = (0.21, -0.13)  # degrees of latitude and longitude from home
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
EPOCH_ORDINAL = EPOCH.date().toordinal()
SECOND = timedelta(seconds=1)
# A day's digest: 32-bit draws (word 0: how many; then for each session a packed pick of start,
# power and place, its start SoC and its wanted hours) and the sessions' ids (bytes 32-63).
_WORDS = struct.Struct("<7I").unpack_from
_ID_BYTES = (32, 48)
_UNIT = 1 / 2**32


class Session(NamedTuple):
    """One charge session, as its record and the EV's readings need it."""

    id: str
    start: int  # UTC, seconds since the Unix epoch
    end: int
    power: float  # kW
    start_tenths: int  # state of charge, in 0.1%
    end_tenths: int
    energy_wh: int
    day_tier_wh: int  # the part charged 07:00-22:00 UTC
    away: bool


_new_session = partial(tuple.__new__, Session)  # without NamedTuple's keyword handling


def day_start(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=timezone.utc)


def epoch_day(day: date) -> int:
    """Days since 1970-01-01."""
    return day.toordinal() - EPOCH_ORDINAL


# ------------------------------------------------------------------------ generation


@lru_cache(maxsize=1024)
def _stream(seed: int | str, entity_id: str) -> Any:
    """The EV's hash, started once; each day's draws come from a copy of it fed the day."""
    return hashlib.blake2b(f"{seed}:{entity_id}:charge-sessions".encode(), digest_size=64)


_VARIANT = ["89ab"[byte >> 4 & 3] for byte in range(256)]  # RFC 4122's variant, as a hex digit


def _uuid4_text(digest: bytes, at: int) -> str:
    """The 16 bytes of ``digest`` from ``at`` as a version 4 UUID's text."""
    text = digest[at : at + 16].hex()
    return f"{text[:8]}-{text[8:12]}-4{text[13:16]}-{_VARIANT[digest[at + 8]]}{text[17:20]}-{text[20:]}"


def _start_picks(first_hour: int, hours_wide: int) -> tuple[tuple[int, float, bool], ...]:
    """Every (start in seconds after midnight, power, away) a session's packed pick may give:
    the pick modulo their number indexes them, each equally likely."""
    return tuple(
        (first_hour * 3600 + hour * 3600 + five_minutes * 300, power, away == 0)
        for away in range(AWAY_ONE_IN)
        for power in POWERS
        for five_minutes in range(12)
        for hour in range(hours_wide)
    )


# By the day's first draw modulo len(SESSION_COUNTS): the choices of each session starting that day.
_DAY_PICKS = tuple(
    tuple(_start_picks(*hours) for hours in START_HOURS.get(count, ())) for count in SESSION_COUNTS
)


@lru_cache(maxsize=64)
def _charging(capacity: float) -> dict[float, tuple[float, float, float]]:
    """By power: the SoC gain (0.1%) of the shortest wanted charge plus 0.5 (what rounds it),
    its growth per 32-bit draw, and the seconds each Wh takes; the gain is at least 0.1% whatever
    the battery's capacity."""
    found = {}
    for power in POWERS:
        per_hour = power / capacity * 1000  # 0.1% an hour
        least = max(1.0, per_hour * WANTED_HOURS[0] + 0.5)
        found[power] = (least, per_hour * (WANTED_HOURS[1] - WANTED_HOURS[0]) * _UNIT, 3.6 / power)
    return found


def _sessions_of_day(stream: Any, capacity: float, day: int) -> tuple[Session, ...]:
    """The sessions starting on ``day`` (days since 1970-01-01) of the EV whose :func:`_stream`
    it is, in start order."""
    hashed = stream.copy()
    hashed.update(day.to_bytes(4, "little", signed=True))
    digest = hashed.digest()
    words = _WORDS(digest)
    picks = _DAY_PICKS[words[0] % len(SESSION_COUNTS)]
    if not picks:
        return ()
    charging = _charging(capacity)
    midnight = day * DAY
    # Sessions start 06:00-21:55 and last at most 4.5 hours: none reaches the next day's tier.
    tier_start, tier_end = midnight + DAY_TIER[0], midnight + DAY_TIER[1]
    sessions = []
    for number, choices in enumerate(picks):
        offset, power, away = choices[words[1 + 3 * number] % len(choices)]
        least, per_draw, seconds_per_wh = charging[power]
        start = midnight + offset
        start_tenths = START_SOC_TENTHS[0] + (words[2 + 3 * number] * START_SOC_TENTHS[1] >> 32)
        gain = int(least + per_draw * words[3 + 3 * number])
        if gain > MAX_SOC_TENTHS - start_tenths:
            gain = MAX_SOC_TENTHS - start_tenths
        energy_wh = round(gain * capacity)  # 0.1% of a capacity in kWh is that many Wh
        seconds = round(energy_wh * seconds_per_wh) or 1
        end = start + seconds
        in_day_tier = (end if end < tier_end else tier_end) - (start if start > tier_start else tier_start)
        sessions.append(
            _new_session(
                (
                    _uuid4_text(digest, _ID_BYTES[number]),
                    start,
                    end,
                    power,
                    start_tenths,
                    start_tenths + gain,
                    energy_wh,
                    energy_wh * in_day_tier // seconds if in_day_tier > 0 else 0,
                    away,
                )
            )
        )
    return tuple(sessions)


@lru_cache(maxsize=65536)
def _kept_sessions_of_day(seed: int | str, entity_id: str, capacity: float, day: int) -> tuple[Session, ...]:
    return _sessions_of_day(_stream(seed, entity_id), capacity, day)


def sessions_of_days(
    seed: int | str, entity: EntityRecord, first: int, last: int, *, keep: bool = True
) -> list[Session]:
    """The EV's sessions starting on days ``first`` to ``last`` (days since 1970-01-01); ``keep``
    keeps each day's in a cache (for readings, which ask for each day four times)."""
    capacity = entity.battery_capacity or DEFAULT_CAPACITY
    found: list[Session] = []
    if keep:
        for day in range(first, last + 1):
            found.extend(_kept_sessions_of_day(seed, entity.id, capacity, day))
    else:
        stream = _stream(seed, entity.id)
        for day in range(first, last + 1):
            found.extend(_sessions_of_day(stream, capacity, day))
    return found


def _ceil_seconds(moment: datetime) -> int:
    return -((EPOCH - moment) // SECOND)


def ended_sessions(
    seed: int | str, entity: EntityRecord, start: datetime, end: datetime, now: datetime
) -> list[Session]:
    """The EV's sessions starting in [start, end) that ended by ``now``: the platform publishes
    a session only once it is over."""
    since, until, ended_by = _ceil_seconds(start), _ceil_seconds(end), (now - EPOCH) // SECOND
    if until <= since:
        return []
    return [
        session
        for session in sessions_of_days(seed, entity, since // DAY, (until - 1) // DAY, keep=False)
        if since <= session.start < until and session.end <= ended_by
    ]


# ------------------------------------------------------------------------ the records


@lru_cache(maxsize=4096)
def _day_text(day: int) -> str:
    return date.fromordinal(day + EPOCH_ORDINAL).isoformat()


_MINUTES = [f"T{minute // 60:02d}:{minute % 60:02d}:" for minute in range(1440)]
_SECONDS = [f"{second:02d}Z" for second in range(60)]
_THOUSANDTHS = [f".{part:03d}" for part in range(1000)]
_PERCENT = [repr(tenths / 10) for tenths in range(1001)]  # 0.1% steps as JSON numbers
_POWER = {power: repr(power) for power in POWERS}


def _stamp(seconds: int) -> str:
    """UTC seconds since the Unix epoch as the API writes times."""
    day, rest = divmod(seconds, DAY)
    minute, second = divmod(rest, 60)
    return _day_text(day) + _MINUTES[minute] + _SECONDS[second]


def _kwh(wh: int) -> str:
    """Wh as a JSON number of kWh, to the Wh."""
    whole, part = divmod(wh, 1000)
    return str(whole) + _THOUSANDTHS[part]


@lru_cache(maxsize=64)
def _range_texts(capacity: float) -> tuple[str, ...]:
    """The range (km) at each 0.1% of charge of a battery of ``capacity`` kWh, as JSON numbers."""
    return tuple(repr(round(tenths / 1000 * capacity * KM_PER_KWH, 1)) for tenths in range(1001))


def _place_texts(entity: EntityRecord) -> tuple[str, str]:
    """The JSON of a session's place at home (with its location matches) and away from home."""
    lat, lon = entity.home
    at_home: dict[str, Any] = {"location": {"latitude": lat, "longitude": lon, "address": "Home"}}
    if entity.locations:
        at_home["locationMatches"] = [
            {"accuracy": 0.97, "location": {"id": loc.id, "label": loc.label}} for loc in entity.locations
        ]
    away = {
        "location": {"latitude": round(lat + AWAY_OFFSET[0], 5), "longitude": round(lon + AWAY_OFFSET[1], 5)}
    }
    return dumps(at_home).decode()[1:-1], dumps(away).decode()[1:-1]


def session_texts(entity: EntityRecord, sessions: list[Session]) -> list[str]:
    """The sessions as the JSON texts of re.alto charging records (both dialects name them
    alike), written from parts made once per EV or once for all."""
    ranges = _range_texts(entity.battery_capacity or DEFAULT_CAPACITY)
    at_home, away = _place_texts(entity)
    head = f'","entityId":"{entity.id}","created":"'
    texts = []
    for s in sessions:
        texts.append(
            f'{{"id":"{s.id}{head}{_day_text(s.end // DAY + 1)}T02:00:00Z",'  # published the next day
            f'"data":{{"start":"{_stamp(s.start)}","end":"{_stamp(s.end)}",'
            f'"charge":{{"averagePower":{{"unit":"kW","value":{_POWER[s.power]}}},'
            f'"start":{{"unit":"%","value":{_PERCENT[s.start_tenths]}}},'
            f'"end":{{"unit":"%","value":{_PERCENT[s.end_tenths]}}},'
            f'"total":{{"t1":{_kwh(s.day_tier_wh)},"t2":{_kwh(s.energy_wh - s.day_tier_wh)},'
            f'"total":{_kwh(s.energy_wh)},"unit":"kWh"}}}},'
            f'"range":{{"start":{{"unit":"km","value":{ranges[s.start_tenths]}}},'
            f'"end":{{"unit":"km","value":{ranges[s.end_tenths]}}}}},'
            f"{away if s.away else at_home}}}}}"
        )
    return texts


def session_records(entity: EntityRecord, sessions: list[Session]) -> list[Any]:
    """The sessions' records, ready for :func:`realto_async._json.dumps`: their JSON as orjson
    fragments (nothing to encode again), or as dicts where orjson is missing."""
    texts = session_texts(entity, sessions)
    if HAVE_ORJSON:
        from orjson import Fragment

        return [Fragment(text) for text in texts]
    return [stdlib_loads(text) for text in texts]  # pragma: no cover - orjson is a dependency
