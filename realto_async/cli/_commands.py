"""``realto commands trigger|list``."""

from __future__ import annotations

from datetime import datetime

import click

from .._client import AsyncRealtoClient
from ..models import Command
from ._checks import positive_finite
from ._context import run, settings, with_format
from ._output import emit
from ._times import INSTANT, instant

__all__ = ["commands"]

_SUMMARY = ("id", "type", "value", "status", "trigger_time")


@click.group()
def commands() -> None:
    """Commands sent to an entity (start or stop charging, limit feed-in, …)."""


@commands.command("trigger")
@click.argument("entity_id")
@click.argument("command_type", metavar="TYPE")
@click.option("--value", help="the command's value, e.g. the feed-in limit in W for LimitFeedIn")
@click.option(
    "--ignore-cooldown", is_flag=True, help="send even within 10 minutes of the entity's last command"
)
@click.option("--wait", is_flag=True, help="wait until the command succeeded, failed or was canceled")
@click.option(
    "--wait-timeout",
    type=float,
    callback=positive_finite,
    default=600.0,
    show_default=True,
    help="seconds to wait at most",
)
@with_format
def trigger(
    entity_id: str,
    command_type: str,
    value: str | None,
    ignore_cooldown: bool,
    wait: bool,
    wait_timeout: float,
    format_: str | None,
) -> None:
    """Send a command now (POST /v1/entities/{id}/commands); never sent twice."""

    async def work(client: AsyncRealtoClient) -> Command:
        command = await client.commands.trigger(
            entity_id, type=command_type, value=value, ignore_cooldown=ignore_cooldown
        )
        if wait:
            command = await client.commands.wait(entity_id, command.id, timeout=wait_timeout)
        return command

    emit([run(work)], settings().output_format(format_), many=False, summary=_SUMMARY)


@commands.command("list")
@click.argument("entity_id")
@click.option(
    "--since",
    metavar=INSTANT,
    callback=instant,
    required=True,
    help="from: 30d, 12h, 90m back, or a date (UTC)",
)
@click.option("--until", metavar=INSTANT, callback=instant, default=None, help="up to (default: now)")
@with_format
def list_commands(entity_id: str, since: datetime, until: datetime | None, format_: str | None) -> None:
    """List an entity's commands by trigger time (GET /v1/entities/{id}/commands)."""

    async def work(client: AsyncRealtoClient) -> list[Command]:
        return await client.commands.list(entity_id, since, until).to_list()

    emit(run(work), settings().output_format(format_), summary=_SUMMARY)
