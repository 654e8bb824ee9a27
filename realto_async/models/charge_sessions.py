"""Charging records: one ended charge session of an EV."""

from __future__ import annotations

from datetime import datetime

from ._base import RealtoModel, model
from .common import GeoLocation, LocationMatch, Quantity, TieredValues

__all__ = ["ChargeFigures", "ChargeSessionData", "ChargingRecord", "RangeFigures"]


@model
class ChargeFigures(RealtoModel):
    """Average power, state of charge at start and end, and energy charged."""

    average_power: Quantity | None = None
    start: Quantity | None = None
    end: Quantity | None = None
    total: TieredValues | None = None


@model
class RangeFigures(RealtoModel):
    """The EV's range at the start and end of the session."""

    start: Quantity | None = None
    end: Quantity | None = None


@model
class ChargeSessionData(RealtoModel):
    """When, where and how much a session charged."""

    start: datetime
    end: datetime
    charge: ChargeFigures | None = None
    range: RangeFigures | None = None
    location: GeoLocation | None = None
    location_matches: list[LocationMatch] | None = None

    @property
    def duration_seconds(self) -> float:
        """Length of the session in seconds."""
        return (self.end - self.start).total_seconds()


@model
class ChargingRecord(RealtoModel):
    """One ended charge session (``GET /v1/entities/{id}/charge-sessions``)."""

    id: str
    entity_id: str
    created: datetime
    data: ChargeSessionData
