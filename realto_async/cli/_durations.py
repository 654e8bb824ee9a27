"""``--resolution PT1H``: ISO 8601 durations of days, hours, minutes and seconds."""

from __future__ import annotations

import re
from datetime import timedelta

import click

__all__ = ["resolution"]

_DURATION = re.compile(r"^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$")


def parse_duration(text: str) -> timedelta:
    """``PT15M``, ``PT1H``, ``P1D``, ``PT1H30M`` as a timedelta; ValueError otherwise."""
    match = _DURATION.match(text.strip().upper())
    if not match or not any(match.groups()) or text.strip().upper().endswith("T"):
        raise ValueError(f"{text!r} is not an ISO 8601 duration like PT15M, PT1H or P1D")
    days, hours, minutes, seconds = (int(group or 0) for group in match.groups())
    try:
        duration = timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)
    except OverflowError:
        raise ValueError(f"{text!r} is too long an interval; use one like PT15M, PT1H or P1D") from None
    if duration <= timedelta(0):
        raise ValueError(f"{text!r} is no interval at all; use one longer than zero, like PT15M, PT1H or P1D")
    return duration


def resolution(ctx: click.Context, param: click.Parameter, value: str) -> timedelta:
    """A click callback for ``--resolution``."""
    try:
        return parse_duration(value)
    except ValueError as err:
        raise click.BadParameter(str(err), ctx, param) from None
