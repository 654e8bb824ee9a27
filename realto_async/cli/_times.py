"""``--since 30d`` / ``--since 2024-06-01``: UTC instants from the command line."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import click

__all__ = ["INSTANT", "instant", "parse_instant"]

INSTANT = "30d|DATE"
_RELATIVE = re.compile(r"^(\d+)([dhm])$", re.ASCII)
_UNITS = {"d": "days", "h": "hours", "m": "minutes"}


def parse_instant(text: str, now: datetime | None = None) -> datetime:
    """``30d``, ``12h`` or ``90m`` back from now, or an ISO 8601 date or time (no zone: UTC).
    Raises ValueError saying what is accepted."""
    text = text.strip()
    relative = _RELATIVE.match(text)
    if relative:
        try:
            amount = timedelta(**{_UNITS[relative.group(2)]: int(relative.group(1))})
            return (now or datetime.now(timezone.utc)) - amount
        except OverflowError:
            raise ValueError(
                f"{text!r} reaches back before the year 1; give at most a few thousand years"
            ) from None
    try:
        moment = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
    except ValueError:
        raise ValueError(
            f"{text!r} is neither a duration back from now (30d, 12h, 90m) nor an ISO date (2024-06-01)"
        ) from None
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)


def instant(ctx: click.Context, param: click.Parameter, value: str | None) -> datetime | None:
    """A click callback turning the option's text into an aware UTC datetime."""
    if value is None:
        return None
    try:
        return parse_instant(value)
    except ValueError as err:
        raise click.BadParameter(str(err), ctx, param) from None
