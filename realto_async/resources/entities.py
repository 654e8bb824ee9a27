"""Entities: ``/v1/entities`` (E1-E3)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from uuid import UUID

from .._call_options import per_call_options
from .._config import Timeout
from .._dialects import entity_type_for
from .._errors import InvalidArgumentError
from .._pagination import AsyncPaginator
from .._types import NOT_GIVEN, Omittable
from .._validate import check_enum, check_json, check_uuid
from ..models.entities import Entity
from ..models.enums import EntityType
from ._base import Resource, expose_namespaces
from .permissions import EntityPermissions

if TYPE_CHECKING:
    from .._client import AsyncRealtoClient

__all__ = ["Entities"]


class Entities(Resource):
    """The connected devices this principal can see; ``permissions`` manages who may use them."""

    __slots__ = ("permissions",)
    permissions: EntityPermissions

    def __init__(self, client: AsyncRealtoClient) -> None:
        super().__init__(client)
        self.permissions = EntityPermissions(client)

    @per_call_options
    def list(
        self,
        *,
        type: EntityType | str | None = None,
        page_size: int | None = None,
        continuation_token: str | None = None,
        max_items: int | None = None,
        timeout: float | Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, str] | None = None,
    ) -> AsyncPaginator[Entity]:
        """List entities, optionally of one type: ``GET /v1/entities``.

        Inferred endpoint: the docs list it but its page was not found; check it against the live API.

        Args:
            type: only entities of this type (an EntityType or its name), translated to the client's
                dialect (``ChargePole`` <-> ``ChargePoint``, ``PV`` <-> ``SolarPlant``,
                ``SmartMeter`` <-> ``Meter``); None: every type.
            page_size: entities per page asked of the server, 1 to 1000 (None: the server's default).
            continuation_token: resume from a page's or an error's ``continuation_token``.
            max_items: stop after this many entities (None: all of them).

        Returns:
            AsyncPaginator[Entity]: iterate it for every entity, one page in memory at a time;
            ``pages()`` gives the pages, ``first_page()`` the first one. Nothing is sent before.

        Raises:
            InvalidArgumentError: an argument is malformed (raised at once, before anything is sent).
            APIStatusError: while iterating, the server refused a page (the subclass names the status:
                AuthenticationError, PermissionDeniedError, RateLimitError...); errors raised during a
                listing carry ``continuation_token`` to resume from.
            APIConnectionError: while iterating, the server could not be reached or did not answer in
                time (APITimeoutError).
        """
        params: dict[str, str] = {}
        if type is not None:
            params["type"] = entity_type_for(self._client.flavor, check_enum(type, EntityType, "type"))
        return self._client._paginate(
            "/v1/entities",
            Entity,
            params=params,
            page_size=page_size,
            continuation_token=continuation_token,
            max_items=max_items,
        )

    @per_call_options
    async def retrieve(
        self,
        entity_id: str | UUID,
        *,
        timeout: float | Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, str] | None = None,
    ) -> Entity:
        """Get one entity: ``GET /v1/entities/{entityId}``. Inferred endpoint (see ``list``).

        Args:
            entity_id: the entity's id (a UUID, as ``str`` or ``uuid.UUID``).

        Returns:
            Entity: its type, name, owner, collective, device information and custom properties.

        Raises:
            InvalidArgumentError: ``entity_id`` is not a UUID (checked before sending).
            NotFoundError: no entity with this id is visible to you (404).
            APIStatusError: any other refusal by the server (the subclass names the status).
            APIConnectionError: the server could not be reached or did not answer in time.
        """
        entity = check_uuid(entity_id, "entity_id")
        return await self._client._request("GET", f"/v1/entities/{entity}", Entity)

    @per_call_options
    async def update(
        self,
        entity_id: str | UUID,
        *,
        name: Omittable[str | None] = NOT_GIVEN,
        properties: Omittable[Any] = NOT_GIVEN,
        timeout: float | Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, str] | None = None,
    ) -> Entity:
        """Rename an entity or replace its custom properties: ``PATCH /v1/entities/{entityId}``.

        Inferred endpoint (see ``list``). Only the arguments you pass are sent.

        Args:
            entity_id: the entity's id (a UUID, as ``str`` or ``uuid.UUID``).
            name: the new name (None clears it; leave it out to keep the current one).
            properties: the new custom properties, any JSON value, replacing the old ones.

        Returns:
            Entity: the entity as the server stored it.

        Raises:
            InvalidArgumentError: ``entity_id`` is not a UUID, ``name`` not a str, or nothing is given
                (checked before sending).
            NotFoundError: no entity with this id is visible to you (404).
            APIStatusError: any other refusal by the server (the subclass names the status).
            APIConnectionError: the server could not be reached or did not answer in time.
        """
        entity = check_uuid(entity_id, "entity_id")
        body: dict[str, Any] = {}
        if name is not NOT_GIVEN:
            if name is not None and not isinstance(name, str):
                raise InvalidArgumentError(f"name must be a str, got {type(name).__name__}")
            body["name"] = name
        if properties is not NOT_GIVEN:
            body["properties"] = check_json(properties, "properties")
        if not body:
            raise InvalidArgumentError("nothing to update: pass name= and/or properties=")
        return await self._client._request("PATCH", f"/v1/entities/{entity}", Entity, body=body)


expose_namespaces(Entities)
