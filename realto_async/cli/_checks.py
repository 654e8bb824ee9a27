"""Option values checked before any request: finite numbers in range, entity ids that are UUIDs,
readable text files, writable output and state locations."""

from __future__ import annotations

import math
import os
import uuid
from pathlib import Path

import click

from .._errors import InvalidArgumentError
from .._validate import check_uuid

__all__ = ["MIN_RATE", "check_writable", "entity_id", "finite", "read_ids", "rate"]

MIN_RATE = 0.01  # requests per second: one request every 100 s; anything slower never finishes


def finite(
    ctx: click.Context, param: click.Parameter, value: float | None, *, positive: bool = False
) -> float | None:
    """A click callback refusing NaN, infinities and (when ``positive``) zero or less."""
    if value is None:
        return None
    if not math.isfinite(value):
        raise click.BadParameter(f"{value} is not a finite number of seconds", ctx, param)
    if positive and value <= 0:
        raise click.BadParameter(f"{value:g} must be more than 0", ctx, param)
    if value < 0:
        raise click.BadParameter(f"{value:g} must not be negative", ctx, param)
    return value


def positive_finite(ctx: click.Context, param: click.Parameter, value: float | None) -> float | None:
    """A click callback for seconds that must be finite and more than 0."""
    return finite(ctx, param, value, positive=True)


def rate(ctx: click.Context, param: click.Parameter, value: float | None) -> float | None:
    """``--rate``: requests per second, finite and at least :data:`MIN_RATE`."""
    if value is None:
        return None
    if not math.isfinite(value) or value < MIN_RATE:
        raise click.BadParameter(
            f"{value:g} requests per second is below the minimum of {MIN_RATE:g} (one request every "
            f"{1 / MIN_RATE:g} s) or not a number; leave --rate out for no limit",
            ctx,
            param,
        )
    return value


def entity_id(value: str, where: str) -> str:
    """The canonical id of ``value``, or a usage error naming ``where`` it came from."""
    try:
        return check_uuid(value, "entity id")
    except InvalidArgumentError as err:
        raise click.BadParameter(str(err), param_hint=where) from None


def read_ids(path: Path) -> list[str]:
    """The entity ids listed in ``path`` (one a line, ``#`` comments), each checked to be a UUID."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        raise click.BadParameter(
            f"{path} is not UTF-8 text ({err.reason} at byte {err.start}): list one entity id a line",
            param_hint="--entities-file",
        ) from None
    except OSError as err:
        raise click.BadParameter(
            f"cannot read {path}: {err.strerror or err}", param_hint="--entities-file"
        ) from None
    ids = []
    for number, line in enumerate(text.splitlines(), start=1):
        value = line.split("#", 1)[0].strip()
        if value:
            ids.append(entity_id(value, f"--entities-file line {number}"))
    return ids


def check_writable(path: Path, option: str) -> None:
    """Create and remove a temporary file next to ``path`` (where the export writes its own), or
    raise a usage error naming ``option``: a run must not fetch everything and then fail to
    write."""
    if path.is_dir():
        raise click.BadParameter(f"{path} is a directory; give a file name", param_hint=option)
    probe = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.probe")
    try:
        with open(probe, "wb"):
            pass
        os.unlink(probe)
    except OSError as err:
        raise click.BadParameter(
            f"cannot write next to {path}: {err.strerror or err} (choose a writable directory)",
            param_hint=option,
        ) from None
