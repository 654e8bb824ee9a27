"""Checks on arguments, made before any request is sent."""

from __future__ import annotations

import enum
import functools
import logging
import re
import uuid
from datetime import datetime, timedelta
from typing import TypeVar

from ._convert import format_datetime
from ._errors import InvalidArgumentError

__all__ = ["check_enum", "check_page_size", "check_time_range", "check_uuid", "format_time", "time_frame"]

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


def format_time(value: object, name: str) -> str:
    """An aware datetime as the API's ISO-8601; naive datetimes are refused."""
    if not isinstance(value, datetime):
        raise InvalidArgumentError(f"{name} must be a datetime, got {type(value).__name__}")
    if value.utcoffset() is None:
        raise InvalidArgumentError(
            f"{name} is a naive datetime ({value.isoformat()}): give it a timezone, e.g. "
            "datetime(2024, 5, 1, tzinfo=timezone.utc), so the SDK does not guess"
        )
    return format_datetime(value)


def check_time_range(start: object, end: object | None) -> tuple[str, str | None]:
    """``start`` and optional ``end`` as API strings, with ``start <= end`` checked."""
    start_text = format_time(start, "start")
    if end is None:
        return start_text, None
    end_text = format_time(end, "end")
    if isinstance(start, datetime) and isinstance(end, datetime) and end < start:
        raise InvalidArgumentError(f"end ({end.isoformat()}) is before start ({start.isoformat()})")
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


def seconds(value: object, name: str) -> float:
    """A duration given as seconds or a timedelta, in seconds."""
    if isinstance(value, timedelta):
        value = value.total_seconds()
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise InvalidArgumentError(f"{name} must be seconds (>= 0) or a timedelta, got {value!r}")
    return float(value)
