"""CommandOutcomeUnknownError: a command was sent but its answer was lost."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from ._errors import RealtoError

if TYPE_CHECKING:
    from ._client import AsyncRealtoClient
    from .models.commands import Command

__all__ = ["CommandOutcomeUnknownError"]

# How far around the send time reconcile() looks for the command (clocks drift).
RECONCILE_BEFORE = timedelta(minutes=5)
RECONCILE_AFTER = timedelta(minutes=15)


class CommandOutcomeUnknownError(RealtoError):
    """A command's request went out but no answer came back (read timeout, dropped connection, 5xx).

    It may or may not have been created, and the API has no idempotency key, so the SDK does
    not send it again. ``await err.reconcile(client)`` looks for it among the entity's commands
    around ``sent_at`` and returns it, or ``None`` when nothing landed (then resending is safe,
    cooldown permitting).
    """

    def __init__(
        self,
        message: str,
        *,
        entity_id: str,
        command_type: str,
        value: str | None,
        sent_at: datetime,
    ) -> None:
        self.entity_id = entity_id
        self.command_type = command_type
        self.value = value
        self.sent_at = sent_at
        super().__init__(message)

    async def reconcile(self, client: AsyncRealtoClient) -> Command | None:
        """The command if it landed (``GET /v1/entities/{entityId}/commands`` around ``sent_at``)."""
        window = client.commands.list(
            self.entity_id, self.sent_at - RECONCILE_BEFORE, self.sent_at + RECONCILE_AFTER
        )
        best: Command | None = None
        async for command in window:
            if str(command.type) != self.command_type or command.value != self.value:
                continue
            if best is None or abs(command.trigger_time - self.sent_at) < abs(
                best.trigger_time - self.sent_at
            ):
                best = command
        return best
