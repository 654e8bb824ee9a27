"""Entity settings (F, L, B, N, H, D, X). All inferred: the docs list them without pages."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from uuid import UUID

from .._call_options import per_call_options
from .._config import Timeout
from .._errors import InvalidArgumentError, ResponseValidationError
from .._validate import check_json, check_name_segment, check_number, check_optional_str, check_uuid
from ..models.common import Quantity
from ..models.settings import Disaggregator, Feature, Location
from ._base import Resource, expose_namespaces
from ._params import drop_unset

if TYPE_CHECKING:
    from .._client import AsyncRealtoClient

__all__ = ["Settings"]


def _flag(value: object) -> bool:
    if not isinstance(value, bool):
        raise InvalidArgumentError(f"enabled must be True or False, got {value!r}")
    return value


class Features(Resource):
    """An entity's feature switches (``CaptureChargeSessions``, ``SmartCharging``...). Inferred endpoints."""

    __slots__ = ()

    @per_call_options
    async def list(
        self,
        entity_id: str | UUID,
        *,
        timeout: float | Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, str] | None = None,
    ) -> list[Feature]:
        """An entity's feature switches: ``GET /v1/entities/{entityId}/features``. Inferred endpoint.

        Args:
            entity_id: the entity's id (a UUID, as ``str`` or ``uuid.UUID``).

        Returns:
            list[Feature]: each feature's name and whether it is enabled.

        Raises:
            InvalidArgumentError: ``entity_id`` is not a UUID (checked before sending).
            NotFoundError: no such entity is visible to you (404).
            APIStatusError: any other refusal by the server (the subclass names the status).
            APIConnectionError: the server could not be reached or did not answer in time.
        """
        entity = check_uuid(entity_id, "entity_id")
        return await self._client._request_list("GET", f"/v1/entities/{entity}/features", Feature)

    @per_call_options
    async def update(
        self,
        entity_id: str | UUID,
        name: str,
        *,
        enabled: bool,
        timeout: float | Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, str] | None = None,
    ) -> Feature:
        """Switch a feature: ``PUT /v1/entities/{entityId}/features/{featureName}``. Inferred endpoint.

        Args:
            entity_id: the entity's id (a UUID, as ``str`` or ``uuid.UUID``).
            name: the feature's name, e.g. ``SmartCharging`` or ``CaptureChargeSessions``. It is one
                path segment: letters, digits, ``_`` and ``-`` only (anything else could change the
                URL, so it is refused).
            enabled: True to switch it on, False to switch it off.

        Returns:
            Feature: the feature as the server stored it.

        Raises:
            InvalidArgumentError: ``entity_id`` is not a UUID, ``name`` is not such a name, or
                ``enabled`` not a bool (checked before sending).
            NotFoundError: no such entity or feature (404).
            APIStatusError: any other refusal by the server (the subclass names the status).
            APIConnectionError: the server could not be reached or did not answer in time.
        """
        entity = check_uuid(entity_id, "entity_id")
        feature = check_name_segment(name, "name")
        return await self._client._request(
            "PUT", f"/v1/entities/{entity}/features/{feature}", Feature, body={"enabled": _flag(enabled)}
        )


class Locations(Resource):
    """An entity's saved places (home, work...), which readings and sessions are matched to. Inferred
    endpoints.
    """

    __slots__ = ()

    @per_call_options
    async def list(
        self,
        entity_id: str | UUID,
        *,
        timeout: float | Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, str] | None = None,
    ) -> list[Location]:
        """An entity's saved places: ``GET /v1/entities/{entityId}/locations``. Inferred endpoint.

        Args:
            entity_id: the entity's id (a UUID, as ``str`` or ``uuid.UUID``).

        Returns:
            list[Location]: each place's id, label, position (degrees) and radius (m).

        Raises:
            InvalidArgumentError: ``entity_id`` is not a UUID (checked before sending).
            NotFoundError: no such entity is visible to you (404).
            APIStatusError: any other refusal by the server (the subclass names the status).
            APIConnectionError: the server could not be reached or did not answer in time.
        """
        entity = check_uuid(entity_id, "entity_id")
        return await self._client._request_list("GET", f"/v1/entities/{entity}/locations", Location)

    @per_call_options
    async def create(
        self,
        entity_id: str | UUID,
        *,
        label: str,
        latitude: float,
        longitude: float,
        radius: float | None = None,
        timeout: float | Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, str] | None = None,
    ) -> Location:
        """Save a place: ``POST /v1/entities/{entityId}/locations``. Inferred endpoint.

        Args:
            entity_id: the entity's id (a UUID, as ``str`` or ``uuid.UUID``).
            label: the place's name, e.g. ``"Home"`` (non-empty).
            latitude: degrees north, -90 to 90 (WGS84).
            longitude: degrees east, -180 to 180 (WGS84).
            radius: how far from the point still counts as the place, in metres, finite and >= 0
                (None: the server's default).

        Returns:
            Location: the saved place with its id.

        Raises:
            InvalidArgumentError: ``entity_id`` is not a UUID, ``label`` is empty, the position is off
                the globe, or ``radius`` is not a finite number >= 0 (checked before sending).
            NotFoundError: no such entity is visible to you (404).
            APIStatusError: any other refusal by the server (the subclass names the status).
            APIConnectionError: the server could not be reached or did not answer in time.
        """
        entity = check_uuid(entity_id, "entity_id")
        if not isinstance(label, str) or not label.strip():
            raise InvalidArgumentError("label must be a non-empty str")
        lat, lon = check_number(latitude, "latitude"), check_number(longitude, "longitude")
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise InvalidArgumentError(
                f"({lat}, {lon}) is not a position: latitude is -90..90, longitude -180..180"
            )
        body = drop_unset(
            {
                "label": label,
                "latitude": lat,
                "longitude": lon,
                "radius": None if radius is None else check_number(radius, "radius", minimum=0, unit=" m"),
            }
        )
        return await self._client._request("POST", f"/v1/entities/{entity}/locations", Location, body=body)

    @per_call_options
    async def delete(
        self,
        entity_id: str | UUID,
        location_id: str | UUID,
        *,
        timeout: float | Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, str] | None = None,
    ) -> None:
        """Forget a place: ``DELETE /v1/entities/{entityId}/locations/{locationId}``. Inferred endpoint.

        Args:
            entity_id: the entity's id (a UUID, as ``str`` or ``uuid.UUID``).
            location_id: the place's id (a UUID).

        Returns:
            None: the API answers with no body.

        Raises:
            InvalidArgumentError: an id is not a UUID (checked before sending).
            NotFoundError: no such entity or place (404).
            APIStatusError: any other refusal by the server (the subclass names the status).
            APIConnectionError: the server could not be reached or did not answer in time.
        """
        entity = check_uuid(entity_id, "entity_id")
        location = check_uuid(location_id, "location_id")
        await self._client._request_none("DELETE", f"/v1/entities/{entity}/locations/{location}")


