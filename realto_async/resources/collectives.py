"""Collectives: ``/v1/collectives`` (C1-C5)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

from .._call_options import per_call_options
from .._config import Timeout
from .._errors import InvalidArgumentError
from .._pagination import AsyncPaginator
from .._types import NOT_GIVEN, Omittable
from .._validate import check_enum, check_uuid
from ..models.collectives import Collective
from ..models.enums import CollectiveType
from ._base import Resource

__all__ = ["Collectives"]


class Collectives(Resource):
    """Groups of entities: households, fleets, solar farms, virtual power plants."""

    __slots__ = ()

    @per_call_options
    def list(
        self,
        *,
        page_size: int | None = None,
        continuation_token: str | None = None,
        max_items: int | None = None,
        timeout: float | Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, str] | None = None,
    ) -> AsyncPaginator[Collective]:
        """List collectives: ``GET /v1/collectives``. Inferred endpoint: check it against the live API."""
        return self._client._paginate(
            "/v1/collectives",
            Collective,
            page_size=page_size,
            continuation_token=continuation_token,
            max_items=max_items,
        )

    @per_call_options
    async def retrieve(
        self,
        collective_id: str | UUID,
        *,
        timeout: float | Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, str] | None = None,
    ) -> Collective:
        """Get one collective: ``GET /v1/collectives/{collectiveId}``. Inferred endpoint."""
        collective = check_uuid(collective_id, "collective_id")
        return await self._client._request("GET", f"/v1/collectives/{collective}", Collective)

    @per_call_options
    async def update(
        self,
        collective_id: str | UUID,
        *,
        name: Omittable[str] = NOT_GIVEN,
        type: Omittable[CollectiveType | str] = NOT_GIVEN,
        timeout: float | Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, str] | None = None,
    ) -> Collective:
        """Rename a collective or change its type: ``PATCH /v1/collectives/{collectiveId}``."""
        collective = check_uuid(collective_id, "collective_id")
        body: dict[str, Any] = {}
        if name is not NOT_GIVEN:
            if not isinstance(name, str) or not name:
                raise InvalidArgumentError("name must be a non-empty str")
            body["name"] = name
        if type is not NOT_GIVEN:
            body["type"] = check_enum(type, CollectiveType, "type")
        if not body:
            raise InvalidArgumentError("nothing to update: pass name= and/or type=")
        return await self._client._request("PATCH", f"/v1/collectives/{collective}", Collective, body=body)

    @per_call_options
    async def add_entity(
        self,
        collective_id: str | UUID,
        entity_id: str | UUID,
        *,
        timeout: float | Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, str] | None = None,
    ) -> Collective:
        """Put an entity in a collective: ``POST /v1/collectives/{collectiveId}/entities``.
        Inferred endpoint."""
        collective = check_uuid(collective_id, "collective_id")
        body = {"entityId": check_uuid(entity_id, "entity_id")}
        return await self._client._request(
            "POST", f"/v1/collectives/{collective}/entities", Collective, body=body
        )

    @per_call_options
    async def remove_entity(
        self,
        collective_id: str | UUID,
        entity_id: str | UUID,
        *,
        timeout: float | Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, str] | None = None,
    ) -> Collective:
        """Take an entity out of a collective:
        ``DELETE /v1/collectives/{collectiveId}/entities/{entityId}``. Inferred endpoint."""
        collective = check_uuid(collective_id, "collective_id")
        entity = check_uuid(entity_id, "entity_id")
        return await self._client._request(
            "DELETE", f"/v1/collectives/{collective}/entities/{entity}", Collective
        )
