"""Offboarding: ``/v1/offboarding/entities`` (Q1-Q3)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from uuid import UUID

from .._call_options import per_call_extras, per_call_options
from .._config import Timeout
from .._validate import check_uuid
from .._wait import UpdateHook, poll_until_final
from ..models.offboarding import OffboardingRequest
from ._base import Resource

__all__ = ["Offboarding"]


class Offboarding(Resource):
    """Removing entities; when a request succeeds, the entity is gone (404)."""

    __slots__ = ()

    @per_call_options
    async def create(
        self,
        entity_id: str | UUID,
        *,
        timeout: float | Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, str] | None = None,
    ) -> OffboardingRequest:
        """Ask to remove an entity: ``POST /v1/offboarding/entities``."""
        body = {"entityId": check_uuid(entity_id, "entity_id")}
        return await self._client._request("POST", "/v1/offboarding/entities", OffboardingRequest, body=body)

    @per_call_options
    async def retrieve(
        self,
        offboarding_request_id: str | UUID,
        *,
        timeout: float | Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, str] | None = None,
    ) -> OffboardingRequest:
        """Get one request: ``GET /v1/offboarding/entities/{offboardingRequestId}``.
        Inferred endpoint: check it against the live API."""
        request_id = check_uuid(offboarding_request_id, "offboarding_request_id")
        return await self._client._request(
            "GET", f"/v1/offboarding/entities/{request_id}", OffboardingRequest
        )

    @per_call_options
    async def cancel(
        self,
        offboarding_request_id: str | UUID,
        *,
        timeout: float | Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, str] | None = None,
    ) -> OffboardingRequest:
        """Cancel a Pending request: ``PATCH /v1/offboarding/entities/{offboardingRequestId}/cancel``."""
        request_id = check_uuid(offboarding_request_id, "offboarding_request_id")
        return await self._client._request(
            "PATCH", f"/v1/offboarding/entities/{request_id}/cancel", OffboardingRequest
        )

    @per_call_extras
    async def wait(
        self,
        offboarding_request_id: str | UUID,
        *,
        timeout: float | timedelta = 600.0,
        poll_interval: float | timedelta = 2.0,
        on_update: UpdateHook | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, str] | None = None,
    ) -> OffboardingRequest:
        """Poll ``GET /v1/offboarding/entities/{offboardingRequestId}`` (inferred endpoint) until
        Succeeded, Failed or Canceled; :class:`OperationTimeoutError` after ``timeout``."""
        request_id = check_uuid(offboarding_request_id, "offboarding_request_id")
        return await poll_until_final(
            lambda: self.retrieve(request_id),
            is_final=lambda found: found.is_final,
            what=f"offboarding request {request_id}",
            clock=self._client._clock,
            timeout=timeout,
            poll_interval=poll_interval,
            on_update=on_update,
        )
