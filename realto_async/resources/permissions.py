"""Entity permissions: ``/v1/entities/{entityId}/permissions`` (P1-P3)."""

from __future__ import annotations

from collections.abc import Mapping
from uuid import UUID

from .._call_options import per_call_options
from .._config import Timeout
from .._pagination import AsyncPaginator
from .._validate import check_enum, check_uuid
from ..models.collectives import Permission
from ..models.enums import PermissionLevel
from ._base import Resource

__all__ = ["EntityPermissions"]


class EntityPermissions(Resource):
    """Who may do what on an entity (Owner manages permissions; Contributor may send commands)."""

    __slots__ = ()

    @per_call_options
    def list(
        self,
        entity_id: str | UUID,
        *,
        page_size: int | None = None,
        continuation_token: str | None = None,
        max_items: int | None = None,
        timeout: float | Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, str] | None = None,
    ) -> AsyncPaginator[Permission]:
        """List the permissions on an entity: ``GET /v1/entities/{entityId}/permissions``.

        Args:
            entity_id: the entity's id (a UUID, as ``str`` or ``uuid.UUID``).
            page_size: permissions per page asked of the server, 1 to 1000 (None: the server's default).
            continuation_token: resume from a page's or an error's ``continuation_token``.
            max_items: stop after this many permissions (None: all of them).

        Returns:
            AsyncPaginator[Permission]: iterate it for every permission, one page in memory at a time;
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
        return self._client._paginate(
            f"/v1/entities/{entity}/permissions",
            Permission,
            page_size=page_size,
            continuation_token=continuation_token,
            max_items=max_items,
        )

    @per_call_options
    async def add(
        self,
        entity_id: str | UUID,
        *,
        principal_id: str | UUID,
        permission_level: PermissionLevel | str,
        timeout: float | Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, str] | None = None,
    ) -> None:
        """Grant a level to a principal: ``POST /v1/entities/{entityId}/permissions``.

        Args:
            entity_id: the entity's id (a UUID, as ``str`` or ``uuid.UUID``).
            principal_id: the user or client to grant it to (a UUID).
            permission_level: Viewer, Contributor (may send commands), Administer or Owner.

        Returns:
            None: the API answers with no body.

        Raises:
            InvalidArgumentError: an id is not a UUID or the level is unknown (checked before sending).
            NotFoundError: no entity with this id is visible to you (404).
            APIStatusError: any other refusal by the server (the subclass names the status).
            APIConnectionError: the server could not be reached or did not answer in time.
        """
        entity = check_uuid(entity_id, "entity_id")
        body = {
            "permissionLevel": check_enum(permission_level, PermissionLevel, "permission_level"),
            "principalId": check_uuid(principal_id, "principal_id"),
        }
        await self._client._request_none("POST", f"/v1/entities/{entity}/permissions", body=body)

    @per_call_options
    async def remove(
        self,
        entity_id: str | UUID,
        principal_id: str | UUID,
        permission_level: PermissionLevel | str | None = None,
        *,
        timeout: float | Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, str] | None = None,
    ) -> None:
        """Take a principal's levels away (all, or just ``permission_level``):
        ``DELETE /v1/entities/{entityId}/permissions/principals/{principalId}``.

        Args:
            entity_id: the entity's id (a UUID, as ``str`` or ``uuid.UUID``).
            principal_id: the user or client losing access (a UUID).
            permission_level: only this level (None: every level the principal has).

        Returns:
            None: the API answers with no body.

        Raises:
            InvalidArgumentError: an id is not a UUID or the level is unknown (checked before sending).
            NotFoundError: no such entity or principal is visible to you (404).
            APIStatusError: any other refusal by the server (the subclass names the status).
            APIConnectionError: the server could not be reached or did not answer in time.
        """
        entity = check_uuid(entity_id, "entity_id")
        principal = check_uuid(principal_id, "principal_id")
        params = {}
        if permission_level is not None:
            params["permissionLevel"] = check_enum(permission_level, PermissionLevel, "permission_level")
        await self._client._request_none(
            "DELETE", f"/v1/entities/{entity}/permissions/principals/{principal}", params=params
        )
