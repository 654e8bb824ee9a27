"""Polling an operation until it reaches a final state, with backoff and jitter."""

from __future__ import annotations

import inspect
import random
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from ._clock import Clock
from ._errors import OperationTimeoutError
from ._validate import check_callable, seconds

if TYPE_CHECKING:
    from .models import Command, OffboardingRequest, OnboardingRequest

__all__ = ["UpdateHook", "poll_until_final"]

T = TypeVar("T")
S = TypeVar("S", bound="OnboardingRequest | Command | OffboardingRequest")
UpdateHook = Callable[[T], Awaitable[None] | None]
"""``on_update=`` of ``wait()``: called with each newly polled state (an async callable is awaited)."""
BACKOFF = 1.5
MAX_INTERVAL_FACTOR = 8.0


def _status(state: Any) -> str:
    return str(getattr(state, "status", state))


async def poll_until_final(
    fetch: Callable[[], Awaitable[S]],
    *,
    is_final: Callable[[S], bool],
    what: str,
    clock: Clock,
    timeout: float | timedelta,
    poll_interval: float | timedelta,
    on_update: UpdateHook[S] | None,
) -> S:
    """Fetch until ``is_final``; ``on_update`` sees each new status; raise on timeout."""
    limit = seconds(timeout, "timeout")
    interval = seconds(poll_interval, "poll_interval")
    if interval <= 0:
        interval = 0.1
    check_callable(on_update, "on_update")
    deadline = clock.monotonic() + limit
    previous: str | None = None
    polls = 0
    while True:
        state = await fetch()
        status = _status(state)
        if on_update is not None and status != previous:
            outcome = on_update(state)
            if inspect.isawaitable(outcome):
                await outcome
        previous = status
        if is_final(state):
            return state
        remaining = deadline - clock.monotonic()
        if remaining <= 0:
            raise OperationTimeoutError(
                f"{what} was still {status} after {limit:g}s; wait longer (timeout=) or check it later",
                last_state=state,
            )
        delay = min(interval * BACKOFF**polls, interval * MAX_INTERVAL_FACTOR) * random.uniform(0.8, 1.2)
        await clock.sleep(min(delay, remaining))
        polls += 1