class QuantitySetting(Resource):
    """One value-with-unit setting (battery capacity, nominal power, heated area)."""

    __slots__ = ("_path", "_unit")

    def __init__(self, client: AsyncRealtoClient, path: str, unit: str) -> None:
        super().__init__(client)
        self._path = path
        self._unit = unit

    @per_call_options
    async def retrieve(
        self,
        entity_id: str | UUID,
        *,
        timeout: float | Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, str] | None = None,
    ) -> Quantity:
        """The setting: ``GET /v1/entities/{entityId}/<setting>``. Inferred endpoint.

        ``<setting>`` is ``battery-capacity`` (kWh), ``nominal-power`` (kW) or ``heated-area`` (m2).

        Args:
            entity_id: the entity's id (a UUID, as ``str`` or ``uuid.UUID``).

        Returns:
            Quantity: the value and its unit.

        Raises:
            InvalidArgumentError: ``entity_id`` is not a UUID (checked before sending).
            NotFoundError: no such entity, or the setting was never set (404).
            APIStatusError: any other refusal by the server (the subclass names the status).
            APIConnectionError: the server could not be reached or did not answer in time.
        """
        entity = check_uuid(entity_id, "entity_id")
        return await self._client._request("GET", f"/v1/entities/{entity}/{self._path}", Quantity)

    @per_call_options
    async def update(
        self,
        entity_id: str | UUID,
        *,
        value: float,
        unit: str | None = None,
        timeout: float | Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, str] | None = None,
    ) -> Quantity:
        """Set it: ``PUT /v1/entities/{entityId}/<setting>``. Inferred endpoint.

        ``<setting>`` is ``battery-capacity`` (kWh), ``nominal-power`` (kW) or ``heated-area`` (m2).

        Args:
            entity_id: the entity's id (a UUID, as ``str`` or ``uuid.UUID``).
            value: the new value, in ``unit``: a finite number >= 0.
            unit: the value's unit, a non-empty str (None: the setting's own: kWh, kW or m2).

        Returns:
            Quantity: the value and unit as the server stored them.

        Raises:
            InvalidArgumentError: ``entity_id`` is not a UUID, ``value`` is not a finite number >= 0,
                or ``unit`` not a str (checked before sending).
            NotFoundError: no such entity is visible to you (404).
            APIStatusError: any other refusal by the server (the subclass names the status).
            APIConnectionError: the server could not be reached or did not answer in time.
        """
        entity = check_uuid(entity_id, "entity_id")
        body = {
            "unit": check_optional_str(unit, "unit") or self._unit,
            "value": check_number(value, "value", minimum=0),
        }
        return await self._client._request("PUT", f"/v1/entities/{entity}/{self._path}", Quantity, body=body)


