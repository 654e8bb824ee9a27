"""API enums. Values of both dialects are members; unknown values arrive as plain ``str``."""

from __future__ import annotations

from enum import Enum

__all__ = [
    "CollectiveType",
    "CommandStatus",
    "CommandType",
    "EntityType",
    "OnboardingRequestType",
    "OffboardingStatus",
    "OnboardingStatus",
    "PermissionLevel",
]


class _StrEnum(str, Enum):
    def __str__(self) -> str:
        return str(self.value)


class EntityType(_StrEnum):
    """Kinds of entity. re.alto and Traxes name some differently (see ``DIALECT_RENAMES``)."""

    BATTERY = "Battery"
    BOILER = "Boiler"
    CHARGE_POLE = "ChargePole"
    CHARGE_POINT = "ChargePoint"
    EV = "EV"
    HEAT_PUMP = "HeatPump"
    PV = "PV"
    SOLAR_PLANT = "SolarPlant"
    RETROFIT_METER = "RetrofitMeter"
    SMART_METER = "SmartMeter"
    METER = "Meter"
    INVERTER = "Inverter"


class CollectiveType(_StrEnum):
    """Kinds of collective: a group of entities such as a household, a fleet or a solar farm."""

    COMMUNITY = "Community"
    HOUSEHOLD = "Household"
    FLEET = "Fleet"
    SOLAR_FARM = "SolarFarm"
    WIND_FARM = "WindFarm"
    VIRTUAL_POWER_PLANT = "VirtualPowerPlant"


class PermissionLevel(_StrEnum):
    """What a principal may do on an entity: view it, send commands (Contributor), administer or own it."""

    VIEWER = "Viewer"
    CONTRIBUTOR = "Contributor"
    ADMINISTER = "Administer"
    OWNER = "Owner"


class OnboardingRequestType(_StrEnum):
    """What an onboarding request creates: an entity, a collective, a tenant, a user or a client."""

    COLLECTIVE = "Collective"
    ENTITY = "Entity"
    TENANT = "Tenant"
    USER = "User"
    CLIENT = "Client"


class OnboardingStatus(_StrEnum):
    """Where an onboarding request stands: Pending, InProgress, then Succeeded, Failed or Canceled."""

    CANCELED = "Canceled"
    FAILED = "Failed"
    IN_PROGRESS = "InProgress"
    PENDING = "Pending"
    SUCCEEDED = "Succeeded"


class CommandType(_StrEnum):
    """What a command tells a device to do; LimitFeedIn takes a ``value``: the limit in W."""

    DISCONNECT = "Disconnect"
    LIMIT_FEED_IN = "LimitFeedIn"
    START_CHARGING = "StartCharging"
    STOP_CHARGING = "StopCharging"
    RESET = "Reset"
    STOP_FEED_IN = "StopFeedIn"


class CommandStatus(_StrEnum):
    """Where a command stands: Pending, Triggered, Sent, then Succeeded, Failed or Canceled."""

    CANCELED = "Canceled"
    FAILED = "Failed"
    PENDING = "Pending"
    SENT = "Sent"
    SUCCEEDED = "Succeeded"
    TRIGGERED = "Triggered"


# re.alto value -> Traxes value, for the enum values the dialects name differently.
DIALECT_RENAMES: dict[str, str] = {
    "ChargePole": "ChargePoint",
    "PV": "SolarPlant",
    "SmartMeter": "Meter",
}


class OffboardingStatus(_StrEnum):
    """Where an offboarding request stands: Pending, then Succeeded, Failed or Canceled."""

    CANCELED = "Canceled"
    FAILED = "Failed"
    PENDING = "Pending"
    SUCCEEDED = "Succeeded"
