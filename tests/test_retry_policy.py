"""The pure parts of retrying: backoff bounds and Retry-After parsing."""

from __future__ import annotations

from datetime import datetime, timezone
from email.utils import format_datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from realto_async import RetryPolicy
from realto_async._retry import parse_retry_after

NOW = 1_700_000_000.0


@given(st.integers(1, 30), st.floats(0, 1, exclude_max=True))
def test_backoff_is_full_jitter_under_a_capped_exponential(retry: int, draw: float) -> None:
    policy = RetryPolicy(initial_delay=0.5, max_delay=8.0, multiplier=2.0)
    ceiling = min(8.0, 0.5 * 2 ** (retry - 1))
    delay = policy.backoff(retry, rng=lambda: draw)
    assert 0 <= delay <= ceiling
    assert delay == pytest.approx(ceiling * draw)


def test_backoff_uses_randomness_and_rejects_retry_zero() -> None:
    policy = RetryPolicy()
    assert len({policy.backoff(3) for _ in range(20)}) > 1
    with pytest.raises(ValueError, match="starts at 1"):
        policy.backoff(0)
    with pytest.raises(ValueError, match=">= 0"):
        RetryPolicy(initial_delay=-1)


def test_method_and_status_rules() -> None:
    policy = RetryPolicy()
    assert {m for m in ("GET", "PUT", "DELETE", "POST", "PATCH") if policy.method_is_idempotent(m)} == {
        "GET",
        "PUT",
        "DELETE",
    }
    assert [
        s for s in (400, 401, 408, 409, 425, 429, 500, 501, 502, 503, 504) if policy.retries_status(s)
    ] == [
        408,
        425,
        429,
        500,
        502,
        503,
        504,
    ]


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("2", 2.0),
        (" 1.5 ", 1.5),
        ("0", 0.0),
        ("-3", 0.0),
        (format_datetime(datetime.fromtimestamp(NOW + 30, tz=timezone.utc), usegmt=True), 30.0),
        (format_datetime(datetime.fromtimestamp(NOW - 30, tz=timezone.utc), usegmt=True), 0.0),
        (None, None),
        ("", None),
        ("soon", None),
        ("nan", None),
        ("inf", None),
        ("Wed, 21 Oct 2015 07:28:00", None),  # a date without a zone cannot be trusted
    ],
)
def test_parse_retry_after(header: str | None, expected: float | None) -> None:
    assert parse_retry_after(header, NOW) == expected
