"""Checks on arguments, made before any request is sent."""

from __future__ import annotations

import enum
import functools
import logging
import re
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any, TypeVar

from ._convert import format_datetime
from ._errors import InvalidArgumentError
from ._json import find_unencodable
from ._types import finite_number

__all__ = [
    "check_callable",
    "check_enum",
    "check_json",
    "check_name_segment",
    "check_number",
    "check_optional_str",
    "check_page_size",
    "check_resolution",
    "check_time_range",
    "check_uuid",
    "format_time",
    "parse_iso_duration",
    "time_frame",
]

logger = logging.getLogger("realto")
E = TypeVar("E", bound=enum.Enum)
MAX_PAGE_SIZE = 1000
_CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def check_uuid(value: object, name: str) -> str:
    """The canonical string of a UUID given as ``str`` or :class:`uuid.UUID`."""
    if isinstance(value, uuid.UUID):
        return str(value)
    if not isinstance(value, str):
        raise InvalidArgumentError(f"{name} must be a UUID string, got {type(value).__name__}")
    if _CANONICAL_UUID.fullmatch(value):
        return value
    try:
        parsed = uuid.UUID(value)
    except ValueError:
        raise InvalidArgumentError(
            f"{name} must be a UUID like '3c90c3cc-0d44-4b50-8888-8dd25736052a', got {value!r}"
        ) from None
    return str(parsed)


def check_aware(value: object, name: str) -> datetime:
    """``value`` when it is a timezone-aware datetime; InvalidArgumentError otherwise."""
    if not isinstance(value, datetime):
        raise InvalidArgumentError(f"{name} must be a datetime, got {type(value).__name__}")
    if value.utcoffset() is None:
        raise InvalidArgumentError(
            f"{name} is a naive datetime ({value.isoformat()}): give it a timezone, e.g. "
            "datetime(2024, 5, 1, tzinfo=timezone.utc), so the SDK does not guess"
        )
    return value


def format_time(value: object, name: str) -> str:
    """An aware datetime as the API's ISO-8601; naive datetimes are refused."""
    return format_datetime(check_aware(value, name))


def check_time_range(start: object, end: object | None) -> tuple[str, str | None]:
    """``start`` and optional ``end`` as API strings, with ``start <= end`` checked."""
    start_text = format_time(start, "start")
    if end is None:
        return start_text, None
    end_text = format_time(end, "end")
    # As instants: two times of one zone compare by wall clock in Python, wrong across a DST fold.
    if isinstance(start, datetime) and isinstance(end, datetime) and _instant(end) < _instant(start):
        raise InvalidArgumentError(
            f"end ({end_text}) is before start ({start_text}) as instants: swap them, or check their "
            "time zones"
        )
    return start_text, end_text


def time_frame(start: object, end: object | None) -> dict[str, str]:
    """The ``start`` (and ``end``, when given) query parameters of a time-frame listing."""
    start_text, end_text = check_time_range(start, end)
    return {"start": start_text} if end_text is None else {"start": start_text, "end": end_text}


def check_enum(value: object, enum_cls: type[E], name: str) -> str:
    """The wire value of an enum argument; unknown strings pass with a warning."""
    if isinstance(value, enum_cls):
        return str(value.value)
    if not isinstance(value, str) or not value:
        raise InvalidArgumentError(
            f"{name} must be a {enum_cls.__name__} or a non-empty string, got {value!r}"
        )
    known = _values_of(enum_cls)
    if value not in known:
        logger.warning(
            "%s=%r is not a %s this SDK knows (%s); sending it anyway",
            name,
            value,
            enum_cls.__name__,
            ", ".join(sorted(known)),
        )
    return value


@functools.cache
def _values_of(enum_cls: type[enum.Enum]) -> frozenset[str]:
    return frozenset(str(member.value) for member in enum_cls)


def check_page_size(value: object) -> int | None:
    """``page_size`` between 1 and 1000, or None for the server's default."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_PAGE_SIZE:
        raise InvalidArgumentError(f"page_size must be an int from 1 to {MAX_PAGE_SIZE}, got {value!r}")
    return value


def check_max_items(value: object) -> int | None:
    """``max_items`` >= 0, or None for no limit."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidArgumentError(f"max_items must be an int >= 0, got {value!r}")
    return value


def _instant(value: datetime) -> datetime:
    return value.astimezone(timezone.utc)


