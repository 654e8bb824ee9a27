"""Clocks for the emulator, also usable as the SDK's clock so one test controls both."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime, timedelta, timezone

__all__ = ["DEFAULT_START", "EmulatorClock", "FakeClock", "RealClock"]

DEFAULT_START = datetime(2024, 6, 1, 12, 0, tzinfo=timezone.utc)


class EmulatorClock:
    """What the emulator asks of a clock: the current UTC time."""

    def now(self) -> datetime:
        raise NotImplementedError


class RealClock(EmulatorClock):
    """Wall-clock time (the demo and the command-line server use it)."""

    def now(self) -> datetime:
        return datetime.now(timezone.utc).replace(microsecond=0)

    def monotonic(self) -> float:
        return time.monotonic()

    def time(self) -> float:
        return time.time()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


class FakeClock(EmulatorClock):
    """A clock that moves only when told: ``advance(timedelta(minutes=10))``.

    It also implements the SDK's :class:`realto_async.Clock`, and its ``sleep`` advances time
    at once, so a client built with ``clock=server.clock`` retries and polls without waiting.
    """

    def __init__(self, start: datetime = DEFAULT_START) -> None:
        if start.utcoffset() is None:
            raise ValueError("FakeClock needs a timezone-aware start")
        self._now = start.astimezone(timezone.utc)
        self._start = self._now
        self._monotonic = 1000.0
        self.sleeps: list[float] = []

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta | float) -> None:
        """Move time forward by a timedelta or a number of seconds."""
        seconds = delta.total_seconds() if isinstance(delta, timedelta) else float(delta)
        if seconds < 0:
            raise ValueError("time only moves forward")
        self._now += timedelta(seconds=seconds)
        self._monotonic += seconds

    def rewind(self) -> None:
        """Back to the start time (what resetting the emulator does); ``monotonic()`` still only grows."""
        self._now = self._start

    def monotonic(self) -> float:
        return self._monotonic

    def time(self) -> float:
        return self._now.timestamp()

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.advance(max(0.0, seconds))
        await asyncio.sleep(0)

    def __repr__(self) -> str:
        return f"FakeClock({self._now.isoformat()})"
