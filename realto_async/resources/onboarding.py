"""Onboarding: types (O1), entity (O2-O5) and collective (O6-O9) requests, guided sessions (G1-G3)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import timedelta
from typing import TYPE_CHECKING, Any
from uuid import UUID

from .._call_options import per_call_extras, per_call_options
from .._config import Timeout
from .._dialects import entity_type_for
from .._errors import InvalidArgumentError, OnboardingFailedError
from .._pagination import AsyncPaginator
from .._types import NOT_GIVEN, Omittable
from .._validate import check_enum, check_json, check_optional_str, check_uuid
from .._wait import UpdateHook, poll_until_final
from ..models.enums import CollectiveType, EntityType, OnboardingStatus
from ..models.onboarding import GuidedOnboardingSession, OnboardingRequest, OnboardingType
from ._base import Resource, expose_namespaces
from ._params import drop_unset

if TYPE_CHECKING:
    from .._client import AsyncRealtoClient

__all__ = ["Onboarding"]

VIN = re.compile(r"[A-HJ-NPR-Z0-9]{17}")


def _either(first_name: str, first: str | None, second_name: str, second: str | None) -> str | None:
    if first is not None and second is not None and first != second:
        raise InvalidArgumentError(f"{first_name}= and {second_name}= name the same field; pass one")
    value = first if first is not None else second
    if value is not None and not isinstance(value, str):
        raise InvalidArgumentError(f"{first_name} must be a str, got {type(value).__name__}")
    return value


def _check_vin(vin: object) -> None:
    if not isinstance(vin, str):
        raise InvalidArgumentError(f"vin must be a str, got {type(vin).__name__}")
    if not VIN.fullmatch(vin):
        raise InvalidArgumentError(f"{vin!r} is not a VIN: 17 characters of A-Z (no I, O or Q) and 0-9")


class OnboardingTypes(Resource):
    """What can be onboarded: entity types, their brands and the fields each needs."""

    __slots__ = ()

    @per_call_options
    async def list(
        self,
        *,
        timeout: float | Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, str] | None = None,
    ) -> list[OnboardingType]:
        """The entity types that can be onboarded, their brands and required fields:
        ``GET /v1/onboarding/types``. Inferred endpoint: check it against the live API.

        Returns:
            list[OnboardingType]: one per entity type, with its brands and the fields each brand needs.

        Raises:
            APIStatusError: a refusal by the server (the subclass names the status).
            APIConnectionError: the server could not be reached or did not answer in time.
        """
        return await self._client._request_list("GET", "/v1/onboarding/types", OnboardingType)


class OnboardingEntities(Resource):
    """Requests to connect a device; the end user consents at the manufacturer."""

    __slots__ = ()

    @per_call_options
    async def create(
        self,
        *,
        type: EntityType | str,
        manufacturer: str | None = None,
        brand: str | None = None,
        vin: str | None = None,
        ean: str | None = None,
        code: str | None = None,
        pairing_code: str | None = None,
        identifier: str | None = None,
        uuid: str | None = None,
        reference: str | None = None,
        email: str | None = None,
        associated_email: str | None = None,
        model: str | None = None,
        name: str | None = None,
        track: str | None = None,
        tenant_id: str | UUID | None = None,
        collective_id: str | UUID | None = None,
        owner: str | UUID | None = None,
        properties: Omittable[Any] = NOT_GIVEN,
        return_url: str | None = None,
        timeout: float | Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, str] | None = None,
    ) -> OnboardingRequest:
        """Ask to onboard a device: ``POST /v1/onboarding/entities``.

        Either dialect's names may be used (``manufacturer`` or ``brand``, ``vin`` or ``identifier``,
        ``code`` or ``pairing_code``, ``email`` or ``associated_email``, ``model`` or ``name``); the
        client's dialect's wire names are sent. Pass one of each pair.

        Args:
            type: the kind of device: an EntityType (or its name), e.g. EV, ChargePole, PV, HeatPump.
            manufacturer: the maker, e.g. ``"Audi"`` (required, here or as ``brand``).
            brand: the Traxes name of ``manufacturer``.
            vin: an EV's vehicle identification number, 17 characters (required for an EV).
            ean: a smart meter's EAN code.
            code: the pairing code some devices need.
            pairing_code: the Traxes name of ``code``.
            identifier: the Traxes name of the device's id (its VIN, EAN or UUID).
            uuid: the device's UUID at its manufacturer.
            reference: your own reference for the device.
            email: the end user's e-mail address at the manufacturer.
            associated_email: the Traxes name of ``email``.
            model: the device's model, e.g. ``"Q4 e-tron"``.
            name: the Traxes name of ``model``.
            track: the onboarding track, when the manufacturer offers several.
            tenant_id: the tenant the entity will belong to (a UUID; re.alto only).
            collective_id: put the new entity in this collective (a UUID).
            owner: the principal that will own it (a UUID; default: you).
            properties: custom properties to store on it, any JSON value.
            return_url: where the manufacturer's consent page sends the end user back to.

        Returns:
            OnboardingRequest: Pending, with ``action.redirect_link``: the page where the end user
            consents. ``wait()`` follows it to Succeeded.

        Raises:
            InvalidArgumentError: a required field is missing, a VIN is malformed, both names of one
                field disagree, or a field does not exist in the client's dialect (checked before
                sending).
            BadRequestError: the server refused the fields (400; ``errors`` says which).
            APIStatusError: any other refusal by the server (the subclass names the status).
            APIConnectionError: the server could not be reached or did not answer in time.
        """
        flavor = self._client.flavor
        entity_type = entity_type_for(flavor, check_enum(type, EntityType, "type"))
        maker = _either("manufacturer", manufacturer, "brand", brand)
        if not maker:
            raise InvalidArgumentError("manufacturer= (brand= in Traxes terms) is required, e.g. 'Audi'")
        pairing = _either("code", code, "pairing_code", pairing_code)
        mail = _either("email", email, "associated_email", associated_email)
        label = _either("model", model, "name", name)
        given_ids = {
            k: v
            for k, v in {
                "vin": vin,
                "ean": ean,
                "uuid": uuid,
                "reference": reference,
                "identifier": identifier,
            }.items()
            if v is not None
        }
        for key, value in given_ids.items():
            if not isinstance(value, str) or not value:
                raise InvalidArgumentError(f"{key} must be a non-empty str")
        if entity_type == "EV":
            ev_id = vin if vin is not None else identifier
            if ev_id is None:
                raise InvalidArgumentError("an EV is onboarded by its VIN: pass vin=")
            _check_vin(ev_id)
        body: dict[str, Any] = {"type": entity_type}
        if flavor == "traxes":
            if tenant_id is not None:
                raise InvalidArgumentError("tenant_id is a re.alto field; the Traxes API has none")
            if len(set(given_ids.values())) > 1:
                raise InvalidArgumentError(f"Traxes has one identifier field; got {', '.join(given_ids)}")
            body.update(
                brand=maker,
                identifier=next(iter(given_ids.values()), None),
                pairingCode=pairing,
                associatedEmail=mail,
                name=label,
            )
        else:
            ids = dict(given_ids)
            if "identifier" in ids:
                target = {"EV": "vin", "SmartMeter": "ean"}.get(entity_type, "uuid")
                if target in ids and ids[target] != ids["identifier"]:
                    raise InvalidArgumentError(f"identifier= and {target}= name the same field; pass one")
                ids[target] = ids.pop("identifier")
            body.update(
                manufacturer=maker,
                code=pairing,
                email=mail,
                model=label,
                tenantId=_id(tenant_id, "tenant_id"),
                **ids,
            )
        body.update(
            collectiveId=_id(collective_id, "collective_id"),
            owner=_id(owner, "owner"),
            track=check_optional_str(track, "track"),
            returnUrl=check_optional_str(return_url, "return_url"),
        )
        if properties is not NOT_GIVEN:
            body["properties"] = check_json(properties, "properties")
        return await self._client._request(
            "POST", "/v1/onboarding/entities", OnboardingRequest, body=drop_unset(body)
        )

    @per_call_options
    def list(
        self,
        *,
        type: EntityType | str | None = None,
        manufacturer: str | None = None,
        brand: str | None = None,
        status: OnboardingStatus | str | None = None,
        page_size: int | None = None,
        continuation_token: str | None = None,
        max_items: int | None = None,
        timeout: float | Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, str] | None = None,
    ) -> AsyncPaginator[OnboardingRequest]:
        """List entity onboarding requests: ``GET /v1/onboarding/entities``.

        Args:
            type: only requests for this EntityType (or its name).
            manufacturer: only requests for this maker (sent as ``brand`` to Traxes).
            brand: the Traxes name of ``manufacturer``.
            status: only requests in this OnboardingStatus (or its name), e.g. Pending.
            page_size: requests per page asked of the server, 1 to 1000 (None: the server's default).
            continuation_token: resume from a page's or an error's ``continuation_token``.
            max_items: stop after this many requests (None: all of them).

        Returns:
            AsyncPaginator[OnboardingRequest]: iterate it for every request, one page in memory at a time;
            ``pages()`` gives the pages, ``first_page()`` the first one. Nothing is sent before.

        Raises:
            InvalidArgumentError: an argument is malformed (raised at once, before anything is sent).
            APIStatusError: while iterating, the server refused a page (the subclass names the status:
                AuthenticationError, PermissionDeniedError, RateLimitError...); errors raised during a
                listing carry ``continuation_token`` to resume from.
            APIConnectionError: while iterating, the server could not be reached or did not answer in
                time (APITimeoutError).
        """
        flavor = self._client.flavor
        params: dict[str, str] = {}
        if type is not None:
            params["type"] = entity_type_for(flavor, check_enum(type, EntityType, "type"))
        maker = _either("manufacturer", manufacturer, "brand", brand)
        if maker is not None:
            params["brand" if flavor == "traxes" else "manufacturer"] = maker
        if status is not None:
            params["status"] = check_enum(status, OnboardingStatus, "status")
        return self._client._paginate(
            "/v1/onboarding/entities",
            OnboardingRequest,
            params=params,
            page_size=page_size,
            continuation_token=continuation_token,
            max_items=max_items,
        )

    @per_call_options
    async def retrieve(
        self,
        onboarding_request_id: str | UUID,
        *,
        timeout: float | Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, str] | None = None,
    ) -> OnboardingRequest:
        """Get one entity onboarding request: ``GET /v1/onboarding/entities/{onboardingRequestId}``.

        Args:
            onboarding_request_id: the onboarding request's id (a UUID).

        Returns:
            OnboardingRequest: its status, consent link, errors and, once done, the new entity's id.

        Raises:
            InvalidArgumentError: ``onboarding_request_id`` is not a UUID (checked before sending).
            NotFoundError: no such request is visible to you (404).
            APIStatusError: any other refusal by the server (the subclass names the status).
            APIConnectionError: the server could not be reached or did not answer in time.
        """
        request_id = check_uuid(onboarding_request_id, "onboarding_request_id")
        return await self._client._request("GET", f"/v1/onboarding/entities/{request_id}", OnboardingRequest)

    @per_call_options
    async def cancel(
        self,
        onboarding_request_id: str | UUID,
        *,
        timeout: float | Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, str] | None = None,
    ) -> OnboardingRequest:
        """Cancel a Pending or InProgress request:
        ``PATCH /v1/onboarding/entities/{onboardingRequestId}/cancel``. Inferred endpoint.

        Args:
            onboarding_request_id: the onboarding request's id (a UUID).

        Returns:
            OnboardingRequest: the request, now Canceled.

        Raises:
            InvalidArgumentError: ``onboarding_request_id`` is not a UUID (checked before sending).
            NotFoundError: no such request is visible to you (404).
            APIStatusError: any other refusal by the server (the subclass names the status).
            APIConnectionError: the server could not be reached or did not answer in time.
        """
        request_id = check_uuid(onboarding_request_id, "onboarding_request_id")
        return await self._client._request(
            "PATCH", f"/v1/onboarding/entities/{request_id}/cancel", OnboardingRequest
        )

    @per_call_extras
    async def wait(
        self,
        onboarding_request_id: str | UUID,
        *,
        timeout: float | timedelta = 600.0,
        poll_interval: float | timedelta = 2.0,
        on_update: UpdateHook[OnboardingRequest] | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, str] | None = None,
    ) -> OnboardingRequest:
        """Poll ``GET /v1/onboarding/entities/{onboardingRequestId}`` until Succeeded or Canceled.

        Args:
            onboarding_request_id: the onboarding request's id (a UUID).
            timeout: give up after this many seconds (or a timedelta); default 600.
            poll_interval: seconds (or a timedelta) between the first polls; later ones back off, with
                jitter, to 8 times as long.
            on_update: called with the OnboardingRequest each time its status changes (an async callable
                is
                awaited).

        Returns:
            OnboardingRequest: Succeeded (``entity_id`` names the new entity) or Canceled.

        Raises:
            InvalidArgumentError: the id is not a UUID or a time is negative (checked before sending).
            OnboardingFailedError: the request ended Failed; its ``errors`` say why.
            OperationTimeoutError: still not final after ``timeout``; ``last_state`` is the last poll.
            NotFoundError: no such request is visible to you (404).
            APIStatusError: any other refusal by the server (the subclass names the status).
            APIConnectionError: the server could not be reached or did not answer in time.
        """
        return await _wait_onboarding(
            self._client, self.retrieve, onboarding_request_id, timeout, poll_interval, on_update
        )


class OnboardingCollectives(Resource):
    """Requests to create a collective."""

    __slots__ = ()

    @per_call_options
    async def create(
        self,
        *,
        name: str,
        type: CollectiveType | str | None = None,
        collective_id: str | UUID | None = None,
        owner: str | UUID | None = None,
        properties: Omittable[Any] = NOT_GIVEN,
        tenant_id: str | UUID | None = None,
        timeout: float | Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, str] | None = None,
    ) -> OnboardingRequest:
        """Ask to create a collective: ``POST /v1/onboarding/collectives``.

        Args:
            name: the collective's name (a non-empty str).
            type: a CollectiveType (or its name): Household, Fleet, SolarFarm, VirtualPowerPlant...
            collective_id: the parent collective (a UUID).
            owner: the principal that will own it (a UUID; default: you).
            properties: custom properties to store on it, any JSON value.
            tenant_id: the tenant it will belong to (a UUID; re.alto only).

        Returns:
            OnboardingRequest: its id and status; ``wait()`` follows it to a final state.

        Raises:
            InvalidArgumentError: ``name`` is empty, an id is not a UUID, the type is unknown, or
                ``tenant_id`` is given to a Traxes client (checked before sending).
            APIStatusError: a refusal by the server (the subclass names the status).
            APIConnectionError: the server could not be reached or did not answer in time.
        """
        if not isinstance(name, str) or not name:
            raise InvalidArgumentError("name must be a non-empty str")
        if tenant_id is not None and self._client.flavor == "traxes":
            raise InvalidArgumentError("tenant_id is a re.alto field; the Traxes API has none")
        body: dict[str, Any] = {
            "name": name,
            "type": check_enum(type, CollectiveType, "type") if type is not None else None,
            "collectiveId": _id(collective_id, "collective_id"),
            "owner": _id(owner, "owner"),
            "tenantId": _id(tenant_id, "tenant_id"),
        }
        if properties is not NOT_GIVEN:
            body["properties"] = check_json(properties, "properties")
        return await self._client._request(
            "POST", "/v1/onboarding/collectives", OnboardingRequest, body=drop_unset(body)
        )

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
    ) -> AsyncPaginator[OnboardingRequest]:
        """List collective onboarding requests: ``GET /v1/onboarding/collectives``. Inferred endpoint.

        Args:
            page_size: requests per page asked of the server, 1 to 1000 (None: the server's default).
            continuation_token: resume from a page's or an error's ``continuation_token``.
            max_items: stop after this many requests (None: all of them).

        Returns:
            AsyncPaginator[OnboardingRequest]: iterate it for every request, one page in memory at a time;
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
            "/v1/onboarding/collectives",
            OnboardingRequest,
            page_size=page_size,
            continuation_token=continuation_token,
            max_items=max_items,
        )

    @per_call_options
    async def retrieve(
        self,
        onboarding_request_id: str | UUID,
        *,
        timeout: float | Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, str] | None = None,
    ) -> OnboardingRequest:
        """Get one collective onboarding request:
        ``GET /v1/onboarding/collectives/{onboardingRequestId}``. Inferred endpoint.

        Args:
            onboarding_request_id: the onboarding request's id (a UUID).

        Returns:
            OnboardingRequest: its status, errors and, once done, the collective created.

        Raises:
            InvalidArgumentError: ``onboarding_request_id`` is not a UUID (checked before sending).
            NotFoundError: no such request is visible to you (404).
            APIStatusError: any other refusal by the server (the subclass names the status).
            APIConnectionError: the server could not be reached or did not answer in time.
        """
        request_id = check_uuid(onboarding_request_id, "onboarding_request_id")
        return await self._client._request(
            "GET", f"/v1/onboarding/collectives/{request_id}", OnboardingRequest
        )

    @per_call_options
    async def cancel(
        self,
        onboarding_request_id: str | UUID,
        *,
        timeout: float | Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, str] | None = None,
    ) -> OnboardingRequest:
        """Cancel a request: ``PATCH /v1/onboarding/collectives/{onboardingRequestId}/cancel``.

        Args:
            onboarding_request_id: the onboarding request's id (a UUID).

        Returns:
            OnboardingRequest: the request, now Canceled.

        Raises:
            InvalidArgumentError: ``onboarding_request_id`` is not a UUID (checked before sending).
            NotFoundError: no such request is visible to you (404).
            APIStatusError: any other refusal by the server (the subclass names the status).
            APIConnectionError: the server could not be reached or did not answer in time.
        """
        request_id = check_uuid(onboarding_request_id, "onboarding_request_id")
        return await self._client._request(
            "PATCH", f"/v1/onboarding/collectives/{request_id}/cancel", OnboardingRequest
        )

    @per_call_extras
    async def wait(
        self,
        onboarding_request_id: str | UUID,
        *,
        timeout: float | timedelta = 600.0,
        poll_interval: float | timedelta = 2.0,
        on_update: UpdateHook[OnboardingRequest] | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, str] | None = None,
    ) -> OnboardingRequest:
        """Poll ``GET /v1/onboarding/collectives/{onboardingRequestId}`` (inferred endpoint) until
        Succeeded or Canceled.

        Args:
            onboarding_request_id: the onboarding request's id (a UUID).
            timeout: give up after this many seconds (or a timedelta); default 600.
            poll_interval: seconds (or a timedelta) between the first polls; later ones back off, with
                jitter, to 8 times as long.
            on_update: called with the OnboardingRequest each time its status changes (an async callable
                is
                awaited).

        Returns:
            OnboardingRequest: Succeeded or Canceled.

        Raises:
            InvalidArgumentError: the id is not a UUID or a time is negative (checked before sending).
            OnboardingFailedError: the request ended Failed; its ``errors`` say why.
            OperationTimeoutError: still not final after ``timeout``; ``last_state`` is the last poll.
            NotFoundError: no such request is visible to you (404).
            APIStatusError: any other refusal by the server (the subclass names the status).
            APIConnectionError: the server could not be reached or did not answer in time.
        """
        return await _wait_onboarding(
            self._client, self.retrieve, onboarding_request_id, timeout, poll_interval, on_update
        )


