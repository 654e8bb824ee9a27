"""Every API object and enum. All are frozen attrs classes with ``from_dict`` / ``to_dict``."""

from .._errors import ErrorDetail
from ._base import RealtoModel
from .charge_sessions import ChargeFigures, ChargeSessionData, ChargingRecord, RangeFigures
from .common import GeoLocation, LocationMatch, LocationRef, PhaseValues, Quantity, TieredValues
from .entities import Entity, EntityInformation, EntityReference
from .enums import (
    CollectiveType,
    CommandStatus,
    CommandType,
    EntityType,
    OnboardingRequestType,
    OnboardingStatus,
    PermissionLevel,
)

__all__ = [
    "ChargeFigures",
    "ChargeSessionData",
    "ChargingRecord",
    "CollectiveType",
    "CommandStatus",
    "CommandType",
    "Entity",
    "EntityInformation",
    "EntityReference",
    "EntityType",
    "ErrorDetail",
    "GeoLocation",
    "LocationMatch",
    "LocationRef",
    "OnboardingRequestType",
    "OnboardingStatus",
    "PermissionLevel",
    "PhaseValues",
    "Quantity",
    "RangeFigures",
    "RealtoModel",
    "TieredValues",
]
