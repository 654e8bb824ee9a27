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
        """List collectives: ``GET /v1/collectives``. Inferred endpoint: check it against the live API.

        Args:
            page_size: collectives per page asked of the server, 1 to 1000 (None: the server's default).
            continuation_token: resume from a page's or an error's ``continuation_token``.
            max_items: stop after this many collectives (None: all of them).

        Returns:
            AsyncPaginator[Collective]: iterate it for every collective, one page in memory at a time;
            ``pages()`` gives the pages, ``first_page()`` the first one. Nothing is sent before.

        Raises:
            InvalidArgumentError: an argument is malformed (raised at once, before anything is sent).
            APIStatusError: while iterating, the server refused a page (the subclass names the status:
                AuthenticationError, PermissionDeniedError, RateLimitError...); errors raised during a
                listing carry ``continuation_token`` to resume from.
            APIConnectionError: while iterating, the server could not be reached or did not answer in
                time (APITimeoutError).
        """
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
        """Get one collective: ``GET /v1/collectives/{collectiveId}``. Inferred endpoint.

        Args:
            collective_id: the collective's id (a UUID, as ``str`` or ``uuid.UUID``).

        Returns:
            Collective: its name, type and member entities.

        Raises:
            InvalidArgumentError: ``collective_id`` is not a UUID (checked before sending).
            NotFoundError: no collective with this id is visible to you (404).
            APIStatusError: any other refusal by the server (the subclass names the status).
            APIConnectionError: the server could not be reached or did not answer in time.
        """
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
        """Rename a collective or change its type: ``PATCH /v1/collectives/{collectiveId}``.

        Only the arguments you pass are sent.

        Args:
            collective_id: the collective's id (a UUID, as ``str`` or ``uuid.UUID``).
            name: the new name (a non-empty str).
            type: the new CollectiveType (or its name): Household, Fleet, SolarFarm...

        Returns:
            Collective: the collective as the server stored it.

        Raises:
            InvalidArgumentError: ``collective_id`` is not a UUID, an argument is malformed, or nothing is
                given (checked before sending).
            NotFoundError: no collective with this id is visible to you (404).
            APIStatusError: any other refusal by the server (the subclass names the status).
            APIConnectionError: the server could not be reached or did not answer in time.
        """
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
        Inferred endpoint.

        Args:
            collective_id: the collective's id (a UUID, as ``str`` or ``uuid.UUID``).
            entity_id: the entity's id (a UUID, as ``str`` or ``uuid.UUID``).

        Returns:
            Collective: the collective with its members now.

        Raises:
            InvalidArgumentError: an id is not a UUID (checked before sending).
            NotFoundError: no such collective or entity is visible to you (404).
            APIStatusError: any other refusal by the server (the subclass names the status).
            APIConnectionError: the server could not be reached or did not answer in time.
        """
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
        ``DELETE /v1/collectives/{collectiveId}/entities/{entityId}``. Inferred endpoint.

        Args:
            collective_id: the collective's id (a UUID, as ``str`` or ``uuid.UUID``).
            entity_id: the entity's id (a UUID, as ``str`` or ``uuid.UUID``).

        Returns:
            Collective: the collective with its members now.

        Raises:
            InvalidArgumentError: an id is not a UUID (checked before sending).
            NotFoundError: no such collective or member entity is visible to you (404).
            APIStatusError: any other refusal by the server (the subclass names the status).
            APIConnectionError: the server could not be reached or did not answer in time.
        """
        collective = check_uuid(collective_id, "collective_id")
        entity = check_uuid(entity_id, "entity_id")
        return await self._client._request(
            "DELETE", f"/v1/collectives/{collective}/entities/{entity}", Collective
        )
