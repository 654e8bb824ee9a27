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
        """Ask to remove an entity: ``POST /v1/offboarding/entities``.

        Args:
            entity_id: the entity's id (a UUID, as ``str`` or ``uuid.UUID``).

        Returns:
            OffboardingRequest: its id and status (Pending at first); ``wait()`` follows it.

        Raises:
            InvalidArgumentError: ``entity_id`` is not a UUID (checked before sending).
            NotFoundError: no such entity is visible to you (404).
            APIStatusError: any other refusal by the server (the subclass names the status).
            APIConnectionError: the server could not be reached or did not answer in time.
        """
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

        Inferred endpoint: check it against the live API.

        Args:
            offboarding_request_id: the offboarding request's id (a UUID).

        Returns:
            OffboardingRequest: the entity it removes and where it stands.

        Raises:
            InvalidArgumentError: ``offboarding_request_id`` is not a UUID (checked before sending).
            NotFoundError: no such request is visible to you (404).
            APIStatusError: any other refusal by the server (the subclass names the status).
            APIConnectionError: the server could not be reached or did not answer in time.
        """
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
        """Cancel a Pending request: ``PATCH /v1/offboarding/entities/{offboardingRequestId}/cancel``.

        Args:
            offboarding_request_id: the offboarding request's id (a UUID).

        Returns:
            OffboardingRequest: the request, now Canceled.

        Raises:
            InvalidArgumentError: ``offboarding_request_id`` is not a UUID (checked before sending).
            NotFoundError: no such request is visible to you (404).
            APIStatusError: any other refusal by the server (the subclass names the status).
            APIConnectionError: the server could not be reached or did not answer in time.
        """
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
        on_update: UpdateHook[OffboardingRequest] | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, str] | None = None,
    ) -> OffboardingRequest:
        """Poll ``GET /v1/offboarding/entities/{offboardingRequestId}`` (inferred endpoint) until
        Succeeded, Failed or Canceled, and return it.

        Args:
            offboarding_request_id: the offboarding request's id (a UUID).
            timeout: give up after this many seconds (or a timedelta); default 600.
            poll_interval: seconds (or a timedelta) between the first polls; later ones back off, with
                jitter, to 8 times as long.
            on_update: called with the OffboardingRequest each time its status changes (an async callable
                is
                awaited).

        Returns:
            OffboardingRequest: the request in its final state (a Failed one is returned, not raised).

        Raises:
            InvalidArgumentError: the id is not a UUID or a time is negative (checked before sending).
            OperationTimeoutError: still not final after ``timeout``; ``last_state`` is the last poll.
            NotFoundError: no such request is visible to you (404).
            APIStatusError: any other refusal by the server (the subclass names the status).
            APIConnectionError: the server could not be reached or did not answer in time.
        """
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
