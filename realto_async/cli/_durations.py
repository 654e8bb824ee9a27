"""``--resolution PT1H``: ISO 8601 durations of days, hours, minutes and seconds."""

from __future__ import annotations

from datetime import timedelta

import click

from .._validate import parse_iso_duration

__all__ = ["resolution"]


def parse_duration(text: str) -> timedelta:
    """``PT15M``, ``PT1H``, ``P1D``, ``PT1H30M`` as a timedelta; ValueError otherwise."""
    parsed = parse_iso_duration(text)
    if parsed is None:
        raise ValueError(f"{text!r} is not an ISO 8601 duration like PT15M, PT1H or P1D")
    if parsed <= timedelta(0):
        raise ValueError(f"{text!r} is no interval at all; use one longer than zero, like PT15M, PT1H or P1D")
    return parsed


def resolution(ctx: click.Context, param: click.Parameter, value: str) -> timedelta:
    """A click callback for ``--resolution``."""
    try:
        return parse_duration(value)
    except ValueError as err:
        raise click.BadParameter(str(err), ctx, param) from None
