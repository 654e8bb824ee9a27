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
        """List tenants: ``GET /v1/tenants``. Inferred endpoint: check it against the live API.

        Args:
            page_size: tenants per page asked of the server, 1 to 1000 (None: the server's default).
            continuation_token: resume from a page's or an error's ``continuation_token``.
            max_items: stop after this many tenants (None: all of them).

        Returns:
            AsyncPaginator[Tenant]: iterate it for every tenant, one page in memory at a time;
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
        """Get one tenant: ``GET /v1/tenants/{tenantId}``. Inferred endpoint.

        Args:
            tenant_id: the tenant's id (a UUID, as ``str`` or ``uuid.UUID``).

        Returns:
            Tenant: its name, administrators and entities.

        Raises:
            InvalidArgumentError: ``tenant_id`` is not a UUID (checked before sending).
            NotFoundError: no tenant with this id is visible to you (404).
            APIStatusError: any other refusal by the server (the subclass names the status).
            APIConnectionError: the server could not be reached or did not answer in time.
        """
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
        """Make a principal an administrator: ``POST /v1/tenants/{tenantId}/administrators``.

        Args:
            tenant_id: the tenant's id (a UUID, as ``str`` or ``uuid.UUID``).
            principal_id: the user or client to make administrator (a UUID).

        Returns:
            Tenant: the tenant with its administrators now.

        Raises:
            InvalidArgumentError: an id is not a UUID (checked before sending).
            NotFoundError: no such tenant or principal is visible to you (404).
            APIStatusError: any other refusal by the server (the subclass names the status).
            APIConnectionError: the server could not be reached or did not answer in time.
        """
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
        Inferred endpoint.

        Args:
            tenant_id: the tenant's id (a UUID, as ``str`` or ``uuid.UUID``).
            principal_id: the administrator to remove (a UUID).

        Returns:
            Tenant: the tenant with its administrators now.

        Raises:
            InvalidArgumentError: an id is not a UUID (checked before sending).
            NotFoundError: no such tenant or administrator is visible to you (404).
            APIStatusError: any other refusal by the server (the subclass names the status).
            APIConnectionError: the server could not be reached or did not answer in time.
        """
        tenant = check_uuid(tenant_id, "tenant_id")
        principal = check_uuid(principal_id, "principal_id")
        return await self._client._request(
            "DELETE", f"/v1/tenants/{tenant}/administrators/{principal}", Tenant
        )
