"""Nested models are kept as their checked JSON until first read, without the public API noticing."""

from __future__ import annotations

import copy
import pickle
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any, TypeVar, cast

import attrs
import pytest
from aiohttp import web

from realto_async import (
    AsyncRealtoClient,
    ChargeFigures,
    ChargeSessionData,
    ChargingRecord,
    CommandType,
    Entity,
    GeoLocation,
    InvalidArgumentError,
    LocationMatch,
    LocationRef,
    Quantity,
    RangeFigures,
    ResponseValidationError,
    TieredValues,
)
from realto_async._convert import structure_list
from realto_async.models._base import RealtoModel, model
from tests.helpers import ENTITY_ID, ScriptedServer, charge_record_payload, entity_payload, page

M = TypeVar("M")


def new(cls: type[M], **fields: Any) -> M:
    """Construct a model (through Any: until the model decorator is visible to type checkers)."""
    made: M = cast(Any, cls)(**fields)
    return made


def stored(obj: Any, name: str) -> Any:
    """What the model's slot holds, without building anything."""
    return type(obj).__dict__[name].slot.__get__(obj, type(obj))


def eager_record(index: int = 0) -> ChargingRecord:
    """The same record as charge_record_payload(index), built by hand through the constructors."""
    payload = charge_record_payload(index)
    data = payload["data"]
    charge = data["charge"]
    return new(
        ChargingRecord,
        id=payload["id"],
        entity_id=payload["entityId"],
        created=datetime.fromisoformat(payload["created"].replace("Z", "+00:00")),
        data=new(
            ChargeSessionData,
            start=datetime.fromisoformat(data["start"].replace("Z", "+00:00")),
            end=datetime.fromisoformat(data["end"].replace("Z", "+00:00")),
            charge=new(
                ChargeFigures,
                average_power=new(Quantity, **charge["averagePower"]),
                start=new(Quantity, **charge["start"]),
                end=new(Quantity, **charge["end"]),
                total=new(TieredValues, **charge["total"]),
            ),
            range=new(
                RangeFigures,
                start=new(Quantity, **data["range"]["start"]),
                end=new(Quantity, **data["range"]["end"]),
            ),
            location=new(GeoLocation, **data["location"]),
            location_matches=[
                new(LocationMatch, accuracy=match["accuracy"], location=new(LocationRef, **match["location"]))
                for match in data["locationMatches"]
            ],
        ),
    )


def test_a_decoded_record_builds_its_nested_parts_on_first_read_only() -> None:
    record = ChargingRecord.from_dict(charge_record_payload())
    assert type(stored(record, "data")) is dict
    data = record.data
    assert isinstance(data, ChargeSessionData)
    assert stored(record, "data") is data
    assert record.data is data  # built once, then kept
    assert isinstance(data.charge, ChargeFigures)
    assert isinstance(data.charge.average_power, Quantity)


def test_reading_one_nested_value_builds_only_the_parts_on_its_path() -> None:
    record = ChargingRecord.from_dict(charge_record_payload())
    charge = record.data.charge
    assert charge is not None
    assert charge.total == TieredValues.from_dict(charge_record_payload()["data"]["charge"]["total"])
    assert type(stored(record.data, "range")) is dict
    assert type(stored(record.data, "location")) is dict
    assert type(stored(charge, "average_power")) is dict
    assert isinstance(stored(charge, "total"), TieredValues)
    assert record.data.location_matches is not None
    assert type(stored(record.data.location_matches[0], "location")) is dict
    assert record.data.location_matches[0].location.id == "7d1e5c2a-8a34-4f4b-9f1e-2b6d8c7e9a01"


def test_a_lazily_decoded_record_equals_the_one_built_by_hand() -> None:
    for index in range(3):
        lazy = ChargingRecord.from_dict(charge_record_payload(index))
        assert lazy == eager_record(index)
        assert eager_record(index) == ChargingRecord.from_dict(charge_record_payload(index))
        assert repr(ChargingRecord.from_dict(charge_record_payload(index))) == repr(eager_record(index))
    assert ChargingRecord.from_dict(charge_record_payload(0)) != ChargingRecord.from_dict(
        charge_record_payload(1)
    )


