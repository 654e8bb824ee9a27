"""Readings and aggregations: ``/v1/entities/{entityId}/readings`` (R1-R3)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from uuid import UUID

from .._call_options import per_call_options
from .._config import Timeout
from .._pagination import AsyncPaginator
from .._validate import check_resolution, check_uuid, time_frame
from ..models.readings import Aggregation, Reading
from ._base import Resource

__all__ = ["Readings", "iso_duration"]


def iso_duration(value: timedelta | str) -> str:
    """A whole-minute resolution (a timedelta or an ISO 8601 duration) in its ISO 8601 form as
    the API speaks it (``PT15M``, ``PT1H``, ``P1D``)."""
    seconds = check_resolution(value).total_seconds()
    days, rest = divmod(int(seconds), 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    time_part = (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "")
    return "P" + (f"{days}D" if days else "") + (f"T{time_part}" if time_part else "")


class Readings(Resource):
    """Measured values of an entity."""

    __slots__ = ()

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
    ) -> AsyncPaginator[Reading]:
        """List an entity's readings in a time frame, oldest first:
        ``GET /v1/entities/{entityId}/readings``.

        Args:
            entity_id: the entity's id (a UUID, as ``str`` or ``uuid.UUID``).
            start: beginning of the time frame (a timezone-aware datetime; naive ones are refused).
            end: end of the time frame, timezone-aware (None: now, on the server).
            page_size: readings per page asked of the server, 1 to 1000 (None: the server's default).
            continuation_token: resume from a page's or an error's ``continuation_token``.
            max_items: stop after this many readings (None: all of them).

        Returns:
            AsyncPaginator[Reading]: iterate it for every reading, one page in memory at a time;
            ``pages()`` gives the pages, ``first_page()`` the first one. Nothing is sent before.
            Each reading has its time (UTC) and values, each with its unit (W, kWh, V, A, %...).

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
            f"/v1/entities/{entity}/readings",
            Reading,
            params=params,
            page_size=page_size,
            continuation_token=continuation_token,
            max_items=max_items,
        )

    @per_call_options
    async def last(
        self,
        entity_id: str | UUID,
        *,
        timeout: float | Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, str] | None = None,
    ) -> Reading:
        """The latest reading: ``GET /v1/entities/{entityId}/readings/last``.

        Args:
            entity_id: the entity's id (a UUID, as ``str`` or ``uuid.UUID``).

        Returns:
            Reading: when it was measured (UTC) and the values the device reports, each with its unit.

        Raises:
            InvalidArgumentError: ``entity_id`` is not a UUID (checked before sending).
            NotFoundError: no such entity, or it has no reading yet (404).
            APIStatusError: any other refusal by the server (the subclass names the status).
            APIConnectionError: the server could not be reached or did not answer in time.
        """
        entity = check_uuid(entity_id, "entity_id")
        return await self._client._request("GET", f"/v1/entities/{entity}/readings/last", Reading)

    @per_call_options
    def aggregations(
        self,
        entity_id: str | UUID,
        start: datetime,
        end: datetime | None = None,
        *,
        resolution: timedelta | str = timedelta(hours=1),
        page_size: int | None = None,
        continuation_token: str | None = None,
        max_items: int | None = None,
        timeout: float | Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, str] | None = None,
    ) -> AsyncPaginator[Aggregation]:
        """Readings averaged per ``resolution``: ``GET /v1/entities/{entityId}/aggregations``.

        Args:
            entity_id: the entity's id (a UUID, as ``str`` or ``uuid.UUID``).
            start: beginning of the time frame (a timezone-aware datetime; naive ones are refused).
            end: end of the time frame, timezone-aware (None: now, on the server).
            resolution: the length of each interval, a whole number of minutes: a timedelta or an
                ISO 8601 duration string such as ``"PT15M"``, ``"PT1H"`` or ``"P1D"`` (default 1 hour).
            page_size: intervals per page asked of the server, 1 to 1000 (None: the server's default).
            continuation_token: resume from a page's or an error's ``continuation_token``.
            max_items: stop after this many intervals (None: all of them).

        Returns:
            AsyncPaginator[Aggregation]: iterate it for every interval, one page in memory at a time;
            ``pages()`` gives the pages, ``first_page()`` the first one. Nothing is sent before.
            Each interval has its start and end (UTC) and the values averaged over it.

        Raises:
            InvalidArgumentError: an argument is malformed (raised at once, before anything is sent).
            APIStatusError: while iterating, the server refused a page (the subclass names the status:
                AuthenticationError, PermissionDeniedError, RateLimitError...); errors raised during a
                listing carry ``continuation_token`` to resume from.
            APIConnectionError: while iterating, the server could not be reached or did not answer in
                time (APITimeoutError).
        """
        entity = check_uuid(entity_id, "entity_id")
        params = time_frame(start, end) | {"resolution": iso_duration(resolution)}
        return self._client._paginate(
            f"/v1/entities/{entity}/aggregations",
            Aggregation,
            params=params,
            page_size=page_size,
            continuation_token=continuation_token,
            max_items=max_items,
        )
