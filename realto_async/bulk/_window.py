"""The time window of a bulk run, fixed once when the run is made: ``[start, end)`` in UTC."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from .._errors import InvalidArgumentError
from .._validate import check_aware

__all__ = ["resolve_window"]


def resolve_window(start: object, end: object, now: datetime) -> tuple[datetime, datetime]:
    """``(start, end)`` in UTC from a run's arguments: ``start`` an aware datetime or a positive
    ``timedelta`` back from ``now`` (not from ``end``); ``end`` an aware datetime, None for
    ``now``. Raises :class:`InvalidArgumentError` when either is of the wrong kind or when
    ``end`` is before ``start``, before anything is sent."""
    last = now if end is None else check_aware(end, "end")
    if isinstance(start, timedelta):
        if start <= timedelta(0):
            raise InvalidArgumentError(f"start as a timedelta must be positive (back from now), got {start}")
        first = now - start
        given = f"start ({first.isoformat()}, {start} before now)"
    elif isinstance(start, datetime):
        first = check_aware(start, "start")
        given = f"start ({first.isoformat()})"
    else:
        raise InvalidArgumentError(f"start must be a datetime or a timedelta, got {type(start).__name__}")
    if last < first:
        raise InvalidArgumentError(
            f"end ({last.isoformat()}) is before {given}: give an end after the start, or leave "
            "end out for now"
        )
    return first.astimezone(timezone.utc), last.astimezone(timezone.utc)