def test_hashing_builds_the_nested_parts_and_agrees_with_the_eager_model() -> None:
    payload = {"start": {"unit": "km", "value": 80}, "end": {"unit": "km", "value": 320}}
    lazy = RangeFigures.from_dict(payload)
    assert type(stored(lazy, "start")) is dict
    eager = new(
        RangeFigures, start=new(Quantity, unit="km", value=80), end=new(Quantity, unit="km", value=320)
    )
    assert hash(lazy) == hash(eager)
    assert len({lazy, eager, RangeFigures.from_dict(payload)}) == 1


@pytest.mark.parametrize(
    "copier",
    [
        lambda r: pickle.loads(pickle.dumps(r)),
        lambda r: pickle.loads(pickle.dumps(r, protocol=2)),
        copy.deepcopy,
        copy.copy,
        lambda r: attrs.evolve(r, id="other"),
    ],
)
def test_copies_of_an_untouched_record_carry_its_nested_parts(copier: Callable[[Any], Any]) -> None:
    record = ChargingRecord.from_dict(charge_record_payload(2))
    copied = copier(record)
    assert isinstance(copied, ChargingRecord)
    assert copied.data == eager_record(2).data
    assert copied.data.charge is not None
    assert copied.data.charge.total == TieredValues.from_dict(
        charge_record_payload(2)["data"]["charge"]["total"]
    )


def test_to_dict_of_an_untouched_record_is_the_wire_json() -> None:
    for index in range(3):
        lazy = ChargingRecord.from_dict(charge_record_payload(index))
        assert lazy.to_dict() == eager_record(index).to_dict()
        assert ChargingRecord.from_dict(lazy.to_dict()) == eager_record(index)


def test_unknown_nested_fields_are_kept_when_built_later() -> None:
    payload = charge_record_payload()
    payload["data"]["charge"]["averagePower"]["quality"] = "estimated"
    payload["data"]["newThing"] = [1, 2]
    record = ChargingRecord.from_dict(payload)
    assert record.data.extras == {"newThing": [1, 2]}
    assert record.data.charge is not None
    assert record.data.charge.average_power is not None
    assert record.data.charge.average_power.extras == {"quality": "estimated"}
    written = record.to_dict()
    assert written["data"]["newThing"] == [1, 2]
    assert written["data"]["charge"]["averagePower"] == {"unit": "kW", "value": 7.2, "quality": "estimated"}


def test_absent_and_null_nested_parts_read_as_none() -> None:
    payload = entity_payload(information=None)
    payload.pop("reference", None)
    entity = Entity.from_dict(payload)
    assert entity.information is None
    assert entity.reference is None
    assert "information" not in entity.to_dict()


@pytest.mark.parametrize(
    ("mutate", "path"),
    [
        (lambda p: p["data"]["charge"]["total"].update(unit=5), "data.charge.total.unit"),
        (lambda p: p["data"]["charge"]["total"].update(t1="12"), "data.charge.total.t1"),
        (lambda p: p["data"]["range"]["end"].pop("unit"), "data.range.end.unit"),
        (lambda p: p["data"]["range"].update(start=[1]), "data.range.start"),
        (lambda p: p["data"]["location"].update(latitude=None), "data.location.latitude"),
        (
            lambda p: p["data"]["locationMatches"][0]["location"].update(id=7),
            "data.locationMatches[0].location.id",
        ),
        (lambda p: p["data"].update(end="yesterday"), "data.end"),
        (lambda p: p["data"].update(start="2024-05-27T10:00:00"), "data.start"),
    ],
)
def test_a_bad_nested_value_fails_the_decode_not_the_first_read(
    mutate: Callable[[Any], Any], path: str
) -> None:
    payload = charge_record_payload()
    mutate(payload)
    with pytest.raises(ResponseValidationError) as info:
        ChargingRecord.from_dict(payload)
    assert info.value.path == path
    with pytest.raises(ResponseValidationError) as in_list:
        structure_list([charge_record_payload(1), payload], ChargingRecord, path="data")
    assert in_list.value.path == f"data[1].{path}"


