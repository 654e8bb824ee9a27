"""Charge sessions: ``/v1/entities/{entityId}/charge-sessions`` (S1)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from uuid import UUID

from .._call_options import per_call_options
from .._config import Timeout
from .._pagination import AsyncPaginator
from .._validate import check_uuid, time_frame
from ..models.charge_sessions import ChargingRecord
from ._base import Resource

__all__ = ["ChargeSessions"]


class ChargeSessions(Resource):
    """Ended charge sessions of EVs (the entity needs ``CaptureChargeSessions`` on)."""

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
    ) -> AsyncPaginator[ChargingRecord]:
        """List an EV's ended charge sessions in a time frame, oldest first:
        ``GET /v1/entities/{entityId}/charge-sessions``.

        Args:
            entity_id: the entity's id (a UUID, as ``str`` or ``uuid.UUID``).
            start: beginning of the time frame (a timezone-aware datetime; naive ones are refused).
            end: end of the time frame, timezone-aware (None: now, on the server).
            page_size: sessions per page asked of the server, 1 to 1000 (None: the server's default).
            continuation_token: resume from a page's or an error's ``continuation_token``.
            max_items: stop after this many sessions (None: all of them).

        Returns:
            AsyncPaginator[ChargingRecord]: iterate it for every session, one page in memory at a time;
            ``pages()`` gives the pages, ``first_page()`` the first one. Nothing is sent before.
            Each session has its start and end (UTC), the energy charged per tariff tier (kWh),
            the state of charge at start and end (%) and where it charged.

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
            f"/v1/entities/{entity}/charge-sessions",
            ChargingRecord,
            params=params,
            page_size=page_size,
            continuation_token=continuation_token,
            max_items=max_items,
        )
