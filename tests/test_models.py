"""Models and the converter: the docs' examples, unknown fields and enums, datetimes, round trips."""

from __future__ import annotations

import json
import logging
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from realto_async import (
    ChargingRecord,
    Entity,
    EntityType,
    InvalidArgumentError,
    Quantity,
    ResponseValidationError,
    TieredValues,
)
from realto_async._convert import (
    _parse_iso_fallback,
    converter,
    format_datetime,
    parse_datetime,
    structure,
)
from tests.helpers import charge_record_payload, entity_payload

# Copied from shared/api/seed-pages: the examples of the API documentation.
SEED_PAGES = Path(__file__).resolve().parent / "data" / "seed-pages"


def seed_json_objects(name: str) -> list[Any]:
    """Every top-level JSON object in a seed page (the docs' trailing commas forgiven)."""
    text = (SEED_PAGES / name).read_text()
    text = re.sub(r",(\s*[}\]])", r"\1", text)
    decoder = json.JSONDecoder()
    found, index = [], 0
    while (index := text.find("{", index)) != -1:
        try:
            value, end = decoder.raw_decode(text, index)
        except json.JSONDecodeError:
            index += 1
            continue
        found.append(value)
        index = end
    return found


def test_the_docs_charge_session_page_parses() -> None:
    (payload, *_) = seed_json_objects("002_cde4ad1c8037588e.txt")
    record = ChargingRecord.from_dict(payload["data"][0])
    assert record.created == datetime(2023, 11, 7, 5, 31, 56, tzinfo=timezone.utc)
    assert record.data.charge is not None
    assert record.data.charge.total == TieredValues(
        unit="<string>", t1=123, t2=123, t3=123, t4=123, total=123
    )
    assert record.data.location_matches is not None
    assert record.data.location_matches[0].location.label == "<string>"
    assert record.to_dict() == payload["data"][0]


@pytest.mark.parametrize(
    ("page", "locate"),
    [
        ("000_a1b1751aad96a825.txt", lambda p: p["data"][0]["onboardingRequest"]["data"]["entity"]),
        ("001_0f0bbd6f50bd9611.txt", lambda p: p["data"]["entity"]),
        ("003_dfb04749fddfb389.txt", lambda p: p["data"]["entity"]),
        ("004_b8b1b70139796eb7.txt", lambda p: p["data"]["entity"]),
    ],
)
def test_the_docs_entities_parse_in_both_dialects(page: str, locate: Any) -> None:
    payloads = [p for p in seed_json_objects(page) if "data" in p]
    entity_json = locate(payloads[-1])
    entity = Entity.from_dict(entity_json)
    assert entity.type in (EntityType.BATTERY, EntityType.EV)
    assert entity.information is not None
    assert entity.information.maker in ("<string>", "Audi")
    assert entity.to_dict() == entity_json


def test_traxes_entity_fields_are_read() -> None:
    payload = {
        "id": "3c90c3cc-0d44-4b50-8888-8dd25736052a",
        "type": "ChargePoint",
        "name": "Garage",
        "brand": "Alfen",
        "identifier": "ACE0001",
        "isOnline": True,
        "created": "2024-01-02T03:04:05+01:00",
        "lastSeen": "2024-01-02 03:04:05Z",
        "information": {
            "type": "ChargePoint",
            "brand": "Alfen",
            "pairingCode": "123",
            "associatedEmail": "a@b.c",
        },
    }
    entity = Entity.from_dict(payload)
    assert entity.type is EntityType.CHARGE_POINT
    assert entity.is_online is True
    assert entity.created == datetime(2024, 1, 2, 2, 4, 5, tzinfo=timezone.utc)
    assert entity.information is not None
    assert entity.information.pairing_code == "123"
    assert entity.information.maker == "Alfen"
    assert Entity.from_dict(entity.to_dict()) == entity


