"""Every API object and enum. All are frozen attrs classes with ``from_dict`` / ``to_dict``."""

from .._convert import install_lazy_fields, register_open_enums
from .._errors import ErrorDetail
from ._base import RealtoModel
from .charge_sessions import ChargeFigures, ChargeSessionData, ChargingRecord, RangeFigures
from .collectives import Collective, Permission, Tenant
from .commands import Command, CommandBatch, CommandError, CommandVerification, ScheduledCommand
from .common import GeoLocation, LocationMatch, LocationRef, PhaseValues, Quantity, TieredValues
from .entities import Entity, EntityInformation, EntityReference
from .enums import (
    CollectiveType,
    CommandStatus,
    CommandType,
    EntityType,
    OffboardingStatus,
    OnboardingRequestType,
    OnboardingStatus,
    PermissionLevel,
)
from .offboarding import OffboardingData, OffboardingRequest
from .onboarding import (
    ClientInfo,
    GuidedOnboardingSession,
    OnboardingAction,
    OnboardingBrand,
    OnboardingData,
    OnboardingError,
    OnboardingRequest,
    OnboardingTransaction,
    OnboardingType,
    User,
)
from .readings import Aggregation, Reading, ReadingData
from .settings import Disaggregator, Feature, Location

__all__ = [
    "Aggregation",
    "ChargeFigures",
    "ChargeSessionData",
    "ChargingRecord",
    "ClientInfo",
    "Collective",
    "CollectiveType",
    "Command",
    "CommandBatch",
    "CommandError",
    "CommandStatus",
    "CommandType",
    "CommandVerification",
    "Disaggregator",
    "Entity",
    "EntityInformation",
    "EntityReference",
    "EntityType",
    "ErrorDetail",
    "Feature",
    "GeoLocation",
    "GuidedOnboardingSession",
    "Location",
    "LocationMatch",
    "LocationRef",
    "OffboardingData",
    "OffboardingRequest",
    "OffboardingStatus",
    "OnboardingAction",
    "OnboardingBrand",
    "OnboardingData",
    "OnboardingError",
    "OnboardingRequest",
    "OnboardingRequestType",
    "OnboardingStatus",
    "OnboardingTransaction",
    "OnboardingType",
    "Permission",
    "PermissionLevel",
    "PhaseValues",
    "Quantity",
    "RangeFigures",
    "Reading",
    "ReadingData",
    "RealtoModel",
    "ScheduledCommand",
    "Tenant",
    "TieredValues",
    "User",
]

# Nested models are kept as their checked JSON until first read (fewer objects per record).
install_lazy_fields(RealtoModel)
register_open_enums(
    CollectiveType,
    CommandStatus,
    CommandType,
    EntityType,
    OffboardingStatus,
    OnboardingRequestType,
    OnboardingStatus,
    PermissionLevel,
)
