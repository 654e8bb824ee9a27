"""Commands: ``/v1/entities/{entityId}/commands`` and collectives' (K1-K7).

The API has no idempotency key and a 10-minute cooldown per entity, so a command is never
sent twice by the SDK: a lost answer raises CommandOutcomeUnknownError (see ``reconcile``).
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta, timezone
from typing import Any
from uuid import UUID

from .._call_options import per_call_extras, per_call_options
from .._config import Timeout
from .._errors import (
    APIConnectionError,
    ConflictError,
    CooldownActiveError,
    InternalServerError,
    InvalidArgumentError,
    ResponseValidationError,
    wait_from_text,
)
from .._outcome import CommandOutcomeUnknownError
from .._pagination import AsyncPaginator
from .._retry import parse_retry_after
from .._validate import check_enum, check_uuid, format_time, time_frame
from .._wait import UpdateHook, poll_until_final
from ..models.commands import Command, CommandBatch, ScheduledCommand
from ..models.enums import CommandType
from ._base import Resource
from ._params import cooldown_query

__all__ = ["Commands"]


def _command_body(kind: CommandType | str, value: str | int | None) -> dict[str, Any]:
    command_type = check_enum(kind, CommandType, "type")
    if value is not None:
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            raise InvalidArgumentError(f"value must be a str or an int, got {type(value).__name__}")
        value = str(value)
    if command_type == "LimitFeedIn":
        if value is None:
            raise InvalidArgumentError("LimitFeedIn needs value=: the feed-in limit in W")
        if not value.strip().isdigit():
            raise InvalidArgumentError(f"LimitFeedIn's value must be a whole number of W >= 0, got {value!r}")
    return {"type": command_type, "value": value} if value is not None else {"type": command_type}


def _schedule_body(commands: Sequence[ScheduledCommand]) -> list[dict[str, Any]]:
    if not isinstance(commands, (list, tuple)) or not commands:
        raise InvalidArgumentError("commands must be a non-empty list of ScheduledCommand")
    body = []
    for item in commands:
        if not isinstance(item, ScheduledCommand):
            raise InvalidArgumentError(
                f"commands must hold ScheduledCommand objects, got {type(item).__name__}"
            )
        entry = _command_body(item.type, item.value)
        entry["triggerTime"] = format_time(item.trigger_time, "trigger_time")
        body.append(entry)
    return body


class Commands(Resource):
    """Start or stop charging, limit feed-in, disconnect: sent now or on a schedule."""

    __slots__ = ()

    @per_call_options
    async def trigger(
        self,
        entity_id: str | UUID,
        *,
        type: CommandType | str,
        value: str | int | None = None,
        ignore_cooldown: bool = False,
        timeout: float | Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, str] | None = None,
    ) -> Command:
        """Send a command now: ``POST /v1/entities/{entityId}/commands``.

        Args:
            entity_id: the entity's id (a UUID, as ``str`` or ``uuid.UUID``).
            type: what to do: a CommandType (or its name), e.g. StartCharging, StopCharging, LimitFeedIn.
            value: the command's value: for LimitFeedIn the feed-in limit in W (required there).
            ignore_cooldown: send even within 10 minutes of the entity's last command.

        Returns:
            Command: its id and status (Pending at first); ``wait()`` follows it to a final state.

        Raises:
            InvalidArgumentError: ``entity_id`` is not a UUID, the type is unknown, or LimitFeedIn lacks a
                value (checked before sending).
            CooldownActiveError: the entity had a command in the last 10 minutes (409).
            NotFoundError: no such entity is visible to you (404).
            CommandOutcomeUnknownError: the request went out but its answer was lost, so the command may
                exist; ``await err.reconcile(client)`` finds it (the SDK never sends a command twice).
            APIStatusError: any other refusal by the server (the subclass names the status).
            APIConnectionError: the server could not be reached (the request was never sent).
        """
        entity = check_uuid(entity_id, "entity_id")
        body = _command_body(type, value)
        params = cooldown_query(ignore_cooldown)
        sent_at = datetime.fromtimestamp(self._client._clock.time(), timezone.utc)
        try:
            return await self._client._request(
                "POST", f"/v1/entities/{entity}/commands", Command, params=params, body=body
            )
        except ConflictError as err:
            raise _cooldown(err) from err
        except (APIConnectionError, InternalServerError, ResponseValidationError) as err:
            if isinstance(err, APIConnectionError) and not err.may_have_reached_server:
                raise
            raise CommandOutcomeUnknownError(
                f"{body['type']} for entity {entity} was sent at {sent_at.isoformat()} but no usable "
                f"answer came back ({type_name(err)}); it may have been created. Call "
                "'await err.reconcile(client)' before sending it again",
                entity_id=entity,
                command_type=body["type"],
                value=body.get("value"),
                sent_at=sent_at,
            ) from err

    @per_call_options
    async def schedule(
        self,
        entity_id: str | UUID,
        *,
        commands: Sequence[ScheduledCommand],
        ignore_cooldown: bool = False,
        timeout: float | Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, str] | None = None,
    ) -> CommandBatch:
        """Schedule commands for later: ``POST /v1/entities/{entityId}/commands/schedule``.

        Args:
            entity_id: the entity's id (a UUID, as ``str`` or ``uuid.UUID``).
            commands: the ScheduledCommand objects to create, each with an aware ``trigger_time`` (sent in
                UTC), a ``type`` and, for LimitFeedIn, a ``value`` in W.
            ignore_cooldown: send even within 10 minutes of the entity's last command.

        Returns:
            CommandBatch: the batch id and the commands created, in order.

        Raises:
            InvalidArgumentError: ``entity_id`` is not a UUID, ``commands`` is empty or holds a malformed
                command (checked before sending).
            CooldownActiveError: the entity had a command in the last 10 minutes (409).
            NotFoundError: no such entity is visible to you (404).
            APIStatusError: any other refusal by the server (the subclass names the status).
            APIConnectionError: the server could not be reached or did not answer in time.
        """
        entity = check_uuid(entity_id, "entity_id")
        return await self._create_batch(
            f"/v1/entities/{entity}/commands/schedule", _schedule_body(commands), ignore_cooldown
        )

    @per_call_options
    async def trigger_for_collective(
        self,
        collective_id: str | UUID,
        *,
        type: CommandType | str,
        value: str | int | None = None,
        ignore_cooldown: bool = False,
        timeout: float | Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, str] | None = None,
    ) -> CommandBatch:
        """Send a command to every member now: ``POST /v1/collectives/{collectiveId}/commands``.

        Args:
            collective_id: the collective's id (a UUID).
            type: what to do: a CommandType (or its name), e.g. StartCharging, StopCharging, LimitFeedIn.
            value: the command's value: for LimitFeedIn the feed-in limit in W (required there).
            ignore_cooldown: send even within 10 minutes of the entity's last command.

        Returns:
            CommandBatch: the batch id and one command per member entity.

        Raises:
            InvalidArgumentError: ``collective_id`` is not a UUID, the type is unknown, or LimitFeedIn
                lacks a value (checked before sending).
            CooldownActiveError: the entity had a command in the last 10 minutes (409).
            NotFoundError: no such collective is visible to you (404).
            APIStatusError: any other refusal by the server (the subclass names the status).
            APIConnectionError: the server could not be reached or did not answer in time.
        """
        collective = check_uuid(collective_id, "collective_id")
        return await self._create_batch(
            f"/v1/collectives/{collective}/commands", _command_body(type, value), ignore_cooldown
        )

    @per_call_options
    async def schedule_for_collective(
        self,
        collective_id: str | UUID,
        *,
        commands: Sequence[ScheduledCommand],
        ignore_cooldown: bool = False,
        timeout: float | Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, str] | None = None,
    ) -> CommandBatch:
        """Schedule commands for every member: ``POST /v1/collectives/{collectiveId}/commands/schedule``.

        Args:
            collective_id: the collective's id (a UUID).
            commands: the ScheduledCommand objects to create, each with an aware ``trigger_time`` (sent in
                UTC), a ``type`` and, for LimitFeedIn, a ``value`` in W.
            ignore_cooldown: send even within 10 minutes of the entity's last command.

        Returns:
            CommandBatch: the batch id and the commands created for the members.

        Raises:
            InvalidArgumentError: ``collective_id`` is not a UUID, ``commands`` is empty or holds a
                malformed command (checked before sending).
            CooldownActiveError: the entity had a command in the last 10 minutes (409).
            NotFoundError: no such collective is visible to you (404).
            APIStatusError: any other refusal by the server (the subclass names the status).
            APIConnectionError: the server could not be reached or did not answer in time.
        """
        collective = check_uuid(collective_id, "collective_id")
        return await self._create_batch(
            f"/v1/collectives/{collective}/commands/schedule", _schedule_body(commands), ignore_cooldown
        )

    async def _create_batch(self, path: str, body: Any, ignore_cooldown: bool) -> CommandBatch:
        try:
            return await self._client._request(
                "POST", path, CommandBatch, params=cooldown_query(ignore_cooldown), body=body
            )
        except ConflictError as err:
            raise _cooldown(err) from err

    @per_call_options
    async def retrieve(
        self,
        entity_id: str | UUID,
        command_id: str | UUID,
        *,
        timeout: float | Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, str] | None = None,
    ) -> Command:
        """Get one command: ``GET /v1/entities/{entityId}/commands/{commandId}``.

        Args:
            entity_id: the entity's id (a UUID, as ``str`` or ``uuid.UUID``).
            command_id: the command's id (a UUID).

        Returns:
            Command: its type, value, trigger time (UTC) and status.

        Raises:
            InvalidArgumentError: an id is not a UUID (checked before sending).
            NotFoundError: no such entity or command is visible to you (404).
            APIStatusError: any other refusal by the server (the subclass names the status).
            APIConnectionError: the server could not be reached or did not answer in time.
        """
        entity = check_uuid(entity_id, "entity_id")
        command = check_uuid(command_id, "command_id")
        return await self._client._request("GET", f"/v1/entities/{entity}/commands/{command}", Command)

    @per_call_options
    def list(
        self,
        entity_id: str | UUID,
        start: datetime,
        end: datetime | None = None,
        *,
        page_size: int | None = None,
        continuation_token: str | None = None,
        max_items: int | None = None,
        timeout: float | Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, str] | None = None,
    ) -> AsyncPaginator[Command]:
        """List an entity's commands by trigger time: ``GET /v1/entities/{entityId}/commands``.

        Args:
            entity_id: the entity's id (a UUID, as ``str`` or ``uuid.UUID``).
            start: beginning of the time frame (a timezone-aware datetime; naive ones are refused).
            end: end of the time frame, timezone-aware (None: now, on the server).
            page_size: commands per page asked of the server, 1 to 1000 (None: the server's default).
            continuation_token: resume from a page's or an error's ``continuation_token``.
            max_items: stop after this many commands (None: all of them).

        Returns:
            AsyncPaginator[Command]: iterate it for every command, one page in memory at a time;
            ``pages()`` gives the pages, ``first_page()`` the first one. Nothing is sent before.

        Raises:
            InvalidArgumentError: an argument is malformed (raised at once, before anything is sent).
            APIStatusError: while iterating, the server refused a page (the subclass names the status:
                AuthenticationError, PermissionDeniedError, RateLimitError...); errors raised during a
                listing carry ``continuation_token`` to resume from.
            APIConnectionError: while iterating, the server could not be reached or did not answer in
                time (APITimeoutError).
        """
        entity = check_uuid(entity_id, "entity_id")
        params = time_frame(start, end)
        return self._client._paginate(
            f"/v1/entities/{entity}/commands",
            Command,
            params=params,
            page_size=page_size,
            continuation_token=continuation_token,
            max_items=max_items,
        )

    @per_call_options
    async def cancel(
        self,
        entity_id: str | UUID,
        command_id: str | UUID,
        *,
        timeout: float | Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, str] | None = None,
    ) -> Command:
        """Cancel a Pending command: ``PATCH /v1/entities/{entityId}/commands/{commandId}/cancel``.

        Inferred endpoint: check it against the live API.

        Args:
            entity_id: the entity's id (a UUID, as ``str`` or ``uuid.UUID``).
            command_id: the command's id (a UUID).

        Returns:
            Command: the command, now Canceled.

        Raises:
            InvalidArgumentError: an id is not a UUID (checked before sending).
            NotFoundError: no such entity or command is visible to you (404).
            APIStatusError: any other refusal by the server (the subclass names the status).
            APIConnectionError: the server could not be reached or did not answer in time.
        """
        entity = check_uuid(entity_id, "entity_id")
        command = check_uuid(command_id, "command_id")
        return await self._client._request(
            "PATCH", f"/v1/entities/{entity}/commands/{command}/cancel", Command
        )

    @per_call_extras
    async def wait(
        self,
        entity_id: str | UUID,
        command_id: str | UUID,
        *,
        timeout: float | timedelta = 600.0,
        poll_interval: float | timedelta = 2.0,
        on_update: UpdateHook[Command] | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, str] | None = None,
    ) -> Command:
        """Poll ``GET /v1/entities/{entityId}/commands/{commandId}`` until Succeeded, Failed or
        Canceled, and return it.

        Args:
            entity_id: the entity's id (a UUID, as ``str`` or ``uuid.UUID``).
            command_id: the command's id (a UUID).
            timeout: give up after this many seconds (or a timedelta); default 600.
            poll_interval: seconds (or a timedelta) between the first polls; later ones back off, with
                jitter, to 8 times as long.
            on_update: called with the Command each time its status changes (an async callable is
                awaited).

        Returns:
            Command: the command in its final state (a Failed one is returned, not raised).

        Raises:
            InvalidArgumentError: an id is not a UUID or a time is negative (checked before sending).
            OperationTimeoutError: still not final after ``timeout``; ``last_state`` is the last poll.
            NotFoundError: no such entity or command is visible to you (404).
            APIStatusError: any other refusal by the server (the subclass names the status).
            APIConnectionError: the server could not be reached or did not answer in time.
        """
        entity = check_uuid(entity_id, "entity_id")
        command = check_uuid(command_id, "command_id")
        return await poll_until_final(
            lambda: self.retrieve(entity, command),
            is_final=lambda found: found.is_final,
            what=f"command {command}",
            clock=self._client._clock,
            timeout=timeout,
            poll_interval=poll_interval,
            on_update=on_update,
        )


def type_name(err: BaseException) -> str:
    return type(err).__name__


def _cooldown(err: ConflictError) -> CooldownActiveError:
    retry_after = parse_retry_after(err.headers.get("Retry-After"), time.time())
    if retry_after is None:
        retry_after = wait_from_text(" ".join(str(detail) for detail in err.errors) or err.body)
    return CooldownActiveError(
        str(err),
        retry_after=retry_after,
        status_code=err.status_code,
        method=err.method,
        url=err.url,
        request_id=err.request_id,
        errors=err.errors,
        body=err.body,
        headers=err.headers,
    )