async def test_the_paginator_raises_before_yielding_a_record_with_a_bad_nested_value(
    server: ScriptedServer, client: AsyncRealtoClient
) -> None:
    bad = charge_record_payload(3)
    bad["data"]["charge"]["start"]["value"] = "20%"
    pages = {None: page([charge_record_payload(0)], "t1"), "t1": page([charge_record_payload(1), bad], None)}

    async def handler(request: web.Request) -> web.Response:
        return web.json_response(pages[request.query.get("continuationToken")])

    server.on("GET", f"/v1/entities/{ENTITY_ID}/charge-sessions", handler)
    seen: list[str] = []

    async def iterate() -> None:
        async for record in client.charge_sessions.list(ENTITY_ID, datetime(2024, 5, 1, tzinfo=timezone.utc)):
            seen.append(record.id)

    with pytest.raises(ResponseValidationError) as info:
        await iterate()
    assert seen == [charge_record_payload(0)["id"]]  # nothing of the bad page was yielded
    assert info.value.path == "data[1].data.charge.start.value"
    assert info.value.continuation_token == "t1"


@pytest.mark.parametrize("value", [{"start": "2024-05-27T10:00:00Z"}, {}])
def test_a_dict_given_for_a_nested_model_is_refused_with_the_model_to_use(value: dict[str, Any]) -> None:
    with pytest.raises(InvalidArgumentError, match=r"ChargingRecord\.data takes a ChargeSessionData"):
        new(ChargingRecord, id="x", entity_id="y", created=datetime.now(timezone.utc), data=value)
    with pytest.raises(InvalidArgumentError, match=r"RangeFigures\.start takes a Quantity"):
        new(RangeFigures, start=value)


def test_the_class_attribute_is_still_introspectable() -> None:
    assert [f.name for f in attrs.fields(ChargingRecord)] == ["extras", "id", "entity_id", "created", "data"]
    assert ChargingRecord.__dict__["data"].target is ChargeSessionData
    assert ChargingRecord.data is ChargingRecord.__dict__["data"]


@model
class Inner(RealtoModel):
    """A nested part with every list kind, to be checked while its parent decodes."""

    numbers: list[float]
    flags: list[bool] | None = None
    blobs: list[dict[str, Any]] | None = None
    kinds: list[CommandType | str] | None = None
    times: list[datetime] | None = None


@model
class Outer(RealtoModel):
    name: str
    inner: Inner | None = None


OUTER = {
    "name": "x",
    "inner": {
        "numbers": [1, 2.5],
        "flags": [True, False],
        "blobs": [{"a": 1}],
        "kinds": ["StartCharging", "Teleport"],
        "times": ["2024-01-01T00:00:00Z"],
    },
}


def test_every_list_kind_inside_a_lazy_part_is_built_on_first_read() -> None:
    outer = Outer.from_dict(OUTER)
    assert type(stored(outer, "inner")) is dict
    inner = outer.inner
    assert inner is not None
    assert inner.numbers == [1, 2.5]
    assert inner.flags == [True, False]
    assert inner.blobs == [{"a": 1}]
    assert inner.kinds == [CommandType.START_CHARGING, "Teleport"]
    assert inner.times == [datetime(2024, 1, 1, tzinfo=timezone.utc)]
    assert outer.to_dict() == OUTER


@pytest.mark.parametrize(
    ("key", "value", "path", "expected"),
    [
        ("numbers", [1, "2"], "inner.numbers[1]", "a number"),
        ("numbers", [None], "inner.numbers[0]", "a number"),
        ("flags", [True, 1], "inner.flags[1]", "true or false"),
        ("blobs", [{}, []], "inner.blobs[1]", "an object"),
        ("kinds", ["StartCharging", 3], "inner.kinds[1]", "CommandType"),
        ("times", ["2024-01-01T00:00:00"], "inner.times[0]", "timezone"),
        ("numbers", {"0": 1}, "inner.numbers", "a list"),
    ],
)
def test_a_bad_list_item_inside_a_lazy_part_fails_the_decode(
    key: str, value: object, path: str, expected: str
) -> None:
    payload = {"name": "x", "inner": {**OUTER["inner"], key: value}}  # type: ignore[dict-item]
    with pytest.raises(ResponseValidationError) as info:
        Outer.from_dict(payload)
    assert info.value.path == path
    assert expected in str(info.value)