class GuidedSessions(Resource):
    """Hosted onboarding pages for end users."""

    __slots__ = ()

    @per_call_options
    async def create(
        self,
        *,
        manufacturer: str,
        company_name: str | None = None,
        vin: str | None = None,
        return_url: str | None = None,
        timeout: float | Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, str] | None = None,
    ) -> GuidedOnboardingSession:
        """Open a guided onboarding session: ``POST /v1/guided-onboarding-sessions``.

        Inferred endpoint: check it against the live API.

        Args:
            manufacturer: the maker of the device to onboard, e.g. ``"Tesla"``.
            company_name: your company's name, shown to the end user.
            vin: the EV's VIN, 17 characters, when known.
            return_url: where the page sends the end user back to when done.

        Returns:
            GuidedOnboardingSession: ``url`` is the hosted page to send the end user to.

        Raises:
            InvalidArgumentError: ``manufacturer`` is empty or the VIN is malformed (checked before
                sending).
            APIStatusError: a refusal by the server (the subclass names the status).
            APIConnectionError: the server could not be reached or did not answer in time.
        """
        if not isinstance(manufacturer, str) or not manufacturer:
            raise InvalidArgumentError("manufacturer must be a non-empty str")
        if vin is not None:
            _check_vin(vin)
        body = drop_unset(
            {
                "manufacturer": manufacturer,
                "companyName": check_optional_str(company_name, "company_name"),
                "vin": vin,
                "returnUrl": check_optional_str(return_url, "return_url"),
            }
        )
        return await self._client._request(
            "POST", "/v1/guided-onboarding-sessions", GuidedOnboardingSession, body=body
        )

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
    ) -> AsyncPaginator[GuidedOnboardingSession]:
        """List guided onboarding sessions: ``GET /v1/guided-onboarding-sessions``.

        Args:
            page_size: sessions per page asked of the server, 1 to 1000 (None: the server's default).
            continuation_token: resume from a page's or an error's ``continuation_token``.
            max_items: stop after this many sessions (None: all of them).

        Returns:
            AsyncPaginator[GuidedOnboardingSession]: iterate it for every session, one page in
            memory at a time; ``pages()`` gives the pages, ``first_page()`` the first one. Nothing
            is sent before.

        Raises:
            InvalidArgumentError: an argument is malformed (raised at once, before anything is sent).
            APIStatusError: while iterating, the server refused a page (the subclass names the status:
                AuthenticationError, PermissionDeniedError, RateLimitError...); errors raised during a
                listing carry ``continuation_token`` to resume from.
            APIConnectionError: while iterating, the server could not be reached or did not answer in
                time (APITimeoutError).
        """
        return self._client._paginate(
            "/v1/guided-onboarding-sessions",
            GuidedOnboardingSession,
            page_size=page_size,
            continuation_token=continuation_token,
            max_items=max_items,
        )

    @per_call_options
    async def retrieve(
        self,
        onboarding_session_id: str | UUID,
        *,
        timeout: float | Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, str] | None = None,
    ) -> GuidedOnboardingSession:
        """Get one session: ``GET /v1/guided-onboarding-sessions/{onboardingSessionId}``.

        Args:
            onboarding_session_id: the session's id (a UUID).

        Returns:
            GuidedOnboardingSession: its page, whether it expired and the onboarding request it made.

        Raises:
            InvalidArgumentError: ``onboarding_session_id`` is not a UUID (checked before sending).
            NotFoundError: no such session is visible to you (404).
            APIStatusError: any other refusal by the server (the subclass names the status).
            APIConnectionError: the server could not be reached or did not answer in time.
        """
        session_id = check_uuid(onboarding_session_id, "onboarding_session_id")
        return await self._client._request(
            "GET", f"/v1/guided-onboarding-sessions/{session_id}", GuidedOnboardingSession
        )


