"""The emulator's own reader of the API's date-times, independent of the SDK's.

A bug in the SDK's parser must be able to show up in tests against the emulator, so the two
never share code. Accepted: ``YYYY-MM-DDTHH:MM[:SS[.fraction]]`` (``T`` or a space) with ``Z``
or a ``±HH:MM`` / ``±HHMM`` offset, as the platform writes and reads them.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

__all__ = ["EARLIEST", "LATEST", "TimeOutOfRange", "TimeSyntaxError", "parse_api_time"]

_PATTERN = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?"
    r"(?:(Z|z)|([+-])(\d{2}):?(\d{2}))"
)
# One day of headroom at each end, so that the emulator's own arithmetic (aligning to the next
# quarter hour, adding a command's few seconds) never overflows.
EARLIEST = datetime(1, 1, 2, tzinfo=timezone.utc)
LATEST = datetime(9999, 12, 30, tzinfo=timezone.utc)


class TimeSyntaxError(ValueError):
    """Not an ISO-8601 date-time with a zone."""


class TimeOutOfRange(ValueError):
    """A well-formed date-time outside what the emulator can compute with."""


def parse_api_time(text: object) -> datetime:
    """An aware UTC datetime; TimeSyntaxError or TimeOutOfRange otherwise."""
    if not isinstance(text, str):
        raise TimeSyntaxError(text)
    match = _PATTERN.fullmatch(text.strip())
    if match is None:
        raise TimeSyntaxError(text)
    year, month, day, hour, minute, second, fraction, zulu, sign, off_h, off_m = match.groups()
    micro = int((fraction or "0")[:6].ljust(6, "0"))
    offset = timedelta(0)
    if not zulu:
        if int(off_h) > 23 or int(off_m) > 59:
            raise TimeSyntaxError(text)
        offset = timedelta(hours=int(off_h), minutes=int(off_m)) * (-1 if sign == "-" else 1)
    try:
        local = datetime(int(year), int(month), int(day), int(hour), int(minute), int(second or 0), micro)
    except ValueError:  # month 13, February 30, hour 24 ...
        raise TimeSyntaxError(text) from None
    try:
        moment = (local - offset).replace(tzinfo=timezone.utc)
    except OverflowError:
        raise TimeOutOfRange(text) from None
    if not EARLIEST <= moment <= LATEST:
        raise TimeOutOfRange(text)
    return moment