def test_unknown_fields_and_enum_values_survive_a_round_trip(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="realto")
    payload = entity_payload(type="HydrogenTank", futureField={"nested": [1, 2, {"x": None}]})
    payload["information"]["colour"] = "blue"
    entity = Entity.from_dict(payload)
    assert entity.type == "HydrogenTank"
    assert not isinstance(entity.type, EntityType)
    assert entity.extras == {"futureField": {"nested": [1, 2, {"x": None}]}}
    assert entity.information is not None
    assert entity.information.extras == {"colour": "blue"}
    assert entity.to_dict() == payload
    Entity.from_dict(payload)
    warnings = [r for r in caplog.records if "HydrogenTank" in r.getMessage()]
    assert len(warnings) == 1  # once per value, not per object
    assert warnings[0].levelno == logging.WARNING
    assert warnings[0].name == "realto"


@pytest.mark.parametrize(
    ("mutate", "path", "expected"),
    [
        (lambda p: p.pop("id"), "id", "a value"),
        (lambda p: p["data"].update(start="yesterday"), "data.start", "ISO-8601"),
        (lambda p: p["data"].update(start="2024-05-27T18:00:00"), "data.start", "timezone"),
        (
            lambda p: p["data"]["charge"]["averagePower"].update(value="7"),
            "data.charge.averagePower.value",
            "a number",
        ),
        (
            lambda p: p["data"]["charge"]["averagePower"].update(value=True),
            "data.charge.averagePower.value",
            "a number",
        ),
        (lambda p: p["data"].update(locationMatches={}), "data.locationMatches", "a list"),
        (lambda p: p["data"]["locationMatches"].append(3), "data.locationMatches[1]", "an object"),
        (lambda p: p.update(data=None), "data", "an object"),
    ],
)
def test_a_misfit_names_its_path(mutate: Any, path: str, expected: str) -> None:
    payload = charge_record_payload()
    mutate(payload)
    with pytest.raises(ResponseValidationError) as info:
        ChargingRecord.from_dict(payload)
    assert info.value.path == path
    assert expected in str(info.value)


def test_explicit_nulls_on_optional_fields_are_accepted_and_left_out() -> None:
    payload = entity_payload(collectiveId=None, information=None)
    entity = Entity.from_dict(payload)
    assert entity.collective_id is None
    assert "collectiveId" not in entity.to_dict()


def test_ints_stay_ints_and_floats_stay_floats() -> None:
    q = Quantity.from_dict({"unit": "kWh", "value": 3})
    assert type(q.value) is int
    assert Quantity.from_dict({"unit": "kWh", "value": 3.0}).to_dict() == {"unit": "kWh", "value": 3.0}


def test_models_are_frozen_and_hashable() -> None:
    import attrs

    q = Quantity(unit="kW", value=1.5)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        q.value = 2  # type: ignore[misc]
    assert q == Quantity.from_dict({"unit": "kW", "value": 1.5})
    assert q.extras == {}


def test_the_cattrs_converter_is_the_public_hook() -> None:
    q = converter.structure({"unit": "kW", "value": 1}, Quantity)
    assert q == Quantity(unit="kW", value=1)
    assert converter.unstructure(q) == {"unit": "kW", "value": 1}
    with pytest.raises(ResponseValidationError, match="Quantity at 'unit'"):
        converter.structure({"value": 1}, Quantity)
    assert converter.structure("2024-01-01T00:00:00Z", datetime) == datetime(2024, 1, 1, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2023-11-07T05:31:56Z", datetime(2023, 11, 7, 5, 31, 56, tzinfo=timezone.utc)),
        ("2024-05-27 13:00:00Z", datetime(2024, 5, 27, 13, tzinfo=timezone.utc)),
        ("2024-05-27T13:00:00.1234567Z", datetime(2024, 5, 27, 13, 0, 0, 123456, tzinfo=timezone.utc)),
        ("2024-05-27T15:00:00+02:00", datetime(2024, 5, 27, 13, tzinfo=timezone.utc)),
        ("2024-05-27T15:00:00+0200", datetime(2024, 5, 27, 13, tzinfo=timezone.utc)),
        ("2024-05-27t13:00z", datetime(2024, 5, 27, 13, tzinfo=timezone.utc)),
    ],
)
def test_datetime_forms_parse_with_both_parsers(text: str, expected: datetime) -> None:
    assert parse_datetime(text) == expected
    assert _parse_iso_fallback(text) == expected  # the path Python 3.10 takes for "Z"


