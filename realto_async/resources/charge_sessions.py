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
        """List an entity's charge sessions in a time frame, oldest first:
        ``GET /v1/entities/{entityId}/charge-sessions``.

        ``start`` and ``end`` must be timezone-aware; ``end`` defaults to now on the server.
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
