"""Tenants: ``/v1/tenants`` (T1-T4)."""

from __future__ import annotations

from collections.abc import Mapping
from uuid import UUID

from .._call_options import per_call_options
from .._config import Timeout
from .._pagination import AsyncPaginator
from .._validate import check_uuid
from ..models.collectives import Tenant
from ._base import Resource

__all__ = ["Tenants"]


class Tenants(Resource):
    """Organisations and their administrators."""

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
    ) -> AsyncPaginator[Tenant]:
        """List tenants: ``GET /v1/tenants``. Inferred endpoint: check it against the live API."""
        return self._client._paginate(
            "/v1/tenants",
            Tenant,
            page_size=page_size,
            continuation_token=continuation_token,
            max_items=max_items,
        )

    @per_call_options
    async def retrieve(
        self,
        tenant_id: str | UUID,
        *,
        timeout: float | Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, str] | None = None,
    ) -> Tenant:
        """Get one tenant: ``GET /v1/tenants/{tenantId}``. Inferred endpoint."""
        tenant = check_uuid(tenant_id, "tenant_id")
        return await self._client._request("GET", f"/v1/tenants/{tenant}", Tenant)

    @per_call_options
    async def add_administrator(
        self,
        tenant_id: str | UUID,
        principal_id: str | UUID,
        *,
        timeout: float | Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, str] | None = None,
    ) -> Tenant:
        """Make a principal an administrator: ``POST /v1/tenants/{tenantId}/administrators``."""
        tenant = check_uuid(tenant_id, "tenant_id")
        body = {"id": check_uuid(principal_id, "principal_id")}
        return await self._client._request("POST", f"/v1/tenants/{tenant}/administrators", Tenant, body=body)

    @per_call_options
    async def remove_administrator(
        self,
        tenant_id: str | UUID,
        principal_id: str | UUID,
        *,
        timeout: float | Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, str] | None = None,
    ) -> Tenant:
        """Remove an administrator: ``DELETE /v1/tenants/{tenantId}/administrators/{principalId}``.
        Inferred endpoint."""
        tenant = check_uuid(tenant_id, "tenant_id")
        principal = check_uuid(principal_id, "principal_id")
        return await self._client._request(
            "DELETE", f"/v1/tenants/{tenant}/administrators/{principal}", Tenant
        )