class Onboarding:
    """``client.onboarding``: ``types``, ``entities``, ``collectives``, ``guided_sessions``."""

    __slots__ = ("collectives", "entities", "guided_sessions", "types")
    types: OnboardingTypes
    entities: OnboardingEntities
    collectives: OnboardingCollectives
    guided_sessions: GuidedSessions

    def __init__(self, client: AsyncRealtoClient) -> None:
        self.types = OnboardingTypes(client)
        self.entities = OnboardingEntities(client)
        self.collectives = OnboardingCollectives(client)
        self.guided_sessions = GuidedSessions(client)


expose_namespaces(Onboarding)


def _id(value: str | UUID | None, name: str) -> str | None:
    return None if value is None else check_uuid(value, name)


async def _wait_onboarding(
    client: AsyncRealtoClient,
    retrieve: Any,
    onboarding_request_id: str | UUID,
    timeout: float | timedelta,
    poll_interval: float | timedelta,
    on_update: UpdateHook[OnboardingRequest] | None,
) -> OnboardingRequest:
    request_id = check_uuid(onboarding_request_id, "onboarding_request_id")
    final: OnboardingRequest = await poll_until_final(
        lambda: retrieve(request_id),
        is_final=lambda request: request.is_final,
        what=f"onboarding request {request_id}",
        clock=client._clock,
        timeout=timeout,
        poll_interval=poll_interval,
        on_update=on_update,
    )
    if str(final.status) == "Failed":
        errors = final.errors or []
        reasons = "; ".join(f"{e.code}: {e.message}" for e in errors) or "no reason given"
        raise OnboardingFailedError(
            f"onboarding request {request_id} failed: {reasons}", errors=errors, request=final
        )
    return final