DATETIME_FORMS = [
    "2023-11-07T05:31:56Z",
    "2024-05-27 13:00:00Z",
    "2024-05-27T13:00:00.1234567Z",
    "2024-05-27T15:00:00+02:00",
    "2024-05-27T15:00:00+0200",
    "2024-05-27t13:00z",
]
BAD_DATETIMES: list[object] = [
    "2024-13-01T00:00:00Z",
    "not a date",
    "2024-05-27",
    "2024-05-27T13:00:00",
    1716814800,
    "\uff12\uff10\uff12\uff14-05-28T02:00:00Z",  # full-width digits
    "2024-05-28T02:00:00\u00a0Z",  # a no-break space
]


@pytest.mark.parametrize("text", DATETIME_FORMS)
def test_decoded_datetimes_match_parse_datetime(text: str) -> None:
    """Decoding parses date-times inline (not through parse_datetime): the same value, top level
    and nested."""
    payload = charge_record_payload()
    payload["created"] = text
    payload["data"]["start"] = text
    record = ChargingRecord.from_dict(payload)
    assert record.created == parse_datetime(text)
    assert record.data.start == parse_datetime(text)
    assert record.created.utcoffset() is not None


@pytest.mark.parametrize("value", BAD_DATETIMES)
@pytest.mark.parametrize("where", ["created", "data.start"])
def test_decoding_refuses_what_parse_datetime_refuses(value: object, where: str) -> None:
    payload = charge_record_payload()
    if where == "created":
        payload["created"] = value
    else:
        payload["data"]["start"] = value
    with pytest.raises(ResponseValidationError, match=f"at '{where}'"):
        ChargingRecord.from_dict(payload)


@pytest.mark.parametrize(
    "text",
    [
        "2024-13-01T00:00:00Z",
        "not a date",
        "2024-05-27",
        "\uff12\uff10\uff12\uff14-05-28T02:00:00Z",
        "2024-05-28T02:00:00\u00a0Z",
    ],
)
def test_bad_datetimes_are_refused(text: str) -> None:
    with pytest.raises(InvalidArgumentError):
        parse_datetime(text)


def test_format_datetime_writes_utc_as_z_and_refuses_naive() -> None:
    assert format_datetime(datetime(2024, 1, 1, tzinfo=timezone.utc)) == "2024-01-01T00:00:00Z"
    plus_two = timezone(timedelta(hours=2))
    assert format_datetime(datetime(2024, 1, 1, 2, tzinfo=plus_two)) == "2024-01-01T02:00:00+02:00"
    with pytest.raises(InvalidArgumentError, match="naive"):
        format_datetime(datetime(2024, 1, 1))


# ------------------------------------------------------------------------------ hypothesis

json_scalars = st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(max_size=8)
json_values = st.recursive(
    json_scalars | st.floats(allow_nan=False, allow_infinity=False),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=6,
)
numbers = st.integers(-(10**9), 10**9) | st.floats(allow_nan=False, allow_infinity=False, width=64)
aware_datetimes = st.datetimes(
    min_value=datetime(1970, 1, 2), max_value=datetime(2200, 1, 1), timezones=st.just(timezone.utc)
).map(format_datetime)


def with_extras(
    known: set[str], base: st.SearchStrategy[dict[str, Any]]
) -> st.SearchStrategy[dict[str, Any]]:
    extra_keys = st.text(min_size=1, max_size=10).filter(lambda k: k not in known)
    return st.tuples(base, st.dictionaries(extra_keys, json_values, max_size=2)).map(
        lambda t: {**t[1], **t[0]}
    )


