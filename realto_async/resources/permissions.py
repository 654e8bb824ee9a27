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
        """List the permissions on an entity: ``GET /v1/entities/{entityId}/permissions``."""
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
        """Grant a level to a principal: ``POST /v1/entities/{entityId}/permissions``."""
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
        ``DELETE /v1/entities/{entityId}/permissions/principals/{principalId}``."""
        entity = check_uuid(entity_id, "entity_id")
        principal = check_uuid(principal_id, "principal_id")
        params = {}
        if permission_level is not None:
            params["permissionLevel"] = check_enum(permission_level, PermissionLevel, "permission_level")
        await self._client._request_none(
            "DELETE", f"/v1/entities/{entity}/permissions/principals/{principal}", params=params
        )
