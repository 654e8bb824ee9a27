"""A command was sent but its answer was lost: find out whether it landed."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from ._errors import RealtoError

if TYPE_CHECKING:
    from ._client import AsyncRealtoClient
    from .models.commands import Command

__all__ = ["CommandOutcomeAmbiguousError", "CommandOutcomeUnknownError"]

# The server's clock may run this far behind ours: a command stamped this much before the send
# may still be the one sent.
CLOCK_SKEW = timedelta(seconds=5)
# A command sent now is stamped when the server takes it; a lost answer's request may have been
# queued this long before it landed.
RECONCILE_AFTER = timedelta(minutes=2)


class CommandOutcomeAmbiguousError(RealtoError):
    """``reconcile()`` found more than one command that could be the one whose answer was lost.

    ``candidates`` lists them (same entity, type and value, stamped at or after the send). The SDK
    cannot tell which one is yours: look at them (or at the device) before sending again.
    """

    def __init__(self, message: str, *, candidates: Sequence[Command]) -> None:
        self.candidates = list(candidates)
        super().__init__(message)


class CommandOutcomeUnknownError(RealtoError):
    """A command's request went out but no usable answer came back (read timeout, dropped
    connection, 5xx, or a success answer that was cut off or unreadable).

    It may or may not have been created, and the API has no idempotency key, so the SDK does
    not send it again. ``await err.reconcile(client)`` looks for it and returns it, or ``None``
    when nothing landed (then resending is safe, cooldown permitting).
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
        """The command if it landed, else ``None``: ``GET /v1/entities/{entityId}/commands``.

        Only a command of the same type and value whose trigger time is at or after ``sent_at``
        (less 5 seconds of clock skew) and within 2 minutes of it can be this one; an earlier
        command (sent with ``ignore_cooldown=True``, or by another client) never is. Raises
        :class:`CommandOutcomeAmbiguousError` (with ``.candidates``) when more than one could be.
        """
        earliest = self.sent_at - CLOCK_SKEW
        window = client.commands.list(self.entity_id, earliest, self.sent_at + RECONCILE_AFTER)
        candidates = [
            command
            async for command in window
            if str(command.type) == self.command_type
            and command.value == self.value
            and command.trigger_time >= earliest
        ]
        if len(candidates) > 1:
            raise CommandOutcomeAmbiguousError(
                f"{len(candidates)} {self.command_type} commands for entity {self.entity_id} were "
                f"created after {self.sent_at.isoformat()}; any of them may be the one whose answer "
                "was lost. Check .candidates (or the device) before sending it again",
                candidates=candidates,
            )
        return candidates[0] if candidates else None
