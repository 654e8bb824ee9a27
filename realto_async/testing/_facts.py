"""What the emulator knows about the platform, in one place.

The SDK encodes the same facts on its side (its enums, dialect renames, VIN rule and page-size
limit); ``tests/test_emulator_shared_facts.py`` compares the two so they cannot drift apart.
Nothing here imports from the SDK.
"""

from __future__ import annotations

import re

__all__ = [
    "COMMANDS_BY_TYPE",
    "DEFAULT_PAGE_SIZE",
    "ENUMS",
    "FIELD_TO_TRAXES",
    "MAX_PAGE_SIZE",
    "TYPE_TO_REALTO",
    "TYPE_TO_TRAXES",
    "VIN_RE",
]

# Each enum's values per dialect.
ENUMS: dict[str, dict[str, set[str]]] = {
    "EntityType": {
        "realto": {"Battery", "Boiler", "ChargePole", "EV", "HeatPump", "PV", "RetrofitMeter", "SmartMeter"},
        "traxes": {
            "Battery",
            "ChargePoint",
            "EV",
            "HeatPump",
            "SolarPlant",
            "RetrofitMeter",
            "Meter",
            "Inverter",
        },
    },
    "CommandType": {
        # Both dialects take every command of the compatibility table (COMMANDS_BY_TYPE below);
        # whether an entity accepts one is UnsupportedCommand's business, not the enum's.
        "realto": {"Disconnect", "LimitFeedIn", "StartCharging", "StopCharging", "Reset", "StopFeedIn"},
        "traxes": {"Disconnect", "LimitFeedIn", "StartCharging", "StopCharging", "Reset", "StopFeedIn"},
    },
    "CollectiveType": {
        "realto": {"Community", "Household", "Fleet", "SolarFarm", "WindFarm", "VirtualPowerPlant"},
        "traxes": {"Household", "Fleet", "SolarFarm", "VirtualPowerPlant"},
    },
    "PermissionLevel": {
        "realto": {"Viewer", "Contributor", "Administer", "Owner"},
        "traxes": {"Viewer", "Contributor", "Administer", "Owner"},
    },
    "OnboardingStatus": {
        "realto": {"Canceled", "Failed", "InProgress", "Pending", "Succeeded"},
        "traxes": {"Canceled", "Failed", "InProgress", "Pending", "Succeeded"},
    },
    "CommandStatus": {
        "realto": {"Canceled", "Failed", "Pending", "Sent", "Succeeded", "Triggered"},
        "traxes": {"Canceled", "Failed", "Pending", "Sent", "Succeeded", "Triggered"},
    },
}

# Entity types the dialects name differently (re.alto name -> Traxes name).
TYPE_TO_TRAXES = {"ChargePole": "ChargePoint", "PV": "SolarPlant", "SmartMeter": "Meter"}
TYPE_TO_REALTO = {traxes: realto for realto, traxes in TYPE_TO_TRAXES.items()}

# re.alto request/information field -> its Traxes name.
FIELD_TO_TRAXES = {
    "manufacturer": "brand",
    "vin": "identifier",
    "uuid": "identifier",
    "reference": "identifier",
    "ean": "identifier",
    "code": "pairingCode",
    "email": "associatedEmail",
    "model": "name",
}

# 17 characters of A-Z and 0-9 without I, O and Q.
VIN_RE = re.compile(r"[A-HJ-NPR-Z0-9]{17}")

MAX_PAGE_SIZE = 1000
DEFAULT_PAGE_SIZE = 25

# Which commands each entity type (re.alto name) accepts: the DER Connect commands guide.
# Any other pairing is refused with a 400.
_CHARGING = frozenset({"StartCharging", "StopCharging"})
_FEED_IN = frozenset({"Reset", "Disconnect", "LimitFeedIn", "StopFeedIn"})
COMMANDS_BY_TYPE: dict[str, frozenset[str]] = {
    "EV": _CHARGING,
    "ChargePole": _CHARGING,
    "PV": _FEED_IN,
    "Inverter": _FEED_IN,
}
