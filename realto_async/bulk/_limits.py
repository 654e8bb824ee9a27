"""How fast a bulk run may go: a token bucket, one shared 429 pause, and AIMD concurrency."""

from __future__ import annotations

import math

import anyio

from .._clock import Clock

__all__ = ["AdaptiveLimit", "RunGate", "TokenBucket"]

MIN_WAIT = 2e-6  # seconds


class TokenBucket:
    """``rate`` requests per second: one every ``1 / rate`` seconds (the clock's), bursts of up to
    ``burst`` (default 1: none, so no second of the run sees more than the rate, its start
    included)."""

    def __init__(self, rate: float, clock: Clock, burst: float = 1.0) -> None:
        self.rate = rate
        self.capacity = burst
        self._tokens = self.capacity
        self._clock = clock
        self._updated = clock.monotonic()
        self._lock: anyio.Lock | None = None  # made inside the event loop, on first use

    async def acquire(self) -> None:
        """Wait for one token. Callers are served in turn, so none starves."""
        if self._lock is None:
            self._lock = anyio.Lock()
        async with self._lock:
            while True:
                now = self._clock.monotonic()
                self._tokens = min(self.capacity, self._tokens + (now - self._updated) * self.rate)
                self._updated = now
                wait = (1 - self._tokens) / self.rate
                # Within a microsecond of a token is a token: a clock that keeps time in whole
                # microseconds (FakeClock, datetime) would otherwise never quite get there.
                if wait <= MIN_WAIT:
                    self._tokens = max(0.0, self._tokens - 1)
                    return
                await self._clock.sleep(wait)


class AdaptiveLimit:
    """A capacity limiter whose size follows AIMD: halved on a 429, then +1 per window of successes.

    One decrease per pause: the 429s of requests already in flight when the first one came back
    do not shrink it again.
    """

    def __init__(self, ceiling: int) -> None:
        self.ceiling = ceiling
        self._limiter: anyio.CapacityLimiter | None = None  # made inside the event loop
        self._successes = 0
        self.decreases = 0

    @property
    def limiter(self) -> anyio.CapacityLimiter:
        if self._limiter is None:
            self._limiter = anyio.CapacityLimiter(self.ceiling)
        return self._limiter

    async def acquire(self) -> None:
        """Take a slot; without a wait when one is free (anyio's acquire always yields once)."""
        try:
            self.limiter.acquire_nowait()
        except anyio.WouldBlock:
            await self.limiter.acquire()

    def release(self) -> None:
        self.limiter.release()

    @property
    def current(self) -> int:
        return self.ceiling if self._limiter is None else int(self._limiter.total_tokens)

    def decrease(self) -> None:
        self.limiter.total_tokens = max(1, self.current // 2)
        self._successes = 0
        self.decreases += 1

    def succeeded(self) -> None:
        if self.current >= self.ceiling:
            return
        self._successes += 1
        if self._successes >= self.current:
            self._successes = 0
            self.limiter.total_tokens = self.current + 1


class RunGate:
    """What every request of a run passes before it is sent: the shared pause, then the bucket.

    A 429 anywhere in the run sets one pause for everyone (its ``Retry-After``); requests sent
    while it lasts would only be refused too.
    """

    def __init__(self, clock: Clock, limit: AdaptiveLimit, bucket: TokenBucket | None) -> None:
        self._clock = clock
        self.limit = limit
        self._bucket = bucket
        self._paused_until = -math.inf
        self.seconds_throttled = 0.0

    def pause(self, seconds: float) -> None:
        """Hold every request of the run for ``seconds`` from now (overlapping pauses merge)."""
        now = self._clock.monotonic()
        until = now + max(0.0, seconds)
        if until <= self._paused_until:
            return
        if self._paused_until <= now:
            self.limit.decrease()
            self.seconds_throttled += until - now
        else:
            self.seconds_throttled += until - self._paused_until
        self._paused_until = until

    async def wait(self) -> None:
        while True:
            left = self._paused_until - self._clock.monotonic()
            if left <= 0:
                break
            await self._clock.sleep(left)
        if self._bucket is not None:
            await self._bucket.acquire()
