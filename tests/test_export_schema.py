"""The documented tabular schema: unit-carrying columns, UTC times, ids as strings, extras."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from realto_async.export import AGGREGATIONS, CHARGE_SESSIONS, READINGS, table_of
from realto_async.export._generic import generic_columns, generic_row
from realto_async.export._units import convert, suffix
from realto_async.models import Aggregation, ChargingRecord, Entity, Reading

SESSION: dict[str, Any] = {
    "id": "9cc1db5c-3849-4b9e-b77d-d0c8b4c07846",
    "entityId": "6b5ede8a-9d83-43ea-8a6d-b4a280c5ecbe",
    "created": "2024-06-02T02:00:00Z",
    "data": {
        "start": "2024-06-01T21:20:00+02:00",
        "end": "2024-06-01T22:54:21Z",
        "charge": {
            "averagePower": {"unit": "kW", "value": 11.0},
            "start": {"unit": "%", "value": 25.3},
            "end": {"unit": "%", "value": 48.36},
            "total": {"unit": "kWh", "t1": 8.25, "t2": 9.048, "total": 17.298},
        },
        "range": {"start": {"unit": "km", "value": 113.9}, "end": {"unit": "km", "value": 217.6}},
        "location": {"latitude": 51.2101, "longitude": 4.54827, "address": "Home"},
        "locationMatches": [{"accuracy": 0.9, "location": {"id": "a1", "label": "Home"}}],
    },
}


def test_the_charge_session_schema_is_documented_and_stable() -> None:
    assert CHARGE_SESSIONS.columns == [
        ("id", "string"),
        ("entity_id", "string"),
        ("created", "timestamp"),
        ("start", "timestamp"),
        ("end", "timestamp"),
        ("average_power_kw", "float64"),
        ("soc_start_pct", "float64"),
        ("soc_end_pct", "float64"),
        ("charge_total_kwh", "float64"),
        ("charge_t1_kwh", "float64"),
        ("charge_t2_kwh", "float64"),
        ("charge_t3_kwh", "float64"),
        ("charge_t4_kwh", "float64"),
        ("range_start_km", "float64"),
        ("range_end_km", "float64"),
        ("latitude", "float64"),
        ("longitude", "float64"),
        ("address", "string"),
        ("location_match_id", "string"),
        ("location_match_label", "string"),
        ("location_match_accuracy", "float64"),
        ("extras", "string"),
    ]
    assert len(set(READINGS.names)) == len(READINGS.names)
    assert AGGREGATIONS.names[:3] == ["entity_id", "start", "end"]


def test_a_charge_session_flattens_with_units_and_utc_times() -> None:
    row = table_of([ChargingRecord.from_dict(SESSION)]).rows[0]
    assert row["start"] == datetime(2024, 6, 1, 19, 20, tzinfo=timezone.utc)
    assert row["start"].utcoffset() == timedelta(0)
    assert (row["average_power_kw"], row["charge_total_kwh"], row["charge_t2_kwh"]) == (11.0, 17.298, 9.048)
    assert (row["charge_t3_kwh"], row["extras"]) == (None, None)
    assert (row["location_match_id"], row["location_match_accuracy"]) == ("a1", 0.9)
    assert row["id"] == SESSION["id"]


def test_other_units_convert_and_unconvertible_ones_go_to_extras() -> None:
    data = json.loads(json.dumps(SESSION))
    data["data"]["charge"]["averagePower"] = {"unit": "W", "value": 7400}
    data["data"]["charge"]["total"] = {"unit": "Wh", "total": 12500, "t1": 12500}
    data["data"]["range"]["start"] = {"unit": "mi", "value": 70}
    data["data"]["range"]["end"] = {"unit": "m", "value": 1500}
    row = CHARGE_SESSIONS.row(data)
    assert (row["average_power_kw"], row["charge_total_kwh"], row["range_end_km"]) == (7.4, 12.5, 1.5)
    assert row["range_start_km"] is None
    assert json.loads(row["extras"]) == {"data.range.start": {"unit": "mi", "value": 70}}


def test_unknown_fields_at_every_level_are_kept_in_extras() -> None:
    data = json.loads(json.dumps(SESSION))
    data["tariff"] = "night"
    data["data"]["charge"]["peakPower"] = {"unit": "kW", "value": 22}
    data["data"]["charge"]["averagePower"]["quality"] = "estimated"
    data["data"]["locationMatches"].append({"accuracy": 0.1, "location": {"id": "b2"}})
    data["data"]["location"] = "Home"
    row = table_of([ChargingRecord.from_dict({**data, "data": {**data["data"], "location": None}})]).rows[0]
    assert json.loads(row["extras"])["tariff"] == "night"
    extras = json.loads(CHARGE_SESSIONS.row(data)["extras"])
    assert extras == {
        "tariff": "night",
        "data.charge.peakPower": {"unit": "kW", "value": 22},
        "data.charge.averagePower": {"unit": "kW", "value": 11.0, "quality": "estimated"},
        "data.locationMatches": data["data"]["locationMatches"],
        "data.location": "Home",
    }
    assert CHARGE_SESSIONS.row(data)["average_power_kw"] is None


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("created", "yesterday"),
        ("created", "2024-06-01T12:00:00"),
        ("created", 17),
        ("id", 12),
    ],
)
def test_misfit_values_go_to_extras_not_to_typed_columns(field: str, value: Any) -> None:
    row = CHARGE_SESSIONS.row({**SESSION, field: value})
    assert row[field] is None
    assert json.loads(row["extras"]) == {field: value}


def test_misfit_numbers_and_flags_go_to_extras() -> None:
    data = {
        "id": "r1",
        "entityId": "e1",
        "measured": "2024-06-01T12:00:00Z",
        "data": {
            "isCharging": "yes",
            "odometer": {"unit": "km", "value": True},
            "stateOfCharge": {"value": 3},
            "instantaneousVoltage": {"unit": "V", "l1": "high"},
            "instantaneousCurrent": {"unit": "A", "l1": 6.0, "l4": 1.0},
            "positiveActiveInstantaneousPower": {"unit": "kW", "total": 1.5, "l1": 0.5},
            "negativeActiveInstantaneousPower": {"unit": "km", "total": 1.5},
            "locationMatches": [{"accuracy": 1, "location": {"id": 5}}],
        },
    }
    row = READINGS.row(data)
    assert (row["import_power_total_w"], row["import_power_l1_w"], row["import_power_l2_w"]) == (
        1500.0,
        500.0,
        None,
    )
    assert set(json.loads(row["extras"])) == {
        "data.isCharging",
        "data.odometer",
        "data.stateOfCharge",
        "data.instantaneousVoltage",
        "data.instantaneousCurrent",
        "data.negativeActiveInstantaneousPower",
        "data.locationMatches",
    }


def test_aggregations_take_the_entity_id_from_the_context() -> None:
    aggregation = Aggregation.from_dict(
        {
            "start": "2024-06-01T12:00:00Z",
            "end": "2024-06-01T13:00:00Z",
            "data": {"range": {"unit": "km", "value": 9}},
        }
    )
    assert table_of([aggregation], context={"entity_id": "e1"}).rows[0]["entity_id"] == "e1"
    assert table_of([aggregation]).rows[0]["entity_id"] is None
    assert table_of([aggregation]).rows[0]["range_km"] == 9.0


def test_an_empty_listing_still_has_its_schema() -> None:
    assert table_of([], Reading).columns == READINGS.columns
    assert table_of([]).columns == []


def test_other_models_flatten_generically() -> None:
    entity = Entity.from_dict(
        {
            "id": "e1",
            "type": "EV",
            "information": {"type": "EV", "manufacturer": "Kia"},
            "properties": {"odometer": {"unit": "km", "value": 5}, "tags": ["a", "b"], "fleet": True},
        }
    )
    row = generic_row(entity.to_dict())
    assert row == {
        "id": "e1",
        "type": "EV",
        "information_type": "EV",
        "information_manufacturer": "Kia",
        "properties_odometer_km": 5,
        "properties_tags": '["a","b"]',
        "properties_fleet": True,
    }
    columns = dict(generic_columns([{"a": None, "b": 1}, {"a": "x", "b": 2, "c": False}]))
    assert columns == {"a": "string", "b": "float64", "c": "bool"}


def test_units() -> None:
    assert [suffix(unit) for unit in ("kWh", "%", "W", "m3")] == ["kwh", "pct", "w", "m3"]
    assert convert(1500, "W", "kW") == 1.5
    assert convert(2, "MWh", "kWh") == 2000
    assert convert(1, "kW", "kWh") is None
    assert convert(1, "furlong", "km") is None


@pytest.mark.parametrize("value", [10**400, -(10**309)])
def test_an_integer_beyond_any_float_goes_to_extras(value: int) -> None:
    """JSON allows integers of any size and the SDK keeps them exact; a float column cannot."""
    data = json.loads(json.dumps(SESSION))
    data["data"]["charge"]["total"]["total"] = value
    row = CHARGE_SESSIONS.row(data)
    assert row["charge_total_kwh"] is None
    assert json.loads(row["extras"])["data.charge.total"]["total"] == value
