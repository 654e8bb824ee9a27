"""The documented schemas of charge sessions, readings and aggregations (see README, "Export schema")."""

from __future__ import annotations

from ._columns import Bool, Float, Matches, Phases, Quantity, Str, Tiers, Time
from ._schema import Spec, TableSchema

__all__ = ["AGGREGATIONS", "CHARGE_SESSIONS", "READINGS"]

_LOCATION: Spec = {"latitude": Float("latitude"), "longitude": Float("longitude"), "address": Str("address")}

_READING_DATA: Spec = {
    "instantaneousCurrent": Phases("current", "A"),
    "instantaneousVoltage": Phases("voltage", "V"),
    "positiveActiveInstantaneousPower": Phases("import_power", "W"),
    "negativeActiveInstantaneousPower": Phases("export_power", "W"),
    "positiveActiveEnergyPhases": Phases("import_energy_phases", "kWh"),
    "negativeActiveEnergyPhases": Phases("export_energy_phases", "kWh"),
    "positiveActiveEnergy": Tiers("import_energy", "kWh"),
    "negativeActiveEnergy": Tiers("export_energy", "kWh"),
    "positiveReactiveEnergy": Tiers("reactive_energy", "kvarh"),
    "positiveGasVolume": Quantity("gas_import", "m3"),
    "negativeGasVolume": Quantity("gas_export", "m3"),
    "odometer": Quantity("odometer", "km"),
    "range": Quantity("range", "km"),
    "stateOfCharge": Quantity("state_of_charge", "%"),
    "isCharging": Bool("is_charging"),
    "isPluggedIn": Bool("is_plugged_in"),
    "location": _LOCATION,
    "locationMatches": Matches("location_match"),
    "activeUserReference": Str("active_user_reference"),
}

CHARGE_SESSIONS = TableSchema(
    "charge_sessions",
    {
        "id": Str("id"),
        "entityId": Str("entity_id"),
        "created": Time("created"),
        "data": {
            "start": Time("start"),
            "end": Time("end"),
            "charge": {
                "averagePower": Quantity("average_power", "kW"),
                "start": Quantity("soc_start", "%"),
                "end": Quantity("soc_end", "%"),
                "total": Tiers("charge", "kWh"),
            },
            "range": {"start": Quantity("range_start", "km"), "end": Quantity("range_end", "km")},
            "location": _LOCATION,
            "locationMatches": Matches("location_match"),
        },
    },
)

READINGS = TableSchema(
    "readings",
    {
        "id": Str("id"),
        "entityId": Str("entity_id"),
        "measured": Time("measured"),
        "received": Time("received"),
        "processed": Time("processed"),
        "data": _READING_DATA,
    },
)

AGGREGATIONS = TableSchema(
    "aggregations",
    {"start": Time("start"), "end": Time("end"), "data": _READING_DATA},
    context=(("entity_id", "string"),),
)
