"""Readings and aggregations: ``/v1/entities/{entityId}/readings`` (R1-R3)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from uuid import UUID

from .._call_options import per_call_options
from .._config import Timeout
from .._errors import InvalidArgumentError
from .._pagination import AsyncPaginator
from .._validate import check_uuid, time_frame
from ..models.readings import Aggregation, Reading
from ._base import Resource

__all__ = ["Readings", "iso_duration"]


def iso_duration(value: timedelta) -> str:
    """A whole-minute timedelta as an ISO-8601 duration (``PT15M``, ``PT1H``, ``P1D``)."""
    if not isinstance(value, timedelta):
        raise InvalidArgumentError(f"resolution must be a timedelta, got {type(value).__name__}")
    seconds = value.total_seconds()
    if seconds <= 0 or seconds % 60:
        raise InvalidArgumentError(f"resolution must be a positive whole number of minutes, got {value}")
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
        ``GET /v1/entities/{entityId}/readings``."""
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
        """The latest reading: ``GET /v1/entities/{entityId}/readings/last`` (404 when there is none)."""
        entity = check_uuid(entity_id, "entity_id")
        return await self._client._request("GET", f"/v1/entities/{entity}/readings/last", Reading)

    @per_call_options
    def aggregations(
        self,
        entity_id: str | UUID,
        start: datetime,
        end: datetime | None = None,
        *,
        resolution: timedelta = timedelta(hours=1),
        page_size: int | None = None,
        continuation_token: str | None = None,
        max_items: int | None = None,
        timeout: float | Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, str] | None = None,
    ) -> AsyncPaginator[Aggregation]:
        """Readings averaged per ``resolution``: ``GET /v1/entities/{entityId}/aggregations``."""
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
