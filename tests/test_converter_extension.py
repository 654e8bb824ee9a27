"""``realto_async.converter``: the cattrs converter users extend; generated code shows in tracebacks."""

from __future__ import annotations

import inspect
import json
import linecache
import traceback
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from decimal import Decimal
from types import MappingProxyType
from typing import Any, cast

import attrs
import cattrs
import pytest

import realto_async
from realto_async import (
    ChargingRecord,
    Entity,
    EntityType,
    InvalidArgumentError,
    Quantity,
    ResponseValidationError,
    converter,
)
from realto_async._convert import FieldError, _structure_hook_factory, structure_fn, unstructure_fn
from tests.helpers import charge_record_payload, entity_payload


@attrs.define
class Row:
    """A user's own class holding a realto model and a type of their own."""

    label: str
    price: Decimal
    record: ChargingRecord
    kind: EntityType | None = None


@pytest.fixture
def decimal_hooks() -> Iterator[None]:
    converter.register_structure_hook(Decimal, lambda value, _type: Decimal(str(value)))
    converter.register_unstructure_hook(Decimal, str)
    yield
    # cattrs cannot unregister: put back what a Decimal was before (cattrs' own handling).
    converter.register_structure_hook(Decimal, lambda value, _type: Decimal(value))
    converter.register_unstructure_hook(Decimal, lambda value: value)


def test_the_converter_is_public_and_is_a_cattrs_converter() -> None:
    assert realto_async.converter is converter
    assert "converter" in realto_async.__all__
    assert isinstance(converter, cattrs.Converter)


def test_from_dict_and_to_dict_go_through_the_converter() -> None:
    payload = {"unit": "kW", "value": 2}
    original = _structure_hook_factory(Quantity)
    converter.register_structure_hook(Quantity, lambda value, _type: original({**value, "unit": "W"}, _type))
    converter.register_unstructure_hook(Quantity, lambda q: {"as": "registered", "value": q.value})
    try:
        assert Quantity.from_dict(payload).unit == "W"
        assert Quantity.from_dict(payload).to_dict() == {"as": "registered", "value": 2}
    finally:
        converter.register_structure_hook(Quantity, original)
        converter.register_unstructure_hook(Quantity, unstructure_fn(Quantity))
    assert Quantity.from_dict(payload).unit == "kW"
    assert Quantity.from_dict(payload).to_dict() == payload


def test_exported_json_lines_read_back_into_models() -> None:
    records = [ChargingRecord.from_dict(charge_record_payload(i)) for i in range(3)]
    lines = [json.dumps(converter.unstructure(r)) for r in records]
    assert [converter.structure(json.loads(line), ChargingRecord) for line in lines] == records
    assert converter.structure([json.loads(line) for line in lines], list[ChargingRecord]) == records


@pytest.mark.usefixtures("decimal_hooks")
def test_a_users_class_with_a_realto_model_and_own_hooks_round_trips() -> None:
    data = {"label": "home", "price": 0.25, "record": charge_record_payload(1), "kind": "EV"}
    row = converter.structure(data, Row)
    assert row.price == Decimal("0.25")
    assert row.kind is EntityType.EV
    assert row.record == ChargingRecord.from_dict(charge_record_payload(1))
    assert row.record.data.charge is not None
    out = converter.unstructure(row)
    assert out["price"] == "0.25"
    assert type(out["kind"]) is str
    assert out["record"] == row.record.to_dict()
    assert out["record"]["created"] == charge_record_payload(1)["created"]
    assert converter.structure(out, Row) == row


def test_open_enums_keep_unknown_values_through_the_converter() -> None:
    assert converter.structure("EV", EntityType) is EntityType.EV
    assert converter.structure("Teleporter", EntityType) == "Teleporter"
    assert converter.structure(EntityType.EV, EntityType) is EntityType.EV
    assert converter.unstructure(EntityType.EV) == "EV"
    assert type(converter.unstructure(EntityType.EV)) is str
    for bad in (5, None, ["EV"]):
        with pytest.raises(ResponseValidationError, match="EntityType"):
            converter.structure(bad, EntityType)


@pytest.mark.parametrize(
    ("data", "path"),
    [
        ({"unit": "kW"}, "value"),
        ({"unit": 3, "value": 1}, "unit"),
        ({"unit": "kW", "value": "1"}, "value"),
        ([], ""),
    ],
)
def test_a_misfit_raises_response_validation_error_naming_the_path(data: Any, path: str) -> None:
    with pytest.raises(ResponseValidationError) as info:
        converter.structure(data, Quantity)
    assert info.value.path == path
    with pytest.raises(ResponseValidationError):
        Quantity.from_dict(data)


def test_read_only_mappings_are_accepted() -> None:
    payload = entity_payload()
    assert Entity.from_dict(MappingProxyType(payload)) == Entity.from_dict(payload)
    assert converter.structure(MappingProxyType({"unit": "kW", "value": 1}), Quantity).value == 1
    with pytest.raises(ResponseValidationError, match="'value'"):
        converter.structure(MappingProxyType({"unit": "kW"}), Quantity)


def test_datetimes_through_the_converter_are_aware_and_written_as_z() -> None:
    moment = datetime(2024, 1, 1, tzinfo=timezone.utc)
    assert converter.structure("2024-01-01T00:00:00Z", datetime) == moment
    assert converter.unstructure(moment) == "2024-01-01T00:00:00Z"
    with pytest.raises(InvalidArgumentError, match="timezone"):
        converter.structure("2024-01-01T00:00:00", datetime)


# ------------------------------------------------------------------------ generated source


@pytest.mark.parametrize("model", [Quantity, ChargingRecord, Entity])
def test_generated_functions_have_their_source_in_linecache(model: type) -> None:
    structure: Callable[[Any], Any] = structure_fn(model)
    unstructure = unstructure_fn(model)
    assert inspect.getsource(structure).startswith("def structure(d0):")
    assert inspect.getsource(unstructure).startswith("def unstructure(o):")
    filename = structure.__code__.co_filename
    assert model.__qualname__ in filename
    linecache.checkcache()  # keeps entries that have no file on disk
    assert linecache.getline(filename, 1) == "def structure(d0):\n"


def test_a_traceback_through_a_generated_encoder_shows_its_source_line() -> None:
    naive = cast(Any, ChargingRecord.from_dict(charge_record_payload()))
    object.__setattr__(naive, "created", datetime(2024, 1, 1))  # naive, as a careless caller might
    with pytest.raises(InvalidArgumentError) as info:
        naive.to_dict()
    text = "".join(traceback.format_exception(info.value))
    assert "<realto-generated unstructure_realto_async.models.charge_sessions.ChargingRecord" in text
    assert "d = {'id': o.id" in text  # the generated line itself, not just its file name


def test_a_traceback_through_a_generated_decoder_shows_its_source_line() -> None:
    with pytest.raises(FieldError) as info:  # the internal error, before it becomes public
        structure_fn(Quantity)({"unit": "kW", "value": "high"})
    frames = traceback.extract_tb(info.value.__traceback__)
    generated = [frame for frame in frames if frame.filename.startswith("<realto-generated structure_")]
    assert generated
    assert "raise _FieldError('a number', v)" in (generated[-1].line or "")