_ISO_DURATION = re.compile(
    r"P(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?",
    re.ASCII,  # ISO 8601's digits only
)


def parse_iso_duration(text: str) -> timedelta | None:
    """An ISO 8601 duration of weeks, days, hours, minutes and seconds (``PT15M``, ``PT1H``,
    ``P1D``, ``PT1H30M``) as a timedelta; None when ``text`` is not one. Years and months are not
    durations of a fixed length and are not taken."""
    cleaned = text.strip().upper()
    found = _ISO_DURATION.fullmatch(cleaned)
    if found is None or not any(found.groups()) or cleaned.endswith("T"):
        return None
    parts = {name: float(value) for name, value in found.groupdict().items() if value is not None}
    try:
        return timedelta(**parts)
    except OverflowError:
        return None


def check_resolution(value: object, name: str = "resolution") -> timedelta:
    """An interval length given as a timedelta or an ISO 8601 duration string (``"PT15M"``,
    ``"PT1H"``, ``"P1D"``): a positive whole number of minutes, as a timedelta."""
    if isinstance(value, str):
        parsed = parse_iso_duration(value)
        if parsed is None:
            raise InvalidArgumentError(
                f"{name} must be a timedelta or an ISO 8601 duration such as 'PT15M', 'PT1H' or 'P1D', "
                f"got {value!r}"
            )
        value = parsed
    if not isinstance(value, timedelta):
        raise InvalidArgumentError(
            f"{name} must be a timedelta or an ISO 8601 duration string such as 'PT1H', "
            f"got {type(value).__name__}"
        )
    total = value.total_seconds()
    if total <= 0 or total % 60:
        raise InvalidArgumentError(f"{name} must be a positive whole number of minutes, got {value}")
    return value


def seconds(value: object, name: str) -> float:
    """A duration given as seconds or a timedelta, in seconds (finite, >= 0)."""
    if isinstance(value, timedelta):
        value = value.total_seconds()
    number = finite_number(value)
    if number is None or not number >= 0:
        raise InvalidArgumentError(
            f"{name} must be a finite number of seconds >= 0 or a timedelta, got {value!r}"
        )
    return number


def check_number(value: object, name: str, *, minimum: float | None = None, unit: str = "") -> float:
    """A finite int or float (not a bool), at least ``minimum`` when given."""
    if finite_number(value) is None:  # an int beyond any float (10**400) too
        raise InvalidArgumentError(f"{name} must be a finite number{unit}, got {value!r}")
    assert isinstance(value, (int, float))
    if minimum is not None and value < minimum:
        raise InvalidArgumentError(f"{name} must be >= {minimum:g}{unit}, got {value!r}")
    return value


def check_optional_str(value: object, name: str, *, non_empty: bool = True) -> str | None:
    """None, or a str (non-empty unless said otherwise)."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidArgumentError(f"{name} must be a str, got {type(value).__name__}")
    if non_empty and not value.strip():
        raise InvalidArgumentError(f"{name} must not be empty")
    return value


def check_callable(value: object, name: str) -> Callable[..., Any] | None:
    """None or a callable."""
    if value is not None and not callable(value):
        raise InvalidArgumentError(f"{name} must be a callable (or None), got {type(value).__name__}")
    return value


def check_json(value: object, name: str) -> Any:
    """A free-form JSON value (dicts with str keys, lists, str, int, finite float, bool, None)."""
    problem = find_unencodable(value, name)
    if problem is not None:
        raise InvalidArgumentError(
            f"{problem}; {name} must hold only dicts with str keys, lists, str, int, finite float, "
            "bool and None"
        )
    return value


# A name used as one path segment (a feature or disaggregator name): letters, digits, '_' and '-'.
# Anything else ('/', '?', '#', '%', '.', spaces, control characters) could change the URL, so it
# is refused rather than sent.
_NAME_SEGMENT = re.compile(r"[A-Za-z0-9_-]{1,200}")


def check_name_segment(value: object, name: str) -> str:
    """A name that goes into the path as one segment: ``[A-Za-z0-9_-]``, 1 to 200 characters."""
    if not isinstance(value, str) or not _NAME_SEGMENT.fullmatch(value):
        raise InvalidArgumentError(
            f"{name} must be a name of letters, digits, '_' and '-' (it becomes part of the URL), "
            f"got {value!r}"
        )
    return value
