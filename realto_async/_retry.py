"""Retry policy, backoff and ``Retry-After`` parsing: pure logic, no I/O."""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable
from email.utils import parsedate_to_datetime
from typing import Any

import attrs

from ._errors import ConfigurationError, RealtoError

__all__ = ["RetryEvent", "RetryHook", "RetryPolicy", "parse_retry_after"]

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})


@attrs.define(frozen=True, slots=True)
class RetryEvent:
    """Passed to ``on_retry`` before the SDK sleeps and tries again.

    ``attempt`` is the retry about to be made (1 for the first retry), ``delay`` the seconds
    it will wait first, ``error`` what went wrong with the previous attempt.
    """

    attempt: int
    delay: float
    error: RealtoError


RetryHook = Callable[[RetryEvent], Awaitable[None] | None]


def _check_non_negative(instance: object, attribute: attrs.Attribute[Any], value: float) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < float("inf"):
        raise ConfigurationError(f"RetryPolicy.{attribute.name} must be a finite number >= 0, got {value!r}")


@attrs.define(frozen=True, slots=True)
class RetryPolicy:
    """When and how long to wait before trying a failed call again.

    Backoff is exponential with full jitter: the n-th retry waits a random time in
    ``[0, min(max_delay, initial_delay * multiplier ** (n - 1))]``. A ``Retry-After`` the
    server sends replaces the computed delay when it fits the call's deadline.

    ``max_retries`` bounds the retries after errors (5xx, dropped connections, unreadable
    answers to reads). A 429 whose ``Retry-After`` fits the call's deadline is waited out
    without using that budget, at most ``max_rate_limit_waits`` times per call.
    """

    max_retries: int = attrs.field(default=2, validator=_check_non_negative)
    initial_delay: float = attrs.field(default=0.5, validator=_check_non_negative)
    max_delay: float = attrs.field(default=8.0, validator=_check_non_negative)
    multiplier: float = attrs.field(default=2.0, validator=_check_non_negative)
    retry_statuses: frozenset[int] = frozenset({408, 425, 429, 500, 502, 503, 504})
    respect_retry_after: bool = True
    max_rate_limit_waits: int = attrs.field(default=10, validator=_check_non_negative)

    def backoff(self, retry_number: int, rng: Callable[[], float] = random.random) -> float:
        """Seconds to wait before retry ``retry_number`` (1-based), with full jitter."""
        if retry_number < 1:
            raise ValueError("retry_number starts at 1")
        ceiling = min(self.max_delay, self.initial_delay * self.multiplier ** (retry_number - 1))
        return ceiling * rng()

    def retries_status(self, status: int) -> bool:
        """Whether an answer with this status may be retried (method rules aside)."""
        return status in self.retry_statuses

    @staticmethod
    def method_is_idempotent(method: str) -> bool:
        """GET, PUT and DELETE may be repeated; POST and PATCH only if never sent."""
        return method.upper() in IDEMPOTENT_METHODS


def parse_retry_after(value: str | None, now: float) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta seconds or an HTTP date).

    ``now`` is the current Unix time. Returns ``None`` for a missing or unreadable header;
    a date in the past gives ``0.0``.
    """
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            return None
        return max(0.0, when.timestamp() - now)
    if seconds != seconds or seconds in (float("inf"), float("-inf")):
        return None
    return max(0.0, seconds)