def optional(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.none() | strategy


def fixed(**fields: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    """Dicts with the given keys; keys whose value came out None are left out."""
    return st.fixed_dictionaries(fields).map(lambda d: {k: v for k, v in d.items() if v is not None})


quantities = with_extras({"unit", "value"}, fixed(unit=st.text(max_size=5), value=numbers))
tiered = with_extras(
    {"unit", "t1", "t2", "t3", "t4", "total"},
    fixed(unit=st.text(max_size=5), t1=optional(numbers), t4=optional(numbers), total=optional(numbers)),
)
locations = fixed(latitude=numbers, longitude=numbers, address=optional(st.text(max_size=10)))
charging_records = with_extras(
    {"id", "entityId", "created", "data"},
    fixed(
        id=st.uuids().map(str),
        entityId=st.uuids().map(str),
        created=aware_datetimes,
        data=with_extras(
            {"start", "end", "charge", "range", "location", "locationMatches"},
            fixed(
                start=aware_datetimes,
                end=aware_datetimes,
                charge=optional(
                    fixed(
                        averagePower=optional(quantities), start=optional(quantities), total=optional(tiered)
                    )
                ),
                location=optional(locations),
                locationMatches=optional(
                    st.lists(
                        fixed(
                            accuracy=numbers,
                            location=fixed(id=st.uuids().map(str), label=optional(st.text(max_size=5))),
                        ),
                        max_size=2,
                    )
                ),
            ),
        ),
    ),
)


@settings(max_examples=150, deadline=None)
@given(charging_records)
def test_any_charging_record_round_trips_unchanged(payload: dict[str, Any]) -> None:
    record = ChargingRecord.from_dict(payload)
    assert record.to_dict() == payload
    assert structure(record.to_dict(), ChargingRecord) == record


@settings(max_examples=100, deadline=None)
@given(
    st.sampled_from([e.value for e in EntityType]) | st.text(min_size=1, max_size=12),
    st.dictionaries(st.sampled_from(["a", "zz", "extraField"]), json_values, max_size=3),
)
def test_any_entity_type_and_extras_round_trip(entity_type: str, extras: dict[str, Any]) -> None:
    payload = {**extras, **entity_payload(type=entity_type)}
    entity = Entity.from_dict(payload)
    assert entity.to_dict() == payload
    assert entity.type == entity_type


def test_absent_optional_fields_read_as_their_defaults_everywhere() -> None:
    import copy
    import pickle

    import attrs

    decoded = Entity.from_dict({"id": "3c90c3cc-0d44-4b50-8888-8dd25736052a", "type": "EV"})
    built = Entity(id="3c90c3cc-0d44-4b50-8888-8dd25736052a", type=EntityType.EV)
    assert decoded.collective_id is None
    assert decoded.extras == {}
    assert decoded == built
    assert hash(decoded) == hash(built)
    assert repr(decoded) == repr(built)
    assert pickle.loads(pickle.dumps(decoded)) == built
    assert copy.deepcopy(decoded) == built
    assert attrs.evolve(decoded, name="x").name == "x"
    assert attrs.asdict(decoded) == attrs.asdict(built)
    with pytest.raises(AttributeError, match="no attribute 'colectiv_id'"):
        decoded.colectiv_id  # type: ignore[attr-defined]  # noqa: B018


def test_extras_are_read_only_and_pickle() -> None:
    import pickle

    decoded = Quantity.from_dict({"unit": "kW", "value": 1, "note": "x"})
    built = Quantity(unit="kW", value=1, extras={"note": "x"})
    assert decoded == built
    for model in (decoded, built):
        with pytest.raises(TypeError):
            model.extras["note"] = "y"  # type: ignore[index]
        assert pickle.loads(pickle.dumps(model)).extras == {"note": "x"}
    assert repr(decoded.extras) == "FrozenMapping({'note': 'x'})"


def _deeper(frames: int, call: Any) -> Any:
    return call() if frames == 0 else _deeper(frames - 1, call)


@pytest.mark.parametrize("frames", [0, 80])
def test_a_misfit_value_too_deep_to_show_is_still_a_validation_error(frames: int) -> None:
    payload = charge_record_payload()
    deep: Any = 1
    for _ in range(990):
        deep = {"a": deep}
    payload["id"] = deep
    with pytest.raises(ResponseValidationError, match="at 'id'"):
        _deeper(frames, lambda: ChargingRecord.from_dict(payload))
