"""Values with units, places, and the error body."""

from __future__ import annotations

from ._base import RealtoModel, model

__all__ = ["GeoLocation", "LocationMatch", "LocationRef", "PhaseValues", "Quantity", "TieredValues"]


@model
class Quantity(RealtoModel):
    """A measured value and its unit (``{"unit": "kWh", "value": 12.5}``)."""

    unit: str
    value: float


@model
class PhaseValues(RealtoModel):
    """A value per phase and in total, with its unit."""

    unit: str
    l1: float | None = None
    l2: float | None = None
    l3: float | None = None
    total: float | None = None


@model
class TieredValues(RealtoModel):
    """A value per tariff tier and in total, with its unit."""

    unit: str
    t1: float | None = None
    t2: float | None = None
    t3: float | None = None
    t4: float | None = None
    total: float | None = None


@model
class GeoLocation(RealtoModel):
    """A point on the map, with an address when known."""

    latitude: float
    longitude: float
    address: str | None = None


@model
class LocationRef(RealtoModel):
    """A saved location an entity was matched to."""

    id: str
    label: str | None = None


@model
class LocationMatch(RealtoModel):
    """How well a position matched a saved location."""

    accuracy: float
    location: LocationRef
