"""Readings and aggregations of measured values."""

from __future__ import annotations

from datetime import datetime

from ._base import RealtoModel, model
from .common import GeoLocation, LocationMatch, PhaseValues, Quantity, TieredValues

__all__ = ["Aggregation", "Reading", "ReadingData"]


@model
class ReadingData(RealtoModel):
    """The values of one reading; each is present only when the device measures it."""

    instantaneous_current: PhaseValues | None = None
    instantaneous_voltage: PhaseValues | None = None
    positive_active_instantaneous_power: PhaseValues | None = None
    negative_active_instantaneous_power: PhaseValues | None = None
    positive_active_energy_phases: PhaseValues | None = None
    negative_active_energy_phases: PhaseValues | None = None
    positive_active_energy: TieredValues | None = None
    negative_active_energy: TieredValues | None = None
    positive_reactive_energy: TieredValues | None = None
    positive_gas_volume: Quantity | None = None
    negative_gas_volume: Quantity | None = None
    odometer: Quantity | None = None
    range: Quantity | None = None
    state_of_charge: Quantity | None = None
    is_charging: bool | None = None
    is_plugged_in: bool | None = None
    location: GeoLocation | None = None
    location_matches: list[LocationMatch] | None = None
    active_user_reference: str | None = None


@model
class Reading(RealtoModel):
    """What an entity measured at ``measured``."""

    id: str
    entity_id: str
    measured: datetime
    data: ReadingData
    received: datetime | None = None
    processed: datetime | None = None


@model
class Aggregation(RealtoModel):
    """Readings averaged over [start, end) (inferred shape)."""

    start: datetime
    end: datetime
    data: ReadingData
