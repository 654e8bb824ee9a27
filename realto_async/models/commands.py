"""Commands sent to entities."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ._base import RealtoModel, model
from .enums import CommandStatus, CommandType

__all__ = ["Command", "CommandBatch", "CommandError", "CommandVerification", "ScheduledCommand"]

FINAL_COMMAND_STATUSES = frozenset({"Succeeded", "Failed", "Canceled"})


@model
class CommandError(RealtoModel):
    """Why a command failed, as the device or the manufacturer reported it."""

    title: str | None = None
    description: str | None = None


@model
class CommandVerification(RealtoModel):
    """Whether the device was seen to carry the command out (Traxes)."""

    status: str
    completed_at: datetime | None = None
    error: Any = None


@model
class Command(RealtoModel):
    """A command and where it stands: Pending, Triggered, Sent, then Succeeded or Failed."""

    id: str
    type: CommandType | str
    status: CommandStatus | str
    trigger_time: datetime
    entity_id: str | None = None
    value: str | None = None
    error: CommandError | None = None
    verification: CommandVerification | None = None

    @property
    def is_final(self) -> bool:
        """Succeeded, Failed or Canceled: the status will not change any more."""
        return str(self.status) in FINAL_COMMAND_STATUSES


@model
class CommandBatch(RealtoModel):
    """The commands one scheduling or collective call created."""

    batch_id: str
    commands: list[Command]


@model
class ScheduledCommand(RealtoModel):
    """One command of a schedule: what to do and when (an aware datetime)."""

    trigger_time: datetime
    type: CommandType | str
    value: str | None = None