class Disaggregators(Resource):
    """A meter's disaggregators: which appliances its total consumption is split into. Inferred endpoints."""

    __slots__ = ()

    @per_call_options
    async def list(
        self,
        entity_id: str | UUID,
        *,
        timeout: float | Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, str] | None = None,
    ) -> list[Disaggregator]:
        """A meter's disaggregators: ``GET /v1/entities/{entityId}/disaggregators``. Inferred endpoint.

        Args:
            entity_id: the entity's id (a UUID, as ``str`` or ``uuid.UUID``).

        Returns:
            list[Disaggregator]: each disaggregator's type and whether it is enabled.

        Raises:
            InvalidArgumentError: ``entity_id`` is not a UUID (checked before sending).
            NotFoundError: no such entity is visible to you (404).
            APIStatusError: any other refusal by the server (the subclass names the status).
            APIConnectionError: the server could not be reached or did not answer in time.
        """
        entity = check_uuid(entity_id, "entity_id")
        return await self._client._request_list("GET", f"/v1/entities/{entity}/disaggregators", Disaggregator)

    @per_call_options
    async def update(
        self,
        entity_id: str | UUID,
        type: str,
        *,
        enabled: bool,
        timeout: float | Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, str] | None = None,
    ) -> Disaggregator:
        """Switch one: ``PUT /v1/entities/{entityId}/disaggregators/{disaggregatorType}``.
        Inferred endpoint.

        Args:
            entity_id: the entity's id (a UUID, as ``str`` or ``uuid.UUID``).
            type: the disaggregator's type, e.g. ``"EV"`` or ``"HeatPump"``. It is one path segment:
                letters, digits, ``_`` and ``-`` only (anything else is refused).
            enabled: True to switch it on, False to switch it off.

        Returns:
            Disaggregator: the disaggregator as the server stored it.

        Raises:
            InvalidArgumentError: ``entity_id`` is not a UUID, ``type`` is not a plain name, or
                ``enabled`` not a bool (checked before sending).
            NotFoundError: no such entity or disaggregator (404).
            APIStatusError: any other refusal by the server (the subclass names the status).
            APIConnectionError: the server could not be reached or did not answer in time.
        """
        entity = check_uuid(entity_id, "entity_id")
        kind = check_name_segment(type, "type")
        return await self._client._request(
            "PUT",
            f"/v1/entities/{entity}/disaggregators/{kind}",
            Disaggregator,
            body={"enabled": _flag(enabled)},
        )


class CustomProperties(Resource):
    """An entity's custom properties: a JSON object of your own. Inferred endpoints."""

    __slots__ = ()

    @per_call_options
    async def retrieve(
        self,
        entity_id: str | UUID,
        *,
        timeout: float | Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        """An entity's custom properties: ``GET /v1/entities/{entityId}/properties``. Inferred endpoint.

        Args:
            entity_id: the entity's id (a UUID, as ``str`` or ``uuid.UUID``).

        Returns:
            dict[str, Any]: the properties, as stored.

        Raises:
            InvalidArgumentError: ``entity_id`` is not a UUID (checked before sending).
            NotFoundError: no such entity is visible to you (404).
            ResponseValidationError: the server answered something other than a JSON object.
            APIStatusError: any other refusal by the server (the subclass names the status).
            APIConnectionError: the server could not be reached or did not answer in time.
        """
        entity = check_uuid(entity_id, "entity_id")
        found = await self._client._request_json("GET", f"/v1/entities/{entity}/properties")
        if not isinstance(found, dict):
            raise ResponseValidationError("custom properties should be a JSON object", model="properties")
        return found

    @per_call_options
    async def update(
        self,
        entity_id: str | UUID,
        properties: dict[str, Any],
        *,
        timeout: float | Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        """Replace them: ``PUT /v1/entities/{entityId}/properties``. Inferred endpoint.

        Args:
            entity_id: the entity's id (a UUID, as ``str`` or ``uuid.UUID``).
            properties: the new properties, a JSON object (replaces the old one whole).

        Returns:
            dict[str, Any]: the properties as the server stored them.

        Raises:
            InvalidArgumentError: ``entity_id`` is not a UUID or ``properties`` is not a dict (checked
                before sending).
            NotFoundError: no such entity is visible to you (404).
            APIStatusError: any other refusal by the server (the subclass names the status).
            APIConnectionError: the server could not be reached or did not answer in time.
        """
        entity = check_uuid(entity_id, "entity_id")
        if not isinstance(properties, dict):
            raise InvalidArgumentError(f"properties must be a dict, got {type(properties).__name__}")
        check_json(properties, "properties")
        found = await self._client._request_json("PUT", f"/v1/entities/{entity}/properties", body=properties)
        return found if isinstance(found, dict) else properties


class Settings:
    """``client.settings``: per-entity settings."""

    __slots__ = (
        "battery_capacity",
        "custom_properties",
        "disaggregators",
        "features",
        "heated_area",
        "locations",
        "nominal_power",
    )
    features: Features
    locations: Locations
    battery_capacity: QuantitySetting
    nominal_power: QuantitySetting
    heated_area: QuantitySetting
    disaggregators: Disaggregators
    custom_properties: CustomProperties

    def __init__(self, client: AsyncRealtoClient) -> None:
        self.features = Features(client)
        self.locations = Locations(client)
        self.battery_capacity = QuantitySetting(client, "battery-capacity", "kWh")
        self.nominal_power = QuantitySetting(client, "nominal-power", "kW")
        self.heated_area = QuantitySetting(client, "heated-area", "m2")
        self.disaggregators = Disaggregators(client)
        self.custom_properties = CustomProperties(client)


expose_namespaces(Settings)
